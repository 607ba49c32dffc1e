package cc.container.supervisor.internal;

import static org.assertj.core.api.Assertions.assertThat;

import cc.container.api.ContainerStatus;
import cc.container.api.config.ContainerConfig;
import cc.container.api.config.DaemonConfig;
import cc.container.api.config.RestartPolicy;
import cc.container.api.runtime.ContainerState;
import cc.container.config.internal.StoreConfiguration;
import cc.container.testing.Await;
import cc.container.testing.TestConfig;
import cc.container.testing.TestLogger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A container whose entry is removed and put back is supervised again, also when the release that the removing
 * reload posted finishes after that reload (its machine was busy): the reload that finds the entry back replaces the
 * released machine. The order is held, not hoped for: the machine is kept busy by a question to its runtime that the
 * test holds, and the poll, which would also drop the released machine, is held for the whole test. And a machine the
 * installer released (its entry still there) is not replaced: the installer holds it while it works.
 */
class ReloadReleaseTest {
	private static final Duration WAIT = Duration.ofSeconds(30);

	@TempDir
	Path dir;

	private final CountDownLatch pollHold = new CountDownLatch(1);
	private final CountDownLatch pollEntered = new CountDownLatch(1);
	private final CountDownLatch lookHold = new CountDownLatch(1);
	private final CountDownLatch lookEntered = new CountDownLatch(1);
	private final AtomicBoolean lookArmed = new AtomicBoolean();
	private final ContainerConfig c1 = new ContainerConfig("c1", null, "1", "podman", "", false, true, RestartPolicy.DEFAULT);
	private StoreConfiguration store;

	/** A supervisor of c1 whose polls are held from the first one on, and whose next other question can be held. */
	private SupervisorImpl supervisor() throws Exception {
		FakeDriver driver = new FakeDriver("podman", "c1") {
			@Override
			public Map<String, ContainerState> states() {
				try {
					if (Thread.currentThread().getName().startsWith("cc-supervisor-poll")) {
						pollEntered.countDown();
						pollHold.await(); // no poll completes during the test
					} else if (lookArmed.compareAndSet(true, false)) {
						lookEntered.countDown();
						lookHold.await(); // the machine's own question, held
					}
				} catch (InterruptedException e) {
					Thread.currentThread().interrupt();
				}
				return super.states();
			}
		};
		DaemonConfig config = TestConfig.daemon(dir, null, Duration.ofSeconds(5));
		store = new StoreConfiguration(config.service().containersFile());
		store.put(c1);
		Path boot = Files.writeString(dir.resolve("boot_id"), "b\n");
		DriverWhiteboard drivers = new DriverWhiteboard();
		drivers.add(driver);
		SupervisorImpl s = new SupervisorImpl(new TestHost(boot, Map.of()), TestConfig.service(config), store, drivers, TestLogger.create());
		// The first poll is held (its refresh of the machines ran before its question); the driver's arrival asks the
		// runtime once more, not on the poll's thread: wait for both.
		assertThat(pollEntered.await(WAIT.toSeconds(), TimeUnit.SECONDS)).as("the poll held").isTrue();
		Await.until("c1 looked at", WAIT, () -> s.container("c1").map(r -> r.status() != ContainerStatus.UNKNOWN).orElse(false));
		return s;
	}

	@Test
	void anEntryPutBackAfterALateReleaseIsSupervisedAgain() throws Exception {
		SupervisorImpl s = supervisor();
		Thread manage = null;
		try {
			// Taken over again (as the installer does): its new machine asks the runtime, and the test holds the answer.
			lookArmed.set(true);
			manage = new Thread(() -> {
				try {
					s.manage("c1", false);
				} catch (Exception e) {
					// the assertions below tell
				}
			});
			manage.start();
			assertThat(lookEntered.await(WAIT.toSeconds(), TimeUnit.SECONDS)).as("the machine's question asked").isTrue();

			// The entry goes: the reload posts the release, which waits behind the held question.
			store.remove("c1");
			s.reload();
			assertThat(s.releasedButKept("c1")).as("released only once its machine is free").isFalse();

			// The question is answered: the release finishes after the reload, and the released machine stays.
			lookHold.countDown();
			manage.join(WAIT.toMillis());
			Await.until("c1's machine released", WAIT, () -> s.releasedButKept("c1"));

			// The entry comes back: the reload supervises it again.
			store.put(c1);
			s.reload();
			assertThat(s.container("c1")).as("c1 supervised again").isPresent();
			assertThat(s.releasedButKept("c1")).isFalse();
		} finally {
			lookHold.countDown();
			pollHold.countDown();
			if (manage != null) {
				manage.join(WAIT.toMillis());
			}
			s.deactivate();
		}
	}

	@Test
	void aContainerTheInstallerHoldsStaysReleasedWhileItsEntryStays() throws Exception {
		SupervisorImpl s = supervisor();
		try {
			s.release("c1"); // as an update does before it stops, renames and unpacks the container
			s.reload(); // the same refresh of the machines as every poll's
			assertThat(s.releasedButKept("c1")).as("still held for the installer").isTrue();
			assertThat(s.container("c1")).isEmpty();
		} finally {
			pollHold.countDown();
			s.deactivate();
		}
	}
}
