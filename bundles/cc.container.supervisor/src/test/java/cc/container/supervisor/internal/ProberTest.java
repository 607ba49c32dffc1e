package cc.container.supervisor.internal;

import static org.assertj.core.api.Assertions.assertThat;

import cc.container.api.ContainerStatus;
import cc.container.api.DesiredState;
import cc.container.api.config.ContainerConfig;
import cc.container.api.config.HealthCheck;
import cc.container.api.config.RestartPolicy;
import cc.container.testing.Await;
import cc.container.testing.TestLogger;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * When the health checks run, on a hand-moved clock: a check runs when it is due, not a look later; between two checks
 * the prober sleeps (one timer, set for the next check); a wake-up never puts off a look planned sooner; with no check
 * to run, no timer is set at all. The checks themselves on real containers are in HealthTest.
 */
class ProberTest {
	/** The seconds on the prober's clock at which the driver was asked to run a check. */
	final List<Double> ran = new CopyOnWriteArrayList<>();
	final VirtualClock clock = new VirtualClock();
	final long start = clock.now;
	final FakeDriver driver = new FakeDriver("podman", "app", "quiet") {
		@Override
		public ExecResult exec(String id, List<String> argv, Duration timeout) {
			ran.add((clock.now - start) / 1000.0);
			return new ExecResult(0, "ok");
		}
	};
	final DriverWhiteboard drivers = new DriverWhiteboard();
	Prober prober;

	ProberTest() {
		drivers.add(driver);
	}

	@AfterEach
	void close() {
		if (prober != null) {
			prober.close();
		}
	}

	/**
	 * A running, monitored container of {@code runtime} with a command check every {@code intervalSeconds} (null: none;
	 * a Podman container without a check of its own runs its image's, which the fake driver's image has not).
	 */
	ContainerMachine running(String id, String runtime, Integer intervalSeconds) throws Exception {
		HealthCheck check = intervalSeconds == null ? null
			: new HealthCheck(HealthCheck.Type.COMMAND, "true", 0, null, Duration.ofSeconds(intervalSeconds), Duration.ofSeconds(5), 3, Duration.ZERO);
		ContainerConfig c = new ContainerConfig(id, null, "1", runtime, "", true, true, RestartPolicy.DEFAULT, null, null, check, false);
		ContainerMachine m = new ContainerMachine(new TestContext(driver, clock), c, DesiredState.RUNNING, null, true, false);
		m.await(m.submit(new Event.UserStart()), Duration.ZERO);
		assertThat(m.report().status()).isEqualTo(ContainerStatus.RUNNING);
		return m;
	}

	/**
	 * Moves the clock by {@code seconds}; then waits for {@code checksBy} checks in all and a look planned (a check runs
	 * on the prober's own threads, and plans the look after it as it ends). Each move ends where a check is due, if one
	 * is, so that the clock stands still while it runs.
	 */
	void advance(double seconds, int checksBy) throws Exception {
		clock.advance(seconds);
		Await.until(checksBy + " checks and the look planned after them", Duration.ofSeconds(10),
			() -> ran.size() == checksBy && clock.pending());
	}

	@Test
	void aCheckRunsWhenDueAndTheProberSleepsUntilThen() throws Exception {
		ContainerMachine m = running("app", "podman", 10);
		prober = new Prober(drivers, () -> List.of(m), clock, TestLogger.create());
		assertThat(clock.nextDueSeconds()).isEqualTo(1.0); // a first look a second after the start
		advance(1, 1); // the first check, then a look a second after it ended
		assertThat(clock.nextDueSeconds()).isEqualTo(1.0);
		advance(1, 1);
		// That look found the next check due 9 s from now: one timer, for then.
		assertThat(clock.nextDueSeconds()).isEqualTo(9.0);
		int looks = clock.runs;
		advance(8.999, 1);
		assertThat(clock.runs).as("looks while nothing is due").isEqualTo(looks);
		advance(0.001, 2);
		advance(1, 2);
		assertThat(clock.nextDueSeconds()).isEqualTo(9.0);
		advance(9, 3);
		assertThat(ran).containsExactly(1.0, 11.0, 21.0);
	}

	@Test
	void aWakeUpNeverPutsOffALookPlannedSooner() throws Exception {
		ContainerMachine m = running("app", "podman", 10);
		prober = new Prober(drivers, () -> List.of(m), clock, TestLogger.create());
		advance(1, 1);
		advance(1, 1);
		assertThat(clock.nextDueSeconds()).isEqualTo(9.0);
		// A change (a poll's statistics, a check's end) wakes it: a look a second later, and the check still when due.
		prober.wake();
		assertThat(clock.nextDueSeconds()).isEqualTo(1.0);
		advance(1, 1);
		assertThat(clock.nextDueSeconds()).isEqualTo(8.0);
		advance(7.5, 1);
		prober.wake(); // 0.5 s before the check is due: the look stays then
		assertThat(clock.nextDueSeconds()).isEqualTo(0.5);
		advance(0.5, 2);
		// 1.8 s before the next one is due: a look a second later, which plans the next for when it is due.
		advance(1, 2);
		advance(7.2, 2);
		prober.wake();
		assertThat(clock.nextDueSeconds()).isEqualTo(1.0);
		advance(1, 2);
		assertThat(clock.nextDueSeconds()).isEqualTo(0.8);
		advance(0.8, 3);
		assertThat(ran).containsExactly(1.0, 11.0, 21.0);
	}

	@Test
	void withNoCheckToRunNoTimerIsSet() throws Exception {
		ContainerMachine quiet = running("quiet", "lxc", null);
		prober = new Prober(drivers, () -> List.of(quiet), clock, TestLogger.create());
		clock.advance(1);
		assertThat(clock.pending()).isFalse();
		assertThat(ran).isEmpty();
	}

	@Test
	void aPodmanContainerWhoseImageHasNoCheckSetsNoTimerOnceItsImageWasAsked() throws Exception {
		ContainerMachine quiet = running("quiet", "podman", null);
		prober = new Prober(drivers, () -> List.of(quiet), clock, TestLogger.create());
		advance(1, 0); // its image asked on the prober's threads, then a look a second later
		clock.advance(1);
		assertThat(clock.pending()).isFalse();
		assertThat(ran).isEmpty();
	}
}
