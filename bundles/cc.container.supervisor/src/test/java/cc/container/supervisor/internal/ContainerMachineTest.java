package cc.container.supervisor.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import cc.container.api.ContainerReport;
import cc.container.api.ContainerStatus;
import cc.container.api.DesiredState;
import cc.container.api.config.ContainerConfig;
import cc.container.api.config.RestartPolicy;
import cc.container.api.runtime.DriverException;
import cc.container.testing.Await;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * The state machine of one container on a fake runtime and a hand-driven clock: what the restart policy does, to the
 * second, without real containers (those are in SupervisorRuntimeTest).
 */
class ContainerMachineTest {
	final FakeDriver driver = new FakeDriver("podman", "app");
	final TestContext ctx = new TestContext(driver);
	final List<String> log = ctx.log;
	final VirtualClock clock = ctx.clock;

	/** Advances the clock by {@code seconds}, running the timers that fall due. */
	void advance(double seconds) {
		clock.advance(seconds);
	}

	ContainerMachine machine(RestartPolicy policy, boolean monitor) throws Exception {
		ContainerConfig c = new ContainerConfig("app", null, "1", "podman", "", true, monitor, policy);
		ContainerMachine m = new ContainerMachine(ctx, c, DesiredState.RUNNING, null, true, false);
		m.await(m.submit(new Event.UserStart()), Duration.ZERO);
		return m;
	}

	void crash(ContainerMachine m) {
		driver.crash("app", 137);
		m.post(new Event.Died(137, Instant.now()));
	}

	ContainerReport report(ContainerMachine m) {
		return m.report();
	}

	@Test
	void aCrashIsRestartedAfterTheRetryDelayExactly() throws Exception {
		ContainerMachine m = machine(new RestartPolicy(true, 3, 3, 60), true);
		assertThat(driver.startsOf("app")).isEqualTo(1);
		crash(m);
		assertThat(report(m).status()).isEqualTo(ContainerStatus.RESTARTING);
		advance(2.999);
		assertThat(driver.startsOf("app")).isEqualTo(1);
		advance(0.001);
		assertThat(driver.startsOf("app")).isEqualTo(2);
		assertThat(report(m).status()).isEqualTo(ContainerStatus.RUNNING);
		assertThat(report(m).restarts().total()).isEqualTo(1);
		assertThat(report(m).restarts().inWindow()).isEqualTo(1);
		assertThat(report(m).history()).singleElement().satisfies(h -> {
			assertThat(h.event()).isEqualTo("died");
			assertThat(h.exitCode()).isEqualTo(137);
			assertThat(h.signal()).isEqualTo("KILL");
			assertThat(h.decision()).isEqualTo("restart in 3 s (1 of 3 in 60 s)");
		});
	}

	@Test
	void aContainerThatKeepsDyingIsRestartedMaxRetriesTimesThenFailed() throws Exception {
		ContainerMachine m = machine(new RestartPolicy(true, 3, 1, 60), true);
		for (int i = 0; i < 3; i++) {
			crash(m);
			advance(1);
		}
		crash(m);
		advance(10);
		assertThat(driver.startsOf("app")).isEqualTo(1 + 3);
		assertThat(report(m).status()).isEqualTo(ContainerStatus.FAILED);
		assertThat(report(m).restarts().gaveUp()).isTrue();
		assertThat(report(m).history()).last().satisfies(h -> assertThat(h.decision()).startsWith("gave up: 3 restarts within 60 s"));
		assertThat(log).anyMatch(l -> l.startsWith("ERROR Container {} stopped unexpectedly{} and the manager gave up on it"));
		// Nothing more happens by itself...
		advance(3600);
		assertThat(driver.startsOf("app")).isEqualTo(4);
		// ...until a user starts it, which clears the count.
		m.await(m.submit(new Event.UserStart()), Duration.ZERO);
		assertThat(report(m).status()).isEqualTo(ContainerStatus.RUNNING);
		assertThat(report(m).restarts().gaveUp()).isFalse();
		crash(m);
		advance(1);
		assertThat(report(m).status()).isEqualTo(ContainerStatus.RUNNING);
	}

	@Test
	void crashesSpreadBeyondTheWindowAreRestartedForever() throws Exception {
		ContainerMachine m = machine(new RestartPolicy(true, 2, 0, 10), true);
		for (int i = 0; i < 10; i++) {
			crash(m);
			advance(6);
		}
		// Restarts are 6 s apart: a crash never sees more than one restart within the last 10 s, below max_retries 2.
		assertThat(report(m).status()).isEqualTo(ContainerStatus.RUNNING);
		assertThat(report(m).restarts().total()).isEqualTo(10);
	}

	@Test
	void aRestartAttemptThatFailsCountsAsARetry() throws Exception {
		ContainerMachine m = machine(new RestartPolicy(true, 2, 1, 60), true);
		driver.failStarts.add("app");
		crash(m);
		advance(1); // attempt 1 fails -> counted, retried in 1 s
		advance(1); // attempt 2 fails -> counted: 2 in the window: gives up
		advance(10);
		assertThat(driver.startsOf("app")).isEqualTo(1 + 2);
		assertThat(report(m).status()).isEqualTo(ContainerStatus.FAILED);
		assertThat(report(m).history()).extracting(h -> h.event()).containsExactly("died", "start-failed", "start-failed");
	}

	@Test
	void aUserStopIsNeverUndoneAndCancelsAPendingRestart() throws Exception {
		ContainerMachine m = machine(new RestartPolicy(true, 0, 5, 60), true);
		crash(m);
		assertThat(report(m).status()).isEqualTo(ContainerStatus.RESTARTING);
		m.await(m.submit(new Event.UserStop(Duration.ofSeconds(1))), Duration.ZERO);
		advance(60);
		assertThat(driver.startsOf("app")).isEqualTo(1);
		assertThat(report(m).status()).isEqualTo(ContainerStatus.STOPPED);
		assertThat(report(m).desired()).isEqualTo(DesiredState.STOPPED);
		// Its death (the stop's own) is no unexpected stop.
		m.post(new Event.Died(137, Instant.now()));
		m.post(new Event.Observed(driver.states().get("app"), null, System.nanoTime()));
		advance(60);
		assertThat(driver.startsOf("app")).isEqualTo(1);
		assertThat(report(m).history()).hasSize(1);
	}

	@Test
	void disabledPolicyLeavesItExited() throws Exception {
		ContainerMachine m = machine(new RestartPolicy(false, 3, 0, 60), true);
		crash(m);
		advance(60);
		assertThat(report(m).status()).isEqualTo(ContainerStatus.EXITED);
		assertThat(driver.startsOf("app")).isEqualTo(1);
	}

	@Test
	void monitorOffMeansNeitherPolledNorRestarted() throws Exception {
		ContainerMachine m = machine(new RestartPolicy(true, 0, 0, 60), false);
		crash(m);
		m.post(new Event.Observed(driver.states().get("app"), null, System.nanoTime()));
		advance(60);
		assertThat(driver.startsOf("app")).isEqualTo(1);
		assertThat(report(m).status()).isEqualTo(ContainerStatus.RUNNING); // last known: nobody looks
	}

	@Test
	void thePollIsTheSafetyNetForAMissedEvent() throws Exception {
		ContainerMachine m = machine(new RestartPolicy(true, 3, 0, 60), true);
		driver.crash("app", 1);
		m.post(new Event.Observed(driver.states().get("app"), null, System.nanoTime()));
		advance(0);
		assertThat(driver.startsOf("app")).isEqualTo(2);
		assertThat(report(m).history()).singleElement().satisfies(h -> assertThat(h.exitCode()).isEqualTo(1));
	}

	@Test
	void theEventAndThePollOfOneDeathCountOnce() throws Exception {
		ContainerMachine m = machine(new RestartPolicy(true, 3, 5, 60), true);
		crash(m);
		m.post(new Event.Observed(driver.states().get("app"), null, System.nanoTime()));
		advance(5);
		assertThat(driver.startsOf("app")).isEqualTo(2);
		assertThat(report(m).restarts().total()).isEqualTo(1);
	}

	@Test
	void aDriverThatGoesAwayFreezesSupervisionAndItsReturnResumesIt() throws Exception {
		ContainerMachine m = machine(new RestartPolicy(true, 3, 5, 60), true);
		crash(m);
		ctx.driver = null;
		m.post(new Event.DriverGone());
		assertThat(report(m).status()).isEqualTo(ContainerStatus.UNKNOWN);
		advance(60);
		assertThat(driver.startsOf("app")).isEqualTo(1);
		assertThatThrownBy(() -> m.await(m.submit(new Event.UserStart()), Duration.ZERO)).hasMessageContaining("driver is not available");
		ctx.driver = driver;
		m.post(new Event.Observed(driver.states().get("app"), null, System.nanoTime()));
		advance(0);
		assertThat(driver.startsOf("app")).isEqualTo(2);
		assertThat(report(m).restarts().total()).isEqualTo(1);
		assertThat(report(m).history()).hasSize(1);
	}

	@Test
	void afterADaemonRestartARunningContainerIsAdoptedAsItIs() throws Exception {
		driver.start("app");
		long pid = driver.states().get("app").pid();
		ContainerConfig c = new ContainerConfig("app", null, "1", "podman", "", true, true, new RestartPolicy(true, 3, 0, 60));
		ContainerMachine m = new ContainerMachine(ctx, c, DesiredState.RUNNING, null, true, false);
		m.post(new Event.Observed(driver.states().get("app"), null, System.nanoTime()));
		assertThat(report(m).status()).isEqualTo(ContainerStatus.RUNNING);
		assertThat(report(m).pid()).isEqualTo(pid);
		assertThat(driver.startsOf("app")).isEqualTo(1);
	}

	@Test
	void afterABootAnAutostartContainerIsStarted() throws Exception {
		ContainerConfig c = new ContainerConfig("app", null, "1", "podman", "", true, true, new RestartPolicy(true, 3, 0, 60));
		ContainerMachine m = new ContainerMachine(ctx, c, DesiredState.RUNNING, null, false, false);
		m.post(new Event.Observed(driver.states().get("app"), null, System.nanoTime()));
		assertThat(report(m).status()).isEqualTo(ContainerStatus.RUNNING);
		assertThat(report(m).restarts().total()).isZero();
		assertThat(report(m).history()).isEmpty();
	}

	@Test
	void afterADaemonRestartAContainerThatShouldRunButDoesNotIsAnUnexpectedStop() throws Exception {
		driver.crash("app", 2);
		ContainerConfig c = new ContainerConfig("app", null, "1", "podman", "", true, true, new RestartPolicy(true, 3, 0, 60));
		ContainerMachine m = new ContainerMachine(ctx, c, DesiredState.RUNNING, null, true, false);
		m.post(new Event.Observed(driver.states().get("app"), null, System.nanoTime()));
		advance(0);
		assertThat(driver.startsOf("app")).isEqualTo(1);
		assertThat(report(m).restarts().total()).isEqualTo(1);
		assertThat(report(m).history()).singleElement().satisfies(h -> assertThat(h.exitCode()).isEqualTo(2));
	}

	@Test
	void aLateDiedEventOfTheRunBeforeARestartIsIgnored() throws Exception {
		ContainerMachine m = machine(new RestartPolicy(true, 3, 0, 60), true);
		m.await(m.submit(new Event.UserRestart(Duration.ofSeconds(1))), Duration.ZERO);
		long pid = report(m).pid();
		// The runtime writes the first run's death after the second run started, stamped now.
		m.post(new Event.Died(137, Instant.now().plusSeconds(1)));
		advance(10);
		assertThat(report(m).status()).isEqualTo(ContainerStatus.RUNNING);
		assertThat(report(m).pid()).isEqualTo(pid).isPositive();
		assertThat(report(m).history()).isEmpty();
		assertThat(driver.startsOf("app")).isEqualTo(2);
	}

	@Test
	void aReplayedEventOfAnEarlierRunIsIgnored() throws Exception {
		ContainerMachine m = machine(new RestartPolicy(true, 3, 0, 60), true);
		m.post(new Event.Died(137, Instant.now().minusSeconds(3600)));
		advance(10);
		assertThat(report(m).status()).isEqualTo(ContainerStatus.RUNNING);
		assertThat(report(m).history()).isEmpty();
	}

	@Test
	void aUserStopCutsShortAnAutomaticRestartInFlight() throws Exception {
		CountDownLatch entered = new CountDownLatch(1);
		AtomicBoolean interrupted = new AtomicBoolean();
		AtomicBoolean hang = new AtomicBoolean();
		FakeDriver slow = new FakeDriver("podman", "app") {
			@Override
			public void start(String id) throws DriverException {
				if (hang.get()) {
					entered.countDown();
					try {
						Thread.sleep(60_000); // a runtime that takes the whole command timeout to start it
					} catch (InterruptedException e) {
						interrupted.set(true);
						throw new DriverException(runtime, DriverException.Kind.FAILED, "interrupted");
					}
				}
				super.start(id);
			}
		};
		ctx.driver = slow;
		ExecutorService threads = Executors.newCachedThreadPool();
		ctx.pool = threads;
		try {
			ContainerMachine m = machine(new RestartPolicy(true, 3, 1, 60), true);
			hang.set(true);
			slow.crash("app", 1);
			m.post(new Event.Died(1, Instant.now()));
			Await.until("the restart to be scheduled", Duration.ofSeconds(10), () -> clock.pending());
			advance(1); // the restart starts, and hangs
			assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();
			assertThat(report(m).status()).isEqualTo(ContainerStatus.STARTING);
			// The stop is not kept waiting for the start (it would be: 60 s against an await of 10 s), but the start
			// gets its grace to finish first: it is interrupted only when that has passed.
			java.util.concurrent.CompletableFuture<ContainerReport> stop = m.submit(new Event.UserStop(Duration.ofSeconds(1)));
			Thread.sleep(200);
			assertThat(interrupted).as("interrupted within its grace").isFalse();
			advance(ContainerMachine.CUT_SHORT_GRACE_MS / 1000);
			ContainerReport stopped = m.await(stop, Duration.ZERO);
			assertThat(interrupted).isTrue();
			assertThat(stopped.status()).isEqualTo(ContainerStatus.STOPPED);
			assertThat(stopped.desired()).isEqualTo(DesiredState.STOPPED);
			assertThat(stopped.history()).hasSize(1); // the cut-short start is no new unexpected stop
			assertThat(log).anyMatch(l -> l.startsWith("INFO Container {}: its {} was cut short by a user's operation."));
		} finally {
			threads.shutdownNow();
		}
	}
}
