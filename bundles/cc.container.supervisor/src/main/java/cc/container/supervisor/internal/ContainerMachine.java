package cc.container.supervisor.internal;

import cc.container.api.ContainerReport;
import cc.container.api.DesiredState;
import cc.container.api.SupervisorException;
import cc.container.api.config.ContainerConfig;
import cc.container.api.runtime.ContainerState;
import cc.container.api.runtime.DriverException;
import cc.container.api.runtime.RuntimeDriver;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * One managed container: its {@link MachineState}, moved by {@link Transitions#step} and by nothing else, and the
 * runtime calls, timers and log lines the steps ask for. Every event is handled on the container's own serial
 * executor, so operations on one container never race (a stop during a pending restart cancels it; two starts run one
 * after the other), while different containers proceed in parallel on the supervisor's pool. An automatic start (the
 * restart policy's, a boot's) in flight is cut short by a user's stop, restart or release, or by the shutdown stop,
 * so that they never wait for a start nobody wants any more.
 */
final class ContainerMachine {
	private final Context ctx;
	private final String id;
	private final SerialExecutor serial;
	/** Written on the serial executor only; read by anyone. */
	private volatile MachineState state;
	private volatile ContainerReport report;
	/** The pending automatic restart's timer (serial executor only). */
	private ScheduledFuture<?> pendingRestart;
	/** A release is on its way (submitted to its executor): nothing starts by itself any more. */
	private volatile boolean releasing;
	/**
	 * How long an automatic start cut short may go on to finish before its thread is interrupted (which kills the
	 * runtime's tool): a tool killed in the middle of a change leaves it half made — a {@code podman start} killed
	 * between runc's create and start leaves a container process that no later {@code podman rm} removes.
	 */
	static final long CUT_SHORT_GRACE_MS = 5000;
	/** The thread running an automatic start, while it runs, whether it was cut short, and how many there were; guarded by {@code this}. */
	private Thread automaticStart;
	private boolean cutShort;
	private long automaticStarts;

	/** What a machine needs of the supervisor. */
	interface Context extends Timing {
		RuntimeDriver driver(String runtime);

		Executor pool();

		Duration commandTimeout();

		/** Whether the device shuts down: nothing is started or restarted automatically any more. */
		boolean holding();

		/** A report changed (state.json is written soon). */
		void changed();

		void log(Action.Log.Level level, String message, Object... args);
	}

	/**
	 * @param saved what state.json kept of it, or null
	 * @param sameBoot whether the device has not booted since state.json was written (no autostart)
	 * @param addedByHand whether its entry appeared in the file while the daemon ran: running, it is adopted as wanted
	 */
	ContainerMachine(Context ctx, ContainerConfig config, DesiredState desired, StateJson.Saved saved, boolean sameBoot, boolean addedByHand) {
		this.ctx = ctx;
		this.id = config.id();
		this.serial = new SerialExecutor(ctx.pool());
		MachineState s = MachineState.initial(config, desired, saved, sameBoot);
		if (addedByHand) {
			MachineState.Builder b = s.change();
			b.adoptDesired = true;
			s = b.build();
		}
		this.state = s;
		publish();
	}

	String id() {
		return id;
	}

	ContainerConfig config() {
		return state.config();
	}

	/** Whether the runtime must be asked about it at the next poll even when it is not monitored. */
	boolean needsLook() {
		return !state.looked();
	}

	boolean released() {
		return state.released();
	}

	boolean releasing() {
		return releasing;
	}

	ContainerReport report() {
		return report;
	}

	/** The restart times within its window, for state.json (they survive a restart of the daemon). */
	List<Long> restartTimes() {
		MachineState s = state;
		return s.restarts().within(s.config().restart(), ctx.nowMs());
	}

	// ---------------------------------------------------------------- events in

	/**
	 * Handles {@code e} on the serial executor; the future ends with the container's report once every runtime call
	 * the event led to returned, or with the error a user's operation ended with.
	 */
	CompletableFuture<ContainerReport> submit(Event e) {
		if (e instanceof Event.Release) {
			releasing = true;
		}
		if (e instanceof Event.UserStop || e instanceof Event.UserRestart || e instanceof Event.ShutdownStop || e instanceof Event.Release) {
			cancelAutomaticStart();
		}
		CompletableFuture<ContainerReport> f = new CompletableFuture<>();
		serial.execute(() -> {
			SupervisorException error = null;
			Throwable failure = null;
			try {
				error = handle(e);
			} catch (RuntimeException | Error x) {
				failure = x;
				ctx.log(Action.Log.Level.ERROR, "Container {}: handling {} failed: {}", id, e, x.toString());
			}
			publish(); // the report is published before anyone waiting for the event wakes up
			if (failure != null) {
				f.completeExceptionally(failure);
			} else if (error != null) {
				f.completeExceptionally(error);
			} else {
				f.complete(report);
			}
		});
		return f;
	}

	/** Handles {@code e} when its turn comes; nobody waits for it. */
	void post(Event e) {
		submit(e);
	}

	/** Asks its runtime about it now and handles the answer (a container just taken over, to show at once). */
	CompletableFuture<ContainerReport> look() {
		CompletableFuture<ContainerReport> f = new CompletableFuture<>();
		serial.execute(() -> {
			RuntimeDriver d = ctx.driver(state.config().runtime());
			if (d != null) {
				long askedAt = System.nanoTime();
				try {
					handle(new Event.Observed(d.states().get(id), null, askedAt));
				} catch (DriverException | RuntimeException x) {
					ctx.log(Action.Log.Level.DEBUG, "Container {}: its runtime could not be asked ({}).", id, x.getMessage());
				}
			}
			publish();
			f.complete(report);
		});
		return f;
	}

	// ---------------------------------------------------------------- the steps and what they ask for

	/** Runs {@code first} and the events its runtime calls lead to; returns the error a user's operation ended with. */
	private SupervisorException handle(Event first) {
		Deque<Event> events = new ArrayDeque<>();
		events.add(first);
		SupervisorException error = null;
		while (!events.isEmpty()) {
			Event e = events.poll();
			MachineState before = state;
			Transitions.Step step = Transitions.step(before, e, facts(before));
			state = step.next();
			for (String change : step.changes()) {
				ctx.log(Action.Log.Level.DEBUG, "Container {}: {}.", id, change);
			}
			if (!step.changes().isEmpty()) {
				publish(); // seen at once (a long stop shows "stopping" while it lasts)
			}
			for (Action a : step.actions()) {
				if (a instanceof Action.Answer answer) {
					error = answer.error();
				} else {
					Event next = perform(a);
					if (next != null) {
						events.add(next);
					}
				}
			}
		}
		return error;
	}

	private Transitions.Facts facts(MachineState s) {
		return new Transitions.Facts(ctx.nowMs(), Instant.now(), System.nanoTime(), ctx.driver(s.config().runtime()) != null, ctx.holding(),
			releasing);
	}

	/** Does what a step asked for; a runtime call returns the event its outcome is. */
	private Event perform(Action a) {
		String runtime = state.config().runtime();
		RuntimeDriver d = ctx.driver(runtime);
		if (a instanceof Action.Start start) {
			return start(d, start.cause());
		}
		if (a instanceof Action.Stop stop) {
			try {
				requireDriver(d, runtime).stop(id, stop.grace());
				return new Event.Stopped(stop.purpose(), stop.keep());
			} catch (DriverException x) {
				return new Event.StopFailed(x, stop.purpose(), stop.keep());
			} catch (RuntimeException x) {
				return new Event.StopFailed(unexpected(runtime, x), stop.purpose(), stop.keep());
			}
		}
		if (a instanceof Action.Query) {
			return new Event.Queried(stateOf(d, "a user's start"));
		}
		if (a instanceof Action.ConfirmDeath c) {
			return new Event.DeathConfirmed(c.exitCode(), c.at(), stateOf(d, "a died event"));
		}
		if (a instanceof Action.ScheduleRestart r) {
			cancelTimer();
			pendingRestart = ctx.schedule(() -> post(new Event.RestartDue()), r.delayMs());
		} else if (a instanceof Action.CancelRestart) {
			cancelTimer();
		} else if (a instanceof Action.Log l) {
			ctx.log(l.level(), l.message(), l.args());
		}
		return null;
	}

	/** Starts it; an automatic start can be cut short ({@link #cancelAutomaticStart}) while it runs. */
	private Event start(RuntimeDriver d, Event.Cause cause) {
		String runtime = state.config().runtime();
		boolean cancellable = cause.automatic();
		if (cancellable) {
			synchronized (this) {
				automaticStart = Thread.currentThread();
				cutShort = false;
				automaticStarts++;
			}
		}
		try {
			return new Event.Started(requireDriver(d, runtime).startAndGet(id), cause);
		} catch (DriverException x) {
			return new Event.StartFailed(x, cause, cancellable && cutShort());
		} catch (RuntimeException x) {
			return new Event.StartFailed(unexpected(runtime, x), cause, cancellable && cutShort());
		} finally {
			if (cancellable) {
				cutShort();
			}
		}
	}

	/** Ends the automatic-start window; whether it was cut short (its interrupt is consumed here, nowhere else). */
	private synchronized boolean cutShort() {
		automaticStart = null;
		Thread.interrupted();
		boolean was = cutShort;
		cutShort = false;
		return was;
	}

	/**
	 * Cuts short the automatic start under way, if one is: unless it finished meanwhile, its thread is interrupted
	 * {@value #CUT_SHORT_GRACE_MS} ms later, and its runtime call ends (the drivers kill their tools).
	 */
	private synchronized void cancelAutomaticStart() {
		if (automaticStart != null && !cutShort) {
			cutShort = true;
			long which = automaticStarts;
			ctx.schedule(() -> interruptAutomaticStart(which), CUT_SHORT_GRACE_MS);
		}
	}

	/** Interrupts the automatic start {@code which} if it still runs (not a later one on the same thread). */
	private synchronized void interruptAutomaticStart(long which) {
		if (automaticStart != null && automaticStarts == which) {
			automaticStart.interrupt();
		}
	}

	private ContainerState stateOf(RuntimeDriver d, String why) {
		if (d == null) {
			return null;
		}
		try {
			return d.states().get(id);
		} catch (DriverException | RuntimeException x) {
			ctx.log(Action.Log.Level.DEBUG, "Container {}: its runtime could not be asked about {} ({}).", id, why, x.getMessage());
			return null;
		}
	}

	private static RuntimeDriver requireDriver(RuntimeDriver d, String runtime) throws DriverException {
		if (d == null) {
			throw new DriverException(runtime, DriverException.Kind.UNAVAILABLE, "the " + runtime + " driver is not available");
		}
		return d;
	}

	private static DriverException unexpected(String runtime, RuntimeException x) {
		return new DriverException(runtime, DriverException.Kind.FAILED, "the " + runtime + " driver failed: " + x);
	}

	private void cancelTimer() {
		if (pendingRestart != null) {
			pendingRestart.cancel(false);
			pendingRestart = null;
		}
	}

	private void publish() {
		MachineState s = state;
		ContainerConfig c = s.config();
		report = new ContainerReport(id, c.friendlyName(), c.runtime(), c.version(), s.desired(), s.status(), s.pid(), s.startedAt(), s.exitedAt(),
			s.exitCode(), new ContainerReport.Restarts(s.restarts().total(), s.restarts().inWindow(c.restart(), ctx.nowMs()), s.restarts().lastAt(),
				s.restarts().gaveUp()), s.stats(), s.history(), c.drm(), s.health());
		ctx.changed();
	}

	/** Waits for a future of this machine, bounded by the command timeout plus {@code extra}. */
	<T> T await(CompletableFuture<T> f, Duration extra) throws SupervisorException {
		try {
			return f.get(ctx.commandTimeout().plus(extra).plusSeconds(5).toMillis(), TimeUnit.MILLISECONDS);
		} catch (java.util.concurrent.ExecutionException e) {
			if (e.getCause() instanceof SupervisorException) {
				throw (SupervisorException) e.getCause();
			}
			throw new SupervisorException(SupervisorException.Kind.FAILED, id + ": " + e.getCause(), e.getCause());
		} catch (java.util.concurrent.TimeoutException e) {
			throw new SupervisorException(SupervisorException.Kind.FAILED, id + ": the operation did not finish in time", e);
		} catch (InterruptedException e) {
			Thread.currentThread().interrupt();
			throw new SupervisorException(SupervisorException.Kind.FAILED, id + ": interrupted", e);
		}
	}
}
