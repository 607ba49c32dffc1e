package cc.container.supervisor.internal;

import cc.container.api.ContainerReport;
import cc.container.api.ContainerStatus;
import cc.container.api.DesiredState;
import cc.container.api.HistoryEntry;
import cc.container.api.SupervisorException;
import cc.container.api.runtime.ContainerState;
import cc.container.api.runtime.DriverException;
import cc.container.supervisor.internal.Action.Log.Level;
import cc.container.supervisor.internal.Event.Cause;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The state machine of one managed container as one function: {@link #step} takes where the container is and what
 * happened, and gives where it is next and what to do. It has no clock, no threads and no runtime of its own (what it
 * needs of them comes in {@link Facts}), so every rule below is tested as a table (TransitionsTest), and
 * {@link ContainerMachine} only carries the steps out.
 *
 * <p>The rules, in words: a user's start, stop and restart always win (a stop cancels a pending restart, and a stopped
 * container stays stopped until a user starts it); an init that ends while the container should run is an unexpected
 * stop, handled by its restart policy ({@link RestartCounts#decide}); the runtime is the truth about what runs, looked
 * at by the poll and told by its driver's events; while the device shuts down nothing starts by itself.
 */
final class Transitions {
	private Transitions() {
	}

	/**
	 * What the step needs of the world.
	 *
	 * @param nowMs the boot clock (milliseconds since boot: restart windows)
	 * @param now the wall clock (reports)
	 * @param nanos {@link System#nanoTime()} (staleness of runtime answers)
	 * @param driverPresent whether the container's runtime driver is there
	 * @param holding whether the device shuts down (nothing starts by itself)
	 * @param releasing whether a release is on its way to it (nothing starts by itself)
	 */
	record Facts(long nowMs, Instant now, long nanos, boolean driverPresent, boolean holding, boolean releasing) {
	}

	/**
	 * One step: the next state, what to do in order, and the status changes it made ("running -> restarting (died)").
	 */
	record Step(MachineState next, List<Action> actions, List<String> changes) {
	}

	/** Where {@code s} goes on {@code e}. */
	static Step step(MachineState s, Event e, Facts f) {
		Next n = new Next(s, f);
		if (e instanceof Event.UserStart) {
			userStart(n);
		} else if (e instanceof Event.UserStop u) {
			userStop(n, u.grace(), false);
		} else if (e instanceof Event.UserRestart u) {
			userStop(n, u.grace(), true);
		} else if (e instanceof Event.ShutdownStop u) {
			shutdownStop(n, u.grace());
		} else if (e instanceof Event.Release) {
			cancelRestart(n);
			n.b.released = true;
			n.answer(null);
		} else if (e instanceof Event.ConfigChanged c) {
			n.b.config = c.config();
		} else if (e instanceof Event.Observed o) {
			observed(n, o);
		} else if (e instanceof Event.Died d) {
			if (watched(n) && n.b.status == ContainerStatus.RUNNING) {
				n.act(new Action.ConfirmDeath(d.exitCode(), d.at()));
			}
		} else if (e instanceof Event.DeathConfirmed d) {
			deathConfirmed(n, d);
		} else if (e instanceof Event.RestartDue) {
			restartDue(n);
		} else if (e instanceof Event.DriverGone) {
			driverGone(n);
		} else if (e instanceof Event.Queried q) {
			if (q.state() != null && q.state().running()) {
				n.answer(null);
			} else {
				start(n, Cause.USER);
			}
		} else if (e instanceof Event.Started st) {
			started(n, st.state(), st.cause());
		} else if (e instanceof Event.StartFailed sf) {
			startFailed(n, sf);
		} else if (e instanceof Event.Stopped st) {
			stopped(n, st.purpose(), st.keep());
		} else if (e instanceof Event.StopFailed sf) {
			stopFailed(n, sf);
		} else if (e instanceof Event.Probed p) {
			probed(n, p);
		} else {
			throw new IllegalArgumentException("unknown event " + e);
		}
		return new Step(n.b.build(), List.copyOf(n.actions), List.copyOf(n.changes));
	}

	// ---------------------------------------------------------------- a user's operations

	private static void userStart(Next n) {
		if (!driverPresent(n)) {
			return;
		}
		cancelRestart(n);
		n.b.desired = DesiredState.RUNNING;
		n.b.restarts = n.b.restarts.reset();
		if (n.b.status == ContainerStatus.RUNNING) {
			n.act(new Action.Query()); // it may have died unseen: started again unless the runtime shows it running
		} else {
			start(n, Cause.USER);
		}
	}

	private static void userStop(Next n, Duration grace, boolean thenStart) {
		if (!driverPresent(n)) {
			return;
		}
		cancelRestart(n);
		n.b.desired = DesiredState.STOPPED;
		n.b.startAfterStop = thenStart;
		n.to(ContainerStatus.STOPPING, "stopped by a user");
		n.act(new Action.Stop(grace, Action.Stop.Purpose.USER, null));
	}

	/** The device shuts down: stopped, its desired state kept for the next boot. */
	private static void shutdownStop(Next n, Duration grace) {
		if (!n.f.driverPresent()) {
			n.answer(new SupervisorException(SupervisorException.Kind.UNAVAILABLE, "the " + n.b.config.runtime() + " driver is not available", null));
			return;
		}
		cancelRestart(n);
		n.to(ContainerStatus.STOPPING, "the device shuts down");
		n.act(new Action.Stop(grace, Action.Stop.Purpose.SHUTDOWN, n.b.desired));
	}

	private static void stopped(Next n, Action.Stop.Purpose purpose, DesiredState keep) {
		n.b.pid = 0;
		n.b.exitedAt = n.f.now();
		switch (purpose) {
			case SHUTDOWN -> {
				n.b.desired = keep;
				n.to(ContainerStatus.STOPPED, "the device shuts down");
				n.answer(null);
			}
			case UNHEALTHY -> {
				// stopped for its restart policy, which decided already (restarting or failed)
			}
			case USER -> {
				n.to(ContainerStatus.STOPPED, "stopped by a user");
				n.log(Level.INFO, "Container {} stopped by a user; it stays stopped until a user starts it.", n.id());
				if (n.b.startAfterStop) {
					n.b.startAfterStop = false;
					userStart(n);
				} else {
					n.answer(null);
				}
			}
		}
	}

	private static void stopFailed(Next n, Event.StopFailed e) {
		DriverException x = e.error();
		switch (e.purpose()) {
			case SHUTDOWN -> {
				n.b.desired = e.keep();
				n.answer(new SupervisorException(SupervisorException.Kind.FAILED, n.id() + ": " + x.getMessage(), x));
			}
			case UNHEALTHY -> n.log(Level.WARN, "Container {} is unhealthy and could not be stopped: {}", n.id(), x.getMessage());
			case USER -> {
				if (x.kind() == DriverException.Kind.NOT_FOUND) {
					stopped(n, Action.Stop.Purpose.USER, null); // nothing to stop: it is stopped
					return;
				}
				n.b.startAfterStop = false;
				n.to(ContainerStatus.UNKNOWN, "the stop failed");
				n.answer(new SupervisorException(SupervisorException.Kind.FAILED, "Stopping " + n.id() + " failed: " + x.getMessage(), x));
			}
		}
	}

	// ---------------------------------------------------------------- health

	/** How long an unhealthy container is given to stop before it is killed. */
	static final Duration UNHEALTHY_GRACE = Duration.ofSeconds(10);

	/**
	 * A health check ended. Failures within the start period, before the first success, do not count; {@code retries}
	 * failures in a row make the container unhealthy, which is an unexpected stop: it is stopped, and its restart policy
	 * decides what follows (a policy that is disabled leaves it running, unhealthy).
	 */
	private static void probed(Next n, Event.Probed p) {
		MachineState.Builder b = n.b;
		if (b.released || b.status != ContainerStatus.RUNNING || !b.config.monitor()) {
			return; // asked for before it stopped, or nobody watches it
		}
		ContainerReport.Health h = b.health == null ? ContainerReport.Health.STARTING : b.health;
		if (p.ok()) {
			if (!"healthy".equals(h.status())) {
				n.log(Level.INFO, "Container {} is healthy.", n.id());
			}
			b.health = new ContainerReport.Health("healthy", 0, p.at(), p.output());
			return;
		}
		boolean starting = "starting".equals(h.status()) && b.startedAt != null && p.at().isBefore(b.startedAt.plus(p.check().startPeriod()));
		if (starting) {
			b.health = new ContainerReport.Health("starting", 0, p.at(), p.output());
			return;
		}
		int streak = h.failingStreak() + 1;
		boolean unhealthy = streak >= p.check().retries();
		b.health = new ContainerReport.Health(unhealthy ? "unhealthy" : h.status(), streak, p.at(), p.output());
		if (streak != p.check().retries() || n.f.holding()) {
			return; // not yet, or acted on already (or nothing starts any more)
		}
		RestartCounts.Decision d = b.restarts.decide(b.config.restart(), n.f.nowMs());
		b.restarts = d.next();
		b.record(new HistoryEntry(n.f.now(), "unhealthy", null, null, null, d.text(), p.output()));
		String why = streak + " failed health checks, the last: " + p.output();
		switch (d.kind()) {
			case RESTART -> {
				n.to(ContainerStatus.RESTARTING, "unhealthy");
				n.log(Level.WARN, "Container {} is unhealthy ({}); the manager restarts it in {} s.", n.id(), why, d.delayMs() / 1000);
				b.restartPending = true;
				n.act(new Action.ScheduleRestart(d.delayMs()));
				n.act(new Action.Stop(UNHEALTHY_GRACE, Action.Stop.Purpose.UNHEALTHY, null));
			}
			case GIVE_UP -> {
				n.to(ContainerStatus.FAILED, d.text());
				n.log(Level.ERROR, "Container {} is unhealthy ({}) and the manager gave up on it: {}. It is stopped until a user starts it.", n.id(),
					why, d.text().substring("gave up: ".length()));
				n.act(new Action.Stop(UNHEALTHY_GRACE, Action.Stop.Purpose.UNHEALTHY, null));
			}
			case NONE -> n.log(Level.WARN, "Container {} is unhealthy ({}); its restart policy is disabled, so it keeps running.", n.id(), why);
		}
	}

	// ---------------------------------------------------------------- starts

	private static void start(Next n, Cause cause) {
		n.to(ContainerStatus.STARTING, cause.why);
		n.act(new Action.Start(cause));
	}

	/**
	 * A start returned. A container that starts and dies at once is an unexpected stop, handled by its restart policy
	 * like any other.
	 */
	private static void started(Next n, ContainerState s, Cause cause) {
		MachineState.Builder b = n.b;
		b.exitCode = null;
		b.startedAt = s != null && s.startedAt() != null ? s.startedAt() : n.f.now();
		b.pid = s != null && s.running() ? s.pid() : 0;
		n.to(ContainerStatus.RUNNING, cause.why);
		b.looked = true;
		b.health = b.config.health() == null ? null : ContainerReport.Health.STARTING;
		if (s == null || !s.running()) {
			died(n, s == null ? null : s.exitCode(), s == null ? null : s.oomKilled(), null, false);
		}
		switch (cause) {
			case USER -> n.answer(null);
			case RESTART -> n.log(Level.INFO, "Container {} restarted by its restart policy.", n.id());
			case BOOT -> n.log(Level.INFO, "Container {} started (autostart).", n.id());
		}
	}

	private static void startFailed(Next n, Event.StartFailed e) {
		DriverException x = e.error();
		n.b.pid = 0;
		n.to(ContainerStatus.EXITED, "the start failed");
		String message = "Starting " + n.id() + " failed: " + x.getMessage();
		if (e.cause() == Cause.USER) {
			n.answer(new SupervisorException(x.kind() == DriverException.Kind.NOT_FOUND ? SupervisorException.Kind.NOT_FOUND
				: SupervisorException.Kind.FAILED, message, x));
			return;
		}
		if (e.cancelled()) {
			n.log(Level.INFO, "Container {}: its {} was cut short by a user's operation.", n.id(), e.cause() == Cause.BOOT ? "autostart" : "restart");
			return;
		}
		n.log(Level.WARN, e.cause() == Cause.BOOT ? "Starting container {} after boot failed: {}" : "Restarting container {} failed: {}", n.id(),
			message);
		unexpectedStop(n, "start-failed", null, null);
	}

	/** Starts it because it autostarts after a boot; a failure is handled by its restart policy. */
	private static void bootStart(Next n) {
		if (n.b.released || n.f.releasing() || n.b.desired != DesiredState.RUNNING || n.f.holding() || !n.f.driverPresent()) {
			return;
		}
		start(n, Cause.BOOT);
	}

	private static void restartDue(Next n) {
		MachineState.Builder b = n.b;
		if (!b.restartPending) {
			return; // cancelled after it fell due
		}
		b.restartPending = false;
		restartNow(n);
	}

	private static void restartNow(Next n) {
		MachineState.Builder b = n.b;
		if (b.released || n.f.releasing() || b.desired != DesiredState.RUNNING || b.status != ContainerStatus.RESTARTING) {
			return;
		}
		if (n.f.holding()) {
			n.to(ContainerStatus.STOPPED, "the device shuts down");
			return;
		}
		if (!n.f.driverPresent()) {
			b.resumeRestart = true;
			n.to(ContainerStatus.UNKNOWN, "its driver is absent");
			return;
		}
		b.restarts = b.restarts.restarted(n.f.nowMs(), n.f.now());
		start(n, Cause.RESTART);
	}

	// ---------------------------------------------------------------- deaths

	/** Whether what the runtime says of its death concerns the machine: it is ours, watched and wanted running. */
	private static boolean watched(Next n) {
		return !n.b.released && n.b.config.monitor() && n.b.desired == DesiredState.RUNNING;
	}

	/**
	 * What the runtime says of a reported death. Events come late at times (Podman writes a stopped container's "died"
	 * when its clean-up runs, which can be after a user's restart started the next run): a container the runtime shows
	 * running with the pid the machine knows is alive, and the event is of an earlier run.
	 */
	private static void deathConfirmed(Next n, Event.DeathConfirmed d) {
		ContainerState s = d.now();
		if (s != null && s.running() && (n.b.pid == 0 || s.pid() == n.b.pid)) {
			n.log(Level.DEBUG, "Container {}: a died event of an earlier run ignored; it runs with pid {}.", n.id(), s.pid());
			return;
		}
		died(n, d.exitCode() == null && s != null ? s.exitCode() : d.exitCode(), s == null ? null : s.oomKilled(), d.at(), false);
	}

	/**
	 * Its init ended (a confirmed event, a poll that saw it not running, or a start after which it did not run).
	 *
	 * @param at when it ended, or null
	 * @param unwatched whether it ended while nobody watched (its status was not known to be running)
	 */
	private static void died(Next n, Integer code, Boolean oom, Instant at, boolean unwatched) {
		MachineState.Builder b = n.b;
		if (!watched(n) || (!unwatched && b.status != ContainerStatus.RUNNING)) {
			return; // asked for, already handled, or not ours to handle
		}
		if (at != null && b.startedAt != null && at.isBefore(b.startedAt.minusMillis(500))) {
			return; // an event of an earlier run, replayed
		}
		b.pid = 0;
		b.exitedAt = at == null ? n.f.now() : at;
		b.exitCode = code;
		if (n.f.holding()) {
			n.to(ContainerStatus.STOPPED, "the device shuts down");
			return;
		}
		unexpectedStop(n, "died", code, oom);
	}

	private static void unexpectedStop(Next n, String event, Integer code, Boolean oom) {
		MachineState.Builder b = n.b;
		RestartCounts.Decision d = b.restarts.decide(b.config.restart(), n.f.nowMs());
		b.restarts = d.next();
		b.record(new HistoryEntry(n.f.now(), event, code, Signals.of(code), oom, d.text()));
		String how = code == null ? "" : " with exit status " + code + (Signals.of(code) == null ? "" : " (SIG" + Signals.of(code) + ")");
		switch (d.kind()) {
			case RESTART -> {
				n.to(ContainerStatus.RESTARTING, event);
				n.log(Level.WARN, "Container {} stopped unexpectedly{}{}; the manager restarts it in {} s.", n.id(), how,
					Boolean.TRUE.equals(oom) ? " (killed for lack of memory)" : "", d.delayMs() / 1000);
				b.restartPending = true;
				n.act(new Action.ScheduleRestart(d.delayMs()));
			}
			case GIVE_UP -> {
				n.to(ContainerStatus.FAILED, d.text());
				n.log(Level.ERROR, "Container {} stopped unexpectedly{} and the manager gave up on it: {}. It stays stopped until a user starts it.",
					n.id(), how, d.text().substring("gave up: ".length()));
			}
			case NONE -> {
				n.to(ContainerStatus.EXITED, d.text());
				n.log(Level.WARN, "Container {} stopped unexpectedly{}; its restart policy is disabled, so it stays stopped.", n.id(), how);
			}
		}
	}

	// ---------------------------------------------------------------- what the runtime shows

	/** What a look at the runtime showed: the poll, or the first look after the machine was made or its driver came. */
	private static void observed(Next n, Event.Observed o) {
		MachineState.Builder b = n.b;
		if (b.released || o.askedAt() - b.changedAt < 0) {
			return; // asked before the container's last change: says nothing about it now
		}
		boolean first = !b.looked;
		boolean newBoot = first && b.bootPending;
		b.looked = true;
		b.bootPending = false;
		if (!b.config.monitor() && !first) {
			return;
		}
		ContainerState state = o.state();
		if (state == null) {
			if (b.status != ContainerStatus.UNKNOWN) {
				n.log(Level.WARN, "Container {} is gone from {}; the manager cannot start it until it is installed again.", n.id(), b.config.runtime());
			}
			b.pid = 0;
			b.stats = null;
			n.to(ContainerStatus.UNKNOWN, "not in its runtime");
			return;
		}
		if (state.running()) {
			seenRunning(n, state, o, first);
			return;
		}
		b.stats = null;
		switch (b.status) {
			case STARTING, STOPPING, RESTARTING, FAILED -> {
				return; // under way, or given up
			}
			default -> {
			}
		}
		if (b.desired == DesiredState.STOPPED) {
			b.pid = 0;
			n.to(ContainerStatus.STOPPED, "not running, as its user wants");
			return;
		}
		if (b.status == ContainerStatus.EXITED && !first) {
			return;
		}
		// It should run and does not.
		if (newBoot) {
			bootStart(n);
			return;
		}
		if (b.resumeRestart) {
			b.resumeRestart = false;
			n.to(ContainerStatus.RESTARTING, "its driver is back");
			restartNow(n);
			return;
		}
		// Seen stopped for the first time, or while its status was unknown: it stopped while nobody watched (the daemon
		// or its driver was away), an unexpected stop.
		died(n, state.exitCode(), state.oomKilled(), state.finishedAt(), first || b.status == ContainerStatus.UNKNOWN);
	}

	private static void seenRunning(Next n, ContainerState state, Event.Observed o, boolean first) {
		MachineState.Builder b = n.b;
		if (o.stats() != null) {
			b.stats = o.stats();
		}
		if (b.status == ContainerStatus.RUNNING && b.pid == state.pid()) {
			return;
		}
		if (b.status == ContainerStatus.STARTING || b.status == ContainerStatus.STOPPING) {
			return; // an operation is under way on it
		}
		b.pid = state.pid();
		b.startedAt = state.startedAt() != null ? state.startedAt() : b.startedAt;
		cancelRestart(n);
		if (first && b.adoptDesired) {
			b.desired = DesiredState.RUNNING;
		}
		n.to(ContainerStatus.RUNNING, first ? "adopted: it was running" : "seen running");
		if (first) {
			n.log(Level.INFO, "Container {} adopted: it runs with pid {}.", n.id(), state.pid());
		}
	}

	/** Its driver went away: it is reported unknown and nothing is restarted until the driver returns. */
	private static void driverGone(Next n) {
		MachineState.Builder b = n.b;
		b.looked = false;
		if (b.restartPending) {
			b.restartPending = false;
			b.resumeRestart = true;
			n.act(new Action.CancelRestart());
		}
		b.stats = null;
		if (b.status != ContainerStatus.FAILED) {
			n.to(ContainerStatus.UNKNOWN, "its driver is absent");
		}
	}

	// ---------------------------------------------------------------- helpers

	private static boolean driverPresent(Next n) {
		if (!n.f.driverPresent()) {
			n.answer(new SupervisorException(SupervisorException.Kind.UNAVAILABLE,
				"the " + n.b.config.runtime() + " driver is not available (being upgraded?); try again shortly", null));
		}
		return n.f.driverPresent();
	}

	private static void cancelRestart(Next n) {
		n.b.resumeRestart = false;
		if (n.b.restartPending) {
			n.b.restartPending = false;
			n.act(new Action.CancelRestart());
		}
	}

	/** The next state while a step builds it, with what the step asks for. */
	private static final class Next {
		final MachineState.Builder b;
		final Facts f;
		final List<Action> actions = new ArrayList<>();
		final List<String> changes = new ArrayList<>();

		Next(MachineState s, Facts f) {
			this.b = s.change();
			this.f = f;
		}

		String id() {
			return b.config.id();
		}

		/** Sets its status (a change is noted; setting it at all makes older runtime answers stale). */
		void to(ContainerStatus status, String why) {
			if (b.status != status) {
				changes.add(b.status.json() + " -> " + status.json() + " (" + why + ")");
				b.status = status;
			}
			b.changedAt = f.nanos();
		}

		void act(Action a) {
			actions.add(a);
		}

		void log(Level level, String message, Object... args) {
			actions.add(new Action.Log(level, message, args));
		}

		void answer(SupervisorException error) {
			actions.add(new Action.Answer(error));
		}
	}
}
