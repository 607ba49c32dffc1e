package cc.container.supervisor.internal;

import static org.assertj.core.api.Assertions.assertThat;

import cc.container.api.config.ContainerConfig;
import cc.container.api.config.DaemonConfig;
import cc.container.api.config.RestartPolicy;
import cc.container.api.runtime.ContainerState;
import cc.container.config.internal.StoreConfiguration;
import cc.container.testing.Await;
import cc.container.testing.TestConfig;
import cc.container.testing.TestLogger;
import cc.container.util.net.UnixDatagram;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The supervision loop does not end or hang silently: a poll that does not complete is reported, and its end too; and
 * systemd's watchdog, on a notification socket of the test's own, is told READY once the loop runs, pinged while it
 * lives, and not pinged while it is stalled.
 */
class SupervisionLivenessTest {
	@TempDir
	Path dir;

	@Test
	void aPollThatHangsIsReportedAndStopsTheWatchdogsPingsUntilItEnds() throws Exception {
		CountDownLatch release = new CountDownLatch(1);
		AtomicBoolean hang = new AtomicBoolean();
		FakeDriver hanging = new FakeDriver("podman", "c1") {
			@Override
			public Map<String, ContainerState> states() {
				if (hang.get()) {
					try {
						release.await(); // a runtime tool that never answers, and a timeout that failed to kill it
					} catch (InterruptedException e) {
						Thread.currentThread().interrupt();
					}
				}
				return super.states();
			}
		};
		DaemonConfig config = TestConfig.daemon(dir, null, Duration.ofSeconds(1));
		StoreConfiguration store = new StoreConfiguration(config.service().containersFile());
		store.put(new ContainerConfig("c1", null, "1", "podman", "", false, true, RestartPolicy.DEFAULT));
		Path boot = Files.writeString(dir.resolve("boot_id"), "b\n");
		Path notify = dir.resolve("notify.sock");
		List<String> log = new CopyOnWriteArrayList<>();
		List<String> told = new CopyOnWriteArrayList<>();
		DriverWhiteboard drivers = new DriverWhiteboard();
		drivers.add(hanging);
		try (UnixDatagram systemd = UnixDatagram.bind(notify)) {
			Thread reader = new Thread(() -> {
				while (!Thread.currentThread().isInterrupted()) {
					try {
						byte[] d = systemd.poll();
						if (d == null) {
							Thread.sleep(5);
						} else {
							told.add(new String(d, StandardCharsets.UTF_8));
						}
					} catch (Exception e) {
						return;
					}
				}
			});
			reader.start();
			// a ping every 200 ms
			SupervisorImpl s = new SupervisorImpl(new TestHost(boot, Map.of("NOTIFY_SOCKET", notify.toString(), "WATCHDOG_USEC", "400000")),
				TestConfig.service(config), store, drivers, TestLogger.into(log));
			try {
				Await.until("READY and pings", Duration.ofSeconds(30), () -> told.contains("READY=1\nSTATUS=supervising")
					&& told.stream().filter("WATCHDOG=1"::equals).count() >= 3);
				hang.set(true);
				// monitor_interval 1 s, command_timeout 1 s: the loop counts as stalled after 3 + 2 s without a poll.
				Await.until("the stall reported", Duration.ofSeconds(30), () -> log.stream().anyMatch(l -> l.startsWith("ERROR")
					&& l.contains("The supervision loop has completed no poll for") && l.contains("a poll is running in")));
				Await.until("the watchdog silent", Duration.ofSeconds(10), () -> log.stream().anyMatch(l -> l.contains("no longer pinged")));
				assertThat(s.supervising()).isFalse();
				long pings = told.stream().filter("WATCHDOG=1"::equals).count();
				Thread.sleep(1000); // five ping periods: none may come (this waits for an absence, it checks nothing by itself)
				assertThat(told.stream().filter("WATCHDOG=1"::equals).count()).as("pings while stalled").isEqualTo(pings);
				release.countDown();
				Await.until("the loop's recovery reported", Duration.ofSeconds(30),
					() -> log.stream().anyMatch(l -> l.contains("The supervision loop completes its polls again.")));
				Await.until("pings again", Duration.ofSeconds(10), () -> told.stream().filter("WATCHDOG=1"::equals).count() > pings);
				assertThat(s.supervising()).isTrue();
			} finally {
				release.countDown();
				s.deactivate();
			}
			reader.interrupt();
			reader.join();
		}
	}
}
