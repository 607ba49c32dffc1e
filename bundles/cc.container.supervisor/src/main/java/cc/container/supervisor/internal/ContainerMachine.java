package cc.container.supervisor.internal;

import cc.container.api.ContainerReport;
import cc.container.api.ContainerStatus;
import cc.container.api.DesiredState;
import cc.container.api.HistoryEntry;
import cc.container.api.SupervisorException;
import cc.container.api.config.ContainerConfig;
import cc.container.api.runtime.ContainerState;
import cc.container.api.runtime.ContainerStats;
import cc.container.api.runtime.DriverException;
import cc.container.api.runtime.RuntimeDriver;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The state machine of one managed container. Every change happens in a task on the container's own serial executor,
 * so operations on one container never race (a stop during a pending restart cancels it; two starts run one after the
 * other), while different containers proceed in parallel on the supervisor's pool. Every transition is logged at
 * DEBUG.
 */
final class ContainerMachine {
	static final int HISTORY = 20;

	private final Context ctx;
	private final String id;
	private final SerialExecutor serial;
	private volatile ContainerConfig config;
	private final RestartTracker tracker;
	private final Deque<HistoryEntry> history = new ArrayDeque<>();
	private DesiredState desired;
	private ContainerStatus status;
	private long pid;
	private Instant startedAt;
	private Instant exitedAt;
	private Integer exitCode;
	private Instant lastRestartAt;
	private ContainerStats stats;
	private ScheduledFuture<?> pendingRestart;
	/** A restart was due when the driver went away: do it when the driver returns, without counting a new stop. */
	private boolean resumeRestart;
	private volatile boolean released;
	/** A release is on its way (posted to its executor). */
	private volatile boolean releasing;
	/** Whether the runtime has been looked at since the machine was made or its driver returned. */
	private boolean looked;
	/** Whether it autostarts at its first look (the first start of the daemon after a boot). */
	private boolean bootPending;
	/** An entry added to the file by hand: running at its first look, it is adopted as wanted running. */
	private boolean adoptDesired;
	/** When the status last changed ({@link System#nanoTime()}): an observation asked for before then is stale. */
	private long changedAt;
	private volatile ContainerReport report;

	/** What a machine needs of the supervisor. */
	interface Context {
		RuntimeDriver driver(String runtime);

		long nowMs();

		ScheduledFuture<?> schedule(Runnable task, long delayMs);

		java.util.concurrent.Executor pool();

		Duration commandTimeout();

		/** Whether the device shuts down: nothing is started or restarted automatically any more. */
		boolean holding();

		void changed();

		void debug(String message, Object... args);

		void info(String message, Object... args);

		void warn(String message, Object... args);

		void error(String message, Object... args);
	}

	ContainerMachine(Context ctx, ContainerConfig config, DesiredState desired, StateJson.Saved saved, boolean sameBoot) {
		this.ctx = ctx;
		this.bootPending = !sameBoot;
		this.id = config.id();
		this.config = config;
		this.serial = new SerialExecutor(ctx.pool());
		this.desired = desired;
		if (saved != null) {
			this.tracker = new RestartTracker(saved.total(), sameBoot ? saved.windowTimes() : List.of(), saved.gaveUp() && sameBoot);
			this.lastRestartAt = saved.lastAt();
			saved.history().forEach(history::addLast);
			this.exitedAt = saved.exitedAt();
			this.exitCode = saved.exitCode();
			this.startedAt = saved.startedAt();
		} else {
			this.tracker = new RestartTracker(0, List.of(), false);
		}
		this.status = tracker.gaveUp() ? ContainerStatus.FAILED : ContainerStatus.UNKNOWN;
		publish();
	}

	String id() {
		return id;
	}

	ContainerConfig config() {
		return config;
	}

	/** Whether the runtime must be asked about it at the next poll even when it is not monitored. */
	boolean needsLook() {
		return !looked;
	}

	void config(ContainerConfig c) {
		this.config = c;
	}

	/** Marks an entry added to the containers configuration by hand: a running container is adopted as wanted. */
	void addedByHand() {
		adoptDesired = true;
	}

	ContainerReport report() {
		return report;
	}

	List<Long> restartTimes() {
		synchronized (tracker) {
			return tracker.times();
		}
	}

	// ---------------------------------------------------------------- plumbing

	private void transition(ContainerStatus to, String why) {
		if (status != to) {
			ctx.debug("Container {}: {} -> {} ({}).", id, status.json(), to.json(), why);
			status = to;
			publish(); // seen at once (a long stop shows "stopping" while it lasts)
		}
		changedAt = System.nanoTime();
	}

	private void publish() {
		int inWindow;
		synchronized (tracker) {
			inWindow = tracker.inWindow(config.restart(), ctx.nowMs());
		}
		report = new ContainerReport(id, config.friendlyName(), config.runtime(), config.version(), desired, status, pid, startedAt, exitedAt,
			exitCode, new ContainerReport.Restarts(tracker.total(), inWindow, lastRestartAt, tracker.gaveUp()), stats, List.copyOf(history),
			config.drm());
		ctx.changed();
	}

	/** Runs {@code task} on this container's serial executor. */
	<T> CompletableFuture<T> submit(Callable<T> task) {
		CompletableFuture<T> f = new CompletableFuture<>();
		serial.execute(() -> {
			T result = null;
			Throwable failure = null;
			try {
				result = task.call();
			} catch (Throwable t) {
				failure = t;
			}
			// The report is published before anyone waiting for the task wakes up.
			publish();
			if (failure == null) {
				f.complete(result);
			} else {
				f.completeExceptionally(failure);
			}
		});
		return f;
	}

	void post(Runnable task) {
		submit(() -> {
			task.run();
			return null;
		});
	}

	private RuntimeDriver driverOrThrow() throws SupervisorException {
		RuntimeDriver d = ctx.driver(config.runtime());
		if (d == null) {
			throw new SupervisorException(SupervisorException.Kind.UNAVAILABLE,
				"the " + config.runtime() + " driver is not available (being upgraded?); try again shortly", null);
		}
		return d;
	}

	private void cancelPendingRestart() {
		resumeRestart = false;
		if (pendingRestart != null) {
			pendingRestart.cancel(false);
			pendingRestart = null;
		}
	}

	private void addHistory(HistoryEntry e) {
		history.addLast(e);
		while (history.size() > HISTORY) {
			history.removeFirst();
		}
	}

	// ---------------------------------------------------------------- user operations (run on the serial executor)

	ContainerReport userStart() throws SupervisorException {
		RuntimeDriver d = driverOrThrow();
		cancelPendingRestart();
		desired = DesiredState.RUNNING;
		synchronized (tracker) {
			tracker.reset();
		}
		if (status == ContainerStatus.RUNNING && isRunning(d)) {
			return report;
		}
		startNow(d, "started by a user");
		return snapshot();
	}

	ContainerReport userStop(Duration grace) throws SupervisorException {
		RuntimeDriver d = driverOrThrow();
		cancelPendingRestart();
		desired = DesiredState.STOPPED;
		transition(ContainerStatus.STOPPING, "stopped by a user");
		try {
			d.stop(id, grace);
		} catch (DriverException e) {
			if (e.kind() != DriverException.Kind.NOT_FOUND) {
				transition(ContainerStatus.UNKNOWN, "the stop failed");
				throw new SupervisorException(SupervisorException.Kind.FAILED, "Stopping " + id + " failed: " + e.getMessage(), e);
			}
		}
		pid = 0;
		exitedAt = Instant.now();
		transition(ContainerStatus.STOPPED, "stopped by a user");
		ctx.info("Container {} stopped by a user; it stays stopped until a user starts it.", id);
		return snapshot();
	}

	ContainerReport userRestart(Duration grace) throws SupervisorException {
		userStop(grace);
		return userStart();
	}

	/** Stops it for the device's shutdown: the desired state stays as it is. */
	void shutdownStop(Duration grace) throws SupervisorException {
		RuntimeDriver d = driverOrThrow();
		cancelPendingRestart();
		DesiredState keep = desired;
		desired = DesiredState.STOPPED; // so that its death is not an unexpected stop
		transition(ContainerStatus.STOPPING, "the device shuts down");
		try {
			d.stop(id, grace);
			pid = 0;
			exitedAt = Instant.now();
			transition(ContainerStatus.STOPPED, "the device shuts down");
		} catch (DriverException e) {
			throw new SupervisorException(SupervisorException.Kind.FAILED, id + ": " + e.getMessage(), e);
		} finally {
			desired = keep;
		}
	}

	void release() {
		cancelPendingRestart();
		released = true;
	}

	boolean released() {
		return released;
	}

	/** Notes that a release was posted, so that it is posted once. */
	void markReleasing() {
		releasing = true;
	}

	boolean releasing() {
		return releasing;
	}

	private boolean isRunning(RuntimeDriver d) {
		try {
			ContainerState s = d.states().get(id);
			return s != null && s.running();
		} catch (DriverException e) {
			return false;
		}
	}

	/**
	 * Starts it. A start the runtime refuses throws; a container that starts and dies at once is an unexpected stop,
	 * handled by its restart policy like any other.
	 */
	private void startNow(RuntimeDriver d, String why) throws SupervisorException {
		transition(ContainerStatus.STARTING, why);
		ContainerState s;
		try {
			d.start(id);
			s = d.states().get(id);
		} catch (DriverException e) {
			pid = 0;
			transition(ContainerStatus.EXITED, "the start failed");
			throw new SupervisorException(e.kind() == DriverException.Kind.NOT_FOUND ? SupervisorException.Kind.NOT_FOUND
				: SupervisorException.Kind.FAILED, "Starting " + id + " failed: " + e.getMessage(), e);
		}
		exitCode = null;
		startedAt = s != null && s.startedAt() != null ? s.startedAt() : Instant.now();
		pid = s != null && s.running() ? s.pid() : 0;
		transition(ContainerStatus.RUNNING, why);
		looked = true;
		if (s == null || !s.running()) {
			died(s == null ? null : s.exitCode(), s == null ? null : s.oomKilled(), null);
		}
	}

	private ContainerReport snapshot() {
		publish();
		return report;
	}

	// ---------------------------------------------------------------- what the runtime says (run on the serial executor)

	/**
	 * A driver reported that its init ended. Events come late at times (Podman writes a stopped container's "died" when
	 * its clean-up runs, which can be after a user's restart started the next run), so the runtime is asked once: a
	 * container it shows running with the pid this machine knows is alive, and the event is of an earlier run.
	 *
	 * @param at when it ended, by the event
	 */
	void diedEvent(Integer code, Instant at) {
		if (released || !config.monitor() || desired != DesiredState.RUNNING || status != ContainerStatus.RUNNING) {
			return;
		}
		RuntimeDriver d = ctx.driver(config.runtime());
		ContainerState s = null;
		if (d != null) {
			try {
				s = d.states().get(id);
			} catch (DriverException e) {
				ctx.debug("Container {}: could not confirm a died event ({}); taking it as it is.", id, e.getMessage());
			}
		}
		if (s != null && s.running() && (pid == 0 || s.pid() == pid)) {
			ctx.debug("Container {}: a died event of an earlier run ignored; it runs with pid {}.", id, s.pid());
			return;
		}
		died(code == null && s != null ? s.exitCode() : code, s == null ? null : s.oomKilled(), at);
	}

	/**
	 * Its init ended (a confirmed driver event, or the poll saw it not running).
	 *
	 * @param at when it ended
	 */
	void died(Integer code, Boolean oom, Instant at) {
		if (released || !config.monitor()) {
			return;
		}
		if (desired != DesiredState.RUNNING || status != ContainerStatus.RUNNING) {
			return; // asked for, already handled, or not ours to handle
		}
		if (at != null && startedAt != null && at.isBefore(startedAt.minusMillis(500))) {
			return; // an event of an earlier run, replayed
		}
		pid = 0;
		exitedAt = at == null ? Instant.now() : at;
		exitCode = code;
		if (ctx.holding()) {
			transition(ContainerStatus.STOPPED, "the device shuts down");
			return;
		}
		unexpectedStop("died", code, oom);
	}

	private void unexpectedStop(String event, Integer code, Boolean oom) {
		RestartTracker.Decision d;
		synchronized (tracker) {
			d = tracker.onUnexpectedStop(config.restart(), ctx.nowMs());
		}
		addHistory(new HistoryEntry(Instant.now(), event, code, Signals.of(code), oom, d.text()));
		String how = code == null ? "" : " with exit status " + code + (Signals.of(code) == null ? "" : " (SIG" + Signals.of(code) + ")");
		switch (d.kind()) {
			case RESTART:
				transition(ContainerStatus.RESTARTING, event);
				ctx.warn("Container {} stopped unexpectedly{}{}; the manager restarts it in {} s.", id, how, Boolean.TRUE.equals(oom)
					? " (killed for lack of memory)" : "", d.delayMs() / 1000);
				pendingRestart = ctx.schedule(() -> post(this::autoRestart), d.delayMs());
				break;
			case GIVE_UP:
				transition(ContainerStatus.FAILED, d.text());
				ctx.error("Container {} stopped unexpectedly{} and the manager gave up on it: {}. It stays stopped until a user starts it.", id,
					how, d.text().substring("gave up: ".length()));
				break;
			default:
				transition(ContainerStatus.EXITED, d.text());
				ctx.warn("Container {} stopped unexpectedly{}; its restart policy is disabled, so it stays stopped.", id, how);
				break;
		}
	}

	private void autoRestart() {
		pendingRestart = null;
		if (released || desired != DesiredState.RUNNING || status != ContainerStatus.RESTARTING) {
			return;
		}
		if (ctx.holding()) {
			transition(ContainerStatus.STOPPED, "the device shuts down");
			return;
		}
		RuntimeDriver d = ctx.driver(config.runtime());
		if (d == null) {
			resumeRestart = true;
			transition(ContainerStatus.UNKNOWN, "its driver is absent");
			return;
		}
		synchronized (tracker) {
			tracker.recordRestart(ctx.nowMs());
		}
		lastRestartAt = Instant.now();
		try {
			startNow(d, "restarted by its restart policy");
			ctx.info("Container {} restarted by its restart policy.", id);
		} catch (SupervisorException e) {
			ctx.warn("Restarting container {} failed: {}", id, e.getMessage());
			unexpectedStop("start-failed", null, null);
		}
	}

	/** Starts it because it autostarts after a boot; a failure is handled by its restart policy. */
	void bootStart() {
		if (released || desired != DesiredState.RUNNING || ctx.holding()) {
			return;
		}
		RuntimeDriver d = ctx.driver(config.runtime());
		if (d == null) {
			return;
		}
		try {
			startNow(d, "autostart after boot");
			ctx.info("Container {} started (autostart).", id);
		} catch (SupervisorException e) {
			ctx.warn("Starting container {} after boot failed: {}", id, e.getMessage());
			unexpectedStop("start-failed", null, null);
		}
	}

	/**
	 * What one poll of the runtime said of it ({@code state} null: the runtime does not know it), or the first look
	 * after its driver appeared ({@code first}). {@code askedAt} ({@link System#nanoTime()}) is when the runtime was
	 * asked: an answer older than the container's last change says nothing about it any more.
	 */
	void observed(ContainerState state, ContainerStats sample, long askedAt) {
		if (released || askedAt - changedAt < 0) {
			return;
		}
		boolean first = !looked;
		boolean newBoot = first && bootPending;
		looked = true;
		bootPending = false;
		if (!config.monitor() && !first) {
			return;
		}
		if (state == null) {
			if (status != ContainerStatus.UNKNOWN) {
				ctx.warn("Container {} is gone from {}; the manager cannot start it until it is installed again.", id, config.runtime());
			}
			pid = 0;
			stats = null;
			transition(ContainerStatus.UNKNOWN, "not in its runtime");
			return;
		}
		if (state.running()) {
			if (sample != null) {
				stats = sample;
			}
			if (status == ContainerStatus.RUNNING && pid == state.pid()) {
				return;
			}
			if (status == ContainerStatus.STARTING || status == ContainerStatus.STOPPING) {
				return; // an operation is under way on it
			}
			pid = state.pid();
			startedAt = state.startedAt() != null ? state.startedAt() : startedAt;
			cancelPendingRestart();
			if (first && adoptDesired) {
				desired = DesiredState.RUNNING;
			}
			transition(ContainerStatus.RUNNING, first ? "adopted: it was running" : "seen running");
			if (first) {
				ctx.info("Container {} adopted: it runs with pid {}.", id, pid);
			}
			return;
		}
		stats = null;
		if (status == ContainerStatus.STARTING || status == ContainerStatus.STOPPING || status == ContainerStatus.RESTARTING
			|| status == ContainerStatus.FAILED) {
			return;
		}
		if (desired == DesiredState.STOPPED) {
			pid = 0;
			transition(ContainerStatus.STOPPED, "not running, as its user wants");
			return;
		}
		if (status == ContainerStatus.EXITED && !first) {
			return;
		}
		// It should run and does not.
		if (first && newBoot) {
			bootStart();
			return;
		}
		if (resumeRestart) {
			resumeRestart = false;
			transition(ContainerStatus.RESTARTING, "its driver is back");
			post(this::autoRestart);
			return;
		}
		if (first || status == ContainerStatus.UNKNOWN) {
			// It stopped while nobody watched (the daemon or its driver was away): an unexpected stop.
			status = ContainerStatus.RUNNING;
		}
		died(state.exitCode(), state.oomKilled(), state.finishedAt());
	}

	/** Its driver went away: it is reported unknown and nothing is restarted until the driver returns. */
	void driverGone() {
		looked = false;
		if (pendingRestart != null) {
			pendingRestart.cancel(false);
			pendingRestart = null;
			resumeRestart = true;
		}
		stats = null;
		if (status != ContainerStatus.FAILED) {
			transition(ContainerStatus.UNKNOWN, "its driver is absent");
		}
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
