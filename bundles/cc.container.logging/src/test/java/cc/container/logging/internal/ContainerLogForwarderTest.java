package cc.container.logging.internal;

import static org.assertj.core.api.Assertions.assertThat;

import cc.container.api.ContainerReport;
import cc.container.api.ContainerStatus;
import cc.container.api.DesiredState;
import cc.container.api.Supervisor;
import cc.container.api.config.ContainerConfig;
import cc.container.api.config.ContainersConfiguration;
import cc.container.api.config.DaemonConfig;
import cc.container.api.config.LoggingSettings;
import cc.container.api.config.RestartPolicy;
import cc.container.testing.Await;
import cc.container.testing.TestConfig;
import cc.container.testing.TestLogger;
import cc.container.util.net.UnixDatagram;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Containers' output forwarded to a real datagram socket standing for the system logger: tagged with the container's
 * id, only for the containers that ask, and rate-limited with the dropped lines counted.
 */
class ContainerLogForwarderTest {
	@TempDir
	Path dir;

	static final RestartPolicy P = RestartPolicy.DEFAULT;
	final List<ContainerConfig> entries = List.of(new ContainerConfig("chatty", null, "1", "podman", "", true, true, P).withForwardLogs(true),
		new ContainerConfig("quiet", null, "1", "podman", "", true, true, P));
	final List<Consumer<String>> sinks = new CopyOnWriteArrayList<>();
	final List<String> followed = new CopyOnWriteArrayList<>();

	Supervisor supervisor() {
		return (Supervisor) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] { Supervisor.class }, (p, m, a) -> switch (m.getName()) {
			case "container" -> Optional.of(new ContainerReport((String) a[0], null, "podman", "1", DesiredState.RUNNING, ContainerStatus.RUNNING, 42,
				null, null, null, new ContainerReport.Restarts(0, 0, null, false), null, List.of()));
			case "followLogs" -> {
				followed.add((String) a[0]);
				@SuppressWarnings("unchecked")
				Consumer<String> sink = (Consumer<String>) a[2];
				sinks.add(sink);
				yield (AutoCloseable) () -> { };
			}
			default -> throw new UnsupportedOperationException(m.getName());
		});
	}

	ContainersConfiguration containers() {
		return (ContainersConfiguration) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] { ContainersConfiguration.class },
			(p, m, a) -> switch (m.getName()) {
				case "containers" -> entries;
				default -> throw new UnsupportedOperationException(m.getName());
			});
	}

	@Test
	void eachLineGoesToTheSystemLogTaggedAndRateLimited() throws Exception {
		Path socket = dir.resolve("log.sock");
		DaemonConfig base = TestConfig.daemon(dir, null, Duration.ofSeconds(5));
		LoggingSettings l = base.logging();
		DaemonConfig config = new DaemonConfig(base.file(), base.service(), new LoggingSettings(l.level(),
			new LoggingSettings.Syslog(false, l.level(), socket, "cc-test"), l.console(), l.file(), new LoggingSettings.Forward(10, 20)),
			base.runtimes(), base.security());
		List<String> received = new CopyOnWriteArrayList<>();
		long took;
		try (UnixDatagram logger = UnixDatagram.bind(socket)) {
			// The system logger reads as it comes (a datagram socket queues only a few: one that lags loses lines).
			Thread reader = new Thread(() -> {
				while (!Thread.currentThread().isInterrupted()) {
					try {
						byte[] d = logger.poll();
						if (d == null) {
							Thread.sleep(1);
						} else {
							received.add(new String(d, StandardCharsets.UTF_8));
						}
					} catch (Exception e) {
						return;
					}
				}
			});
			reader.start();
			ContainerLogForwarder f = new ContainerLogForwarder(TestConfig.service(config), TestLogger.create(), supervisor(), containers());
			try {
				f.reconcile();
				assertThat(followed).containsExactly("chatty"); // "quiet" does not ask
				long start = System.nanoTime();
				for (int i = 0; i < 1000; i++) {
					sinks.get(0).accept("line " + i);
					Thread.sleep(0, 500_000);
				}
				took = System.nanoTime() - start;
				Await.until("the dropped lines said", Duration.ofSeconds(10), () -> received.stream().anyMatch(r -> r.contains("were not forwarded")));
			} finally {
				f.deactivate();
				reader.interrupt();
				reader.join();
			}
		}
		assertThat(received.get(0)).matches("<14>[A-Z][a-z]{2} [ 0-9]\\d \\d\\d:\\d\\d:\\d\\d chatty: line 0");
		long lines = received.stream().filter(r -> r.contains("chatty: line ")).count();
		// A burst of 20, then 10 a second while the lines came.
		assertThat(lines).isBetween(20L, 20 + 10 * (took / 1_000_000_000L + 1) + 1);
		assertThat(received).anyMatch(r -> r.matches(".* chatty: \\d+ lines of chatty were not forwarded \\(logging.forward allows 10 a second\\)"));
	}
}
