package cc.container.supervisor.internal;

import static org.assertj.core.api.Assertions.assertThat;

import cc.container.api.ContainerReport;
import cc.container.api.ContainerStatus;
import cc.container.api.DesiredState;
import cc.container.api.config.ContainerConfig;
import cc.container.api.config.RestartPolicy;
import cc.container.api.runtime.ContainerState;
import cc.container.api.runtime.DriverException;
import cc.container.api.runtime.RuntimeStatus;
import cc.container.supervisor.internal.Event.Cause;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The container state machine as a table: a state, an event and the facts of the world give the next status, desired
 * state and what to do. One row per rule of {@link Transitions}.
 */
class TransitionsTest {
	static final Instant NOW = Instant.parse("2026-12-01T12:00:00Z");
	static final Instant STARTED = NOW.minusSeconds(60);
	static final long NOW_MS = 1_000_000;
	static final long NANOS = 5_000;
	static final RestartPolicy POLICY = new RestartPolicy(true, 3, 3, 60);
	static final ContainerConfig CONFIG = new ContainerConfig("app", null, "1", "podman", "", true, true, POLICY).withHealth(
		new cc.container.api.config.HealthCheck(cc.container.api.config.HealthCheck.Type.TCP, null, 80, null, Duration.ofSeconds(10),
			Duration.ofSeconds(2), 3, Duration.ofSeconds(30)));

	/** The world: driver present, not holding, no release under way. */
	static final Transitions.Facts WORLD = new Transitions.Facts(NOW_MS, NOW, NANOS, true, false, false);
	static final Transitions.Facts NO_DRIVER = new Transitions.Facts(NOW_MS, NOW, NANOS, false, false, false);
	static final Transitions.Facts HOLDING = new Transitions.Facts(NOW_MS, NOW, NANOS, true, true, false);
	static final Transitions.Facts RELEASING = new Transitions.Facts(NOW_MS, NOW, NANOS, true, false, true);

	/** A container that runs with pid 42, watched, wanted running. */
	static MachineState running(Consumer<MachineState.Builder> change) {
		MachineState.Builder b = MachineState.initial(CONFIG, DesiredState.RUNNING, null, true).change();
		b.status = ContainerStatus.RUNNING;
		b.pid = 42;
		b.startedAt = STARTED;
		b.looked = true;
		change.accept(b);
		return b.build();
	}

	static Consumer<MachineState.Builder> status(ContainerStatus s) {
		return b -> b.status = s;
	}

	static ContainerState runs(long pid) {
		return new ContainerState("app", RuntimeStatus.RUNNING, pid, null, null, STARTED, null, "1");
	}

	static ContainerState exited(int code) {
		return new ContainerState("app", RuntimeStatus.EXITED, 0, code, false, STARTED, NOW.minusSeconds(1), "1");
	}

	static DriverException failure(DriverException.Kind kind) {
		return new DriverException("podman", kind, "simulated");
	}

	/** One row: given a state, on an event, in a world: the status, desired state and actions expected. */
	record Row(String rule, MachineState given, Event event, Transitions.Facts facts, ContainerStatus status, DesiredState desired,
		List<String> actions) {
	}

	static Row row(String rule, MachineState given, Event event, Transitions.Facts facts, ContainerStatus status, DesiredState desired,
		String... actions) {
		return new Row(rule, given, event, facts, status, desired, List.of(actions));
	}

	/** An action in a word or two, for the table. */
	static String describe(Action a) {
		if (a instanceof Action.Start s) {
			return "start " + s.cause();
		}
		if (a instanceof Action.Stop s) {
			return switch (s.purpose()) {
				case USER -> "stop";
				case SHUTDOWN -> "stop keeping " + s.keep().json();
				case UNHEALTHY -> "stop unhealthy";
			};
		}
		if (a instanceof Action.Query) {
			return "query";
		}
		if (a instanceof Action.ConfirmDeath) {
			return "confirm death";
		}
		if (a instanceof Action.ScheduleRestart r) {
			return "restart in " + r.delayMs() + " ms";
		}
		if (a instanceof Action.CancelRestart) {
			return "cancel restart";
		}
		if (a instanceof Action.Log l) {
			return "log " + l.level();
		}
		Action.Answer answer = (Action.Answer) a;
		return answer.error() == null ? "answer" : "answer " + answer.error().kind();
	}

	static final RestartPolicy DISABLED = new RestartPolicy(false, 3, 3, 60);
	static final RestartPolicy ONE_IN_60 = new RestartPolicy(true, 1, 3, 60);

	@TestFactory
	Stream<DynamicTest> theTable() {
		Duration grace = Duration.ofSeconds(5);
		return Stream.of(
			// a user's operations
			row("a user's start of a stopped container starts it", running(status(ContainerStatus.STOPPED).andThen(b -> b.desired = DesiredState.STOPPED)),
				new Event.UserStart(), WORLD, ContainerStatus.STARTING, DesiredState.RUNNING, "start USER"),
			row("a user's start of a running one asks the runtime first", running(b -> { }), new Event.UserStart(), WORLD, ContainerStatus.RUNNING,
				DesiredState.RUNNING, "query"),
			row("...which shows it running: done", running(b -> { }), new Event.Queried(runs(42)), WORLD, ContainerStatus.RUNNING,
				DesiredState.RUNNING, "answer"),
			row("...which shows it stopped: started", running(b -> { }), new Event.Queried(exited(0)), WORLD, ContainerStatus.STARTING,
				DesiredState.RUNNING, "start USER"),
			row("a start without a driver is refused and changes nothing", running(status(ContainerStatus.STOPPED)), new Event.UserStart(), NO_DRIVER,
				ContainerStatus.STOPPED, DesiredState.RUNNING, "answer UNAVAILABLE"),
			row("a user's stop cancels a pending restart", running(status(ContainerStatus.RESTARTING).andThen(b -> b.restartPending = true)),
				new Event.UserStop(grace), WORLD, ContainerStatus.STOPPING, DesiredState.STOPPED, "cancel restart", "stop"),
			row("a stop that returned: stopped, until a user starts it", running(status(ContainerStatus.STOPPING).andThen(b -> b.desired = DesiredState.STOPPED)),
				new Event.Stopped(Action.Stop.Purpose.USER, null), WORLD, ContainerStatus.STOPPED, DesiredState.STOPPED, "log INFO", "answer"),
			row("a restart's stop that returned: started", running(status(ContainerStatus.STOPPING).andThen(b -> b.startAfterStop = true)),
				new Event.Stopped(Action.Stop.Purpose.USER, null), WORLD, ContainerStatus.STARTING, DesiredState.RUNNING, "log INFO", "start USER"),
			row("a stop of a container the runtime lost: stopped", running(status(ContainerStatus.STOPPING).andThen(b -> b.desired = DesiredState.STOPPED)),
				new Event.StopFailed(failure(DriverException.Kind.NOT_FOUND), Action.Stop.Purpose.USER, null), WORLD, ContainerStatus.STOPPED, DesiredState.STOPPED, "log INFO",
				"answer"),
			row("a stop that failed: unknown, and said", running(status(ContainerStatus.STOPPING).andThen(b -> b.desired = DesiredState.STOPPED)),
				new Event.StopFailed(failure(DriverException.Kind.TIMED_OUT), Action.Stop.Purpose.USER, null), WORLD, ContainerStatus.UNKNOWN, DesiredState.STOPPED, "answer FAILED"),
			row("the shutdown stop keeps the desired state", running(b -> { }), new Event.ShutdownStop(grace), WORLD, ContainerStatus.STOPPING,
				DesiredState.RUNNING, "stop keeping running"),
			row("...and its end too", running(status(ContainerStatus.STOPPING)), new Event.Stopped(Action.Stop.Purpose.SHUTDOWN, DesiredState.RUNNING), WORLD, ContainerStatus.STOPPED,
				DesiredState.RUNNING, "answer"),
			row("the shutdown stop without a driver says so", running(b -> { }), new Event.ShutdownStop(grace), NO_DRIVER, ContainerStatus.RUNNING,
				DesiredState.RUNNING, "answer UNAVAILABLE"),
			row("a release ends a pending restart", running(status(ContainerStatus.RESTARTING).andThen(b -> b.restartPending = true)),
				new Event.Release(), WORLD, ContainerStatus.RESTARTING, DesiredState.RUNNING, "cancel restart", "answer"),

			// deaths
			row("a died event of a running container is confirmed first", running(b -> { }), new Event.Died(137, NOW), WORLD, ContainerStatus.RUNNING,
				DesiredState.RUNNING, "confirm death"),
			row("a died event while it stops is its stop's own", running(status(ContainerStatus.STOPPING)), new Event.Died(137, NOW), WORLD,
				ContainerStatus.STOPPING, DesiredState.RUNNING),
			row("a died event of an unwatched container is ignored", running(b -> b.config = withMonitor(false)), new Event.Died(137, NOW), WORLD,
				ContainerStatus.RUNNING, DesiredState.RUNNING),
			row("a death the runtime denies (same pid runs) is of an earlier run", running(b -> { }), new Event.DeathConfirmed(137, NOW, runs(42)), WORLD,
				ContainerStatus.RUNNING, DesiredState.RUNNING, "log DEBUG"),
			row("a replayed death from before this run is ignored", running(b -> { }), new Event.DeathConfirmed(137, STARTED.minusSeconds(1), null),
				WORLD, ContainerStatus.RUNNING, DesiredState.RUNNING),
			row("an unexpected stop is restarted after retry_delay", running(b -> { }), new Event.DeathConfirmed(137, NOW, exited(137)), WORLD,
				ContainerStatus.RESTARTING, DesiredState.RUNNING, "log WARN", "restart in 3000 ms"),
			row("with its policy disabled it stays exited", running(b -> b.config = withPolicy(DISABLED)), new Event.DeathConfirmed(1, NOW, exited(1)),
				WORLD, ContainerStatus.EXITED, DesiredState.RUNNING, "log WARN"),
			row("past max_retries within the window the policy gives up",
				running(b -> {
					b.config = withPolicy(ONE_IN_60);
					b.restarts = b.restarts.restarted(NOW_MS - 1000, NOW);
				}), new Event.DeathConfirmed(1, NOW, exited(1)), WORLD, ContainerStatus.FAILED, DesiredState.RUNNING, "log ERROR"),
			row("while the device shuts down a death is no unexpected stop", running(b -> { }), new Event.DeathConfirmed(1, NOW, exited(1)), HOLDING,
				ContainerStatus.STOPPED, DesiredState.RUNNING),

			// automatic restarts and starts
			row("a restart falls due: started", running(status(ContainerStatus.RESTARTING).andThen(b -> b.restartPending = true)),
				new Event.RestartDue(), WORLD, ContainerStatus.STARTING, DesiredState.RUNNING, "start RESTART"),
			row("a cancelled restart that fell due anyway does nothing", running(status(ContainerStatus.RESTARTING)), new Event.RestartDue(), WORLD,
				ContainerStatus.RESTARTING, DesiredState.RUNNING),
			row("a restart due without its driver waits for the driver",
				running(status(ContainerStatus.RESTARTING).andThen(b -> b.restartPending = true)), new Event.RestartDue(), NO_DRIVER,
				ContainerStatus.UNKNOWN, DesiredState.RUNNING),
			row("a restart due while the device shuts down: stopped",
				running(status(ContainerStatus.RESTARTING).andThen(b -> b.restartPending = true)), new Event.RestartDue(), HOLDING,
				ContainerStatus.STOPPED, DesiredState.RUNNING),
			row("a restart due while a release is on its way: nothing starts",
				running(status(ContainerStatus.RESTARTING).andThen(b -> b.restartPending = true)), new Event.RestartDue(), RELEASING,
				ContainerStatus.RESTARTING, DesiredState.RUNNING),
			row("a restart that started", running(status(ContainerStatus.STARTING)), new Event.Started(runs(43), Cause.RESTART), WORLD,
				ContainerStatus.RUNNING, DesiredState.RUNNING, "log INFO"),
			row("a user's start after which it does not run is an unexpected stop", running(status(ContainerStatus.STARTING)),
				new Event.Started(exited(1), Cause.USER), WORLD, ContainerStatus.RESTARTING, DesiredState.RUNNING, "log WARN", "restart in 3000 ms",
				"answer"),
			row("a restart that failed counts as an unexpected stop", running(status(ContainerStatus.STARTING)),
				new Event.StartFailed(failure(DriverException.Kind.FAILED), Cause.RESTART, false), WORLD, ContainerStatus.RESTARTING,
				DesiredState.RUNNING, "log WARN", "log WARN", "restart in 3000 ms"),
			row("a restart cut short for a user's operation is no unexpected stop", running(status(ContainerStatus.STARTING)),
				new Event.StartFailed(failure(DriverException.Kind.FAILED), Cause.RESTART, true), WORLD, ContainerStatus.EXITED, DesiredState.RUNNING,
				"log INFO"),
			row("a user's start the runtime refuses is said", running(status(ContainerStatus.STARTING)),
				new Event.StartFailed(failure(DriverException.Kind.NOT_FOUND), Cause.USER, false), WORLD, ContainerStatus.EXITED, DesiredState.RUNNING,
				"answer NOT_FOUND"),

			// what the runtime shows
			row("an answer asked before the last change is stale", running(status(ContainerStatus.STOPPED).andThen(b -> b.changedAt = NANOS)),
				new Event.Observed(runs(42), null, NANOS - 1), WORLD, ContainerStatus.STOPPED, DesiredState.RUNNING),
			row("the first look after a boot starts an autostart container", initial(true, b -> { }), new Event.Observed(exited(0), null, NANOS), WORLD,
				ContainerStatus.STARTING, DesiredState.RUNNING, "start BOOT"),
			row("the first look after a boot starts nothing while the device shuts down", initial(true, b -> { }),
				new Event.Observed(exited(0), null, NANOS), HOLDING, ContainerStatus.UNKNOWN, DesiredState.RUNNING),
			row("the first look after a daemon restart adopts what runs", initial(false, b -> { }), new Event.Observed(runs(42), null, NANOS), WORLD,
				ContainerStatus.RUNNING, DesiredState.RUNNING, "log INFO"),
			row("an entry added by hand that runs is adopted as wanted running",
				initial(false, b -> {
					b.desired = DesiredState.STOPPED;
					b.adoptDesired = true;
				}), new Event.Observed(runs(42), null, NANOS), WORLD, ContainerStatus.RUNNING, DesiredState.RUNNING, "log INFO"),
			row("the first look after a daemon restart: what should run and does not stopped unwatched", initial(false, b -> { }),
				new Event.Observed(exited(2), null, NANOS), WORLD, ContainerStatus.RESTARTING, DesiredState.RUNNING, "log WARN", "restart in 3000 ms"),
			row("a container gone from its runtime is unknown", running(b -> { }), new Event.Observed(null, null, NANOS), WORLD, ContainerStatus.UNKNOWN,
				DesiredState.RUNNING, "log WARN"),
			row("not running, as its user wants: stopped", running(b -> b.desired = DesiredState.STOPPED), new Event.Observed(exited(0), null, NANOS),
				WORLD, ContainerStatus.STOPPED, DesiredState.STOPPED),
			row("the poll sees a death the events missed", running(b -> { }), new Event.Observed(exited(1), null, NANOS), WORLD,
				ContainerStatus.RESTARTING, DesiredState.RUNNING, "log WARN", "restart in 3000 ms"),
			row("its driver is back with a restart due: restarted, no new stop counted",
				running(status(ContainerStatus.UNKNOWN).andThen(b -> {
					b.resumeRestart = true;
					b.looked = false;
				})), new Event.Observed(exited(1), null, NANOS), WORLD, ContainerStatus.STARTING, DesiredState.RUNNING, "start RESTART"),
			row("an unwatched container is looked at once only", running(b -> b.config = withMonitor(false)), new Event.Observed(exited(1), null, NANOS),
				WORLD, ContainerStatus.RUNNING, DesiredState.RUNNING),
			row("a running container seen while it starts is left to its start", running(status(ContainerStatus.STARTING)),
				new Event.Observed(runs(43), null, NANOS), WORLD, ContainerStatus.STARTING, DesiredState.RUNNING),
			row("its driver went: unknown, a pending restart waits for the driver",
				running(status(ContainerStatus.RESTARTING).andThen(b -> b.restartPending = true)), new Event.DriverGone(), WORLD, ContainerStatus.UNKNOWN,
				DesiredState.RUNNING, "cancel restart"),
			row("its driver went: a failed container stays failed", running(status(ContainerStatus.FAILED)), new Event.DriverGone(), WORLD,
				ContainerStatus.FAILED, DesiredState.RUNNING),
			row("a released container ignores what its runtime shows", running(b -> b.released = true), new Event.Observed(exited(1), null, NANOS), WORLD,
				ContainerStatus.RUNNING, DesiredState.RUNNING),

			// health
			row("a passing check: healthy, nothing else", running(b -> { }), probe(true, 0), WORLD, ContainerStatus.RUNNING, DesiredState.RUNNING,
				"log INFO"),
			row("failures within the start period do not count", running(b -> b.startedAt = NOW.minusSeconds(5)), probe(false, 0), WORLD,
				ContainerStatus.RUNNING, DesiredState.RUNNING),
			row("failures below retries change nothing yet", running(b -> b.health = new ContainerReport.Health("healthy", 1, NOW, "x")), probe(false, 0),
				WORLD, ContainerStatus.RUNNING, DesiredState.RUNNING),
			row("the failure that reaches retries is an unexpected stop: stopped, then restarted",
				running(b -> b.health = new ContainerReport.Health("healthy", 2, NOW, "x")), probe(false, 0), WORLD, ContainerStatus.RESTARTING,
				DesiredState.RUNNING, "log WARN", "restart in 3000 ms", "stop unhealthy"),
			row("...and past max_retries the policy gives up and stops it",
				running(b -> {
					b.config = withPolicy(ONE_IN_60);
					b.restarts = b.restarts.restarted(NOW_MS - 1000, NOW);
					b.health = new ContainerReport.Health("healthy", 2, NOW, "x");
				}), probe(false, 0), WORLD, ContainerStatus.FAILED, DesiredState.RUNNING, "log ERROR", "stop unhealthy"),
			row("with its policy disabled an unhealthy container keeps running",
				running(b -> {
					b.config = withPolicy(DISABLED);
					b.health = new ContainerReport.Health("healthy", 2, NOW, "x");
				}), probe(false, 0), WORLD, ContainerStatus.RUNNING, DesiredState.RUNNING, "log WARN"),
			row("further failures after it was acted on add nothing",
				running(b -> b.health = new ContainerReport.Health("unhealthy", 3, NOW, "x")), probe(false, 0), WORLD, ContainerStatus.RUNNING,
				DesiredState.RUNNING),
			row("a check of an earlier run, once stopped, is ignored", running(status(ContainerStatus.STOPPED)), probe(false, 0), WORLD,
				ContainerStatus.STOPPED, DesiredState.RUNNING),
			row("the unhealthy container's stop returned: the restart waits for its timer",
				running(status(ContainerStatus.RESTARTING).andThen(b -> b.restartPending = true)), new Event.Stopped(Action.Stop.Purpose.UNHEALTHY, null),
				WORLD, ContainerStatus.RESTARTING, DesiredState.RUNNING))
			.map(r -> DynamicTest.dynamicTest(r.rule(), () -> {
				Transitions.Step step = Transitions.step(r.given(), r.event(), r.facts());
				assertThat(step.next().status()).as("status").isEqualTo(r.status());
				assertThat(step.next().desired()).as("desired").isEqualTo(r.desired());
				assertThat(step.actions().stream().map(TransitionsTest::describe).toList()).as("actions").isEqualTo(r.actions());
			}));
	}

	static final cc.container.api.config.HealthCheck CHECK = new cc.container.api.config.HealthCheck(cc.container.api.config.HealthCheck.Type.TCP,
		null, 80, null, Duration.ofSeconds(10), Duration.ofSeconds(2), 3, Duration.ofSeconds(30));

	/** A check's result, {@code secondsAgo} before now. */
	static Event.Probed probe(boolean ok, int secondsAgo) {
		return new Event.Probed(ok, ok ? "port 80 accepts connections" : "port 80 refuses connections", NOW.minusSeconds(secondsAgo), CHECK);
	}

	@Test
	void anUnhealthyStopIsRecordedWithTheChecksLastOutput() {
		MachineState s = running(b -> b.health = new ContainerReport.Health("healthy", 2, NOW, "x"));
		Transitions.Step step = Transitions.step(s, probe(false, 0), WORLD);
		assertThat(step.next().history()).singleElement().satisfies(h -> {
			assertThat(h.event()).isEqualTo("unhealthy");
			assertThat(h.detail()).isEqualTo("port 80 refuses connections");
			assertThat(h.decision()).isEqualTo("restart in 3 s (1 of 3 in 60 s)");
		});
		assertThat(step.next().health().status()).isEqualTo("unhealthy");
		assertThat(step.next().health().failingStreak()).isEqualTo(3);
		// Its restart starts it afresh: health is "starting" again.
		MachineState restarted = Transitions.step(Transitions.step(step.next(), new Event.RestartDue(), WORLD).next(),
			new Event.Started(runs(50), Cause.RESTART), WORLD).next();
		assertThat(restarted.health()).isEqualTo(ContainerReport.Health.STARTING);
	}

	static MachineState initial(boolean newBoot, Consumer<MachineState.Builder> change) {
		MachineState.Builder b = MachineState.initial(CONFIG, DesiredState.RUNNING, null, !newBoot).change();
		change.accept(b);
		return b.build();
	}

	static ContainerConfig withMonitor(boolean monitor) {
		return CONFIG.withMonitor(monitor);
	}

	static ContainerConfig withPolicy(RestartPolicy p) {
		return CONFIG.withRestart(p);
	}

	@Test
	void anUnexpectedStopIsRecordedWithItsDecisionAndCounted() {
		Transitions.Step step = Transitions.step(running(b -> { }), new Event.DeathConfirmed(137, NOW, exited(137)), WORLD);
		assertThat(step.next().history()).singleElement().satisfies(h -> {
			assertThat(h.event()).isEqualTo("died");
			assertThat(h.signal()).isEqualTo("KILL");
			assertThat(h.decision()).isEqualTo("restart in 3 s (1 of 3 in 60 s)");
		});
		assertThat(step.next().pid()).isZero();
		assertThat(step.next().exitCode()).isEqualTo(137);
		assertThat(step.next().restartPending()).isTrue();
		assertThat(step.changes()).containsExactly("running -> restarting (died)");
		// The restart counts once it is made, not when it is decided.
		assertThat(step.next().restarts().total()).isZero();
		Transitions.Step due = Transitions.step(step.next(), new Event.RestartDue(), WORLD);
		assertThat(due.next().restarts().total()).isEqualTo(1);
		assertThat(due.next().restarts().lastAt()).isEqualTo(NOW);
	}

	@Test
	void aUserStartClearsAGivenUpPolicy() {
		MachineState failed = running(status(ContainerStatus.FAILED).andThen(b -> b.restarts = new RestartCounts(5, List.of(NOW_MS), true, NOW)));
		Transitions.Step step = Transitions.step(failed, new Event.UserStart(), WORLD);
		assertThat(step.next().restarts().gaveUp()).isFalse();
		assertThat(step.next().restarts().total()).isEqualTo(5);
	}

	@Test
	void theHistoryKeepsTheLastTwentyStops() {
		MachineState s = running(b -> b.config = withPolicy(new RestartPolicy(true, 0, 0, 60)));
		for (int i = 0; i < 25; i++) {
			s = Transitions.step(s, new Event.DeathConfirmed(i, NOW, exited(i)), WORLD).next();
			s = Transitions.step(s, new Event.RestartDue(), WORLD).next();
			s = Transitions.step(s, new Event.Started(runs(100 + i), Cause.RESTART), WORLD).next();
		}
		assertThat(s.history()).hasSize(MachineState.HISTORY).first().satisfies(h -> assertThat(h.exitCode()).isEqualTo(5));
	}

	@Test
	void aStepNeverChangesTheStateItWasGiven() {
		MachineState given = running(b -> { });
		Transitions.step(given, new Event.DeathConfirmed(1, NOW, exited(1)), WORLD);
		assertThat(given.status()).isEqualTo(ContainerStatus.RUNNING);
		assertThat(given.history()).isEmpty();
	}
}
