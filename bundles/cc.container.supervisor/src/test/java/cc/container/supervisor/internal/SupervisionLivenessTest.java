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
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The supervision loop does not end or hang silently: a poll that does not complete is reported, and its end too. */
class SupervisionLivenessTest {
	@TempDir
	Path dir;

	@Test
	void aPollThatHangsIsReportedWithWhereItHangsAndItsEndToo() throws Exception {
		CountDownLatch release = new CountDownLatch(1);
		FakeDriver hanging = new FakeDriver("podman", "c1") {
			@Override
			public Map<String, ContainerState> states() {
				try {
					release.await(); // a runtime tool that never answers, and a timeout that failed to kill it
				} catch (InterruptedException e) {
					Thread.currentThread().interrupt();
				}
				return super.states();
			}
		};
		DaemonConfig config = TestConfig.daemon(dir, null, Duration.ofSeconds(1));
		StoreConfiguration store = new StoreConfiguration(config.service().containersFile());
		store.put(new ContainerConfig("c1", null, "1", "podman", "", false, true, RestartPolicy.DEFAULT));
		Path boot = Files.writeString(dir.resolve("boot_id"), "b\n");
		List<String> log = new CopyOnWriteArrayList<>();
		DriverWhiteboard drivers = new DriverWhiteboard();
		SupervisorImpl s = new SupervisorImpl(new SupervisorImpl.Host() {
			@Override
			public String property(String name) {
				return null;
			}

			@Override
			public String version() {
				return "1";
			}

			@Override
			public Path bootIdFile() {
				return boot;
			}
		}, TestConfig.service(config), store, drivers, TestLogger.into(log));
		try {
			drivers.add(hanging);
			// monitor_interval 1 s, command_timeout 1 s: the loop counts as stalled after 3 + 2 s without a poll.
			Await.until("the stall reported", Duration.ofSeconds(30), () -> log.stream().anyMatch(l -> l.startsWith("ERROR")
				&& l.contains("The supervision loop has completed no poll for") && l.contains("a poll is running in")));
			assertThat(s.supervising()).isFalse();
			release.countDown();
			Await.until("the loop's recovery reported", Duration.ofSeconds(30),
				() -> log.stream().anyMatch(l -> l.contains("The supervision loop completes its polls again.")));
			assertThat(s.supervising()).isTrue();
		} finally {
			release.countDown();
			s.deactivate();
		}
	}
}
