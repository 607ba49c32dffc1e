package cc.container.integration;

import static org.assertj.core.api.Assertions.assertThat;

import cc.container.api.ContainerReport;
import cc.container.api.ContainerStatus;
import cc.container.api.HistoryEntry;
import cc.container.api.config.ContainerConfig;
import cc.container.api.config.DaemonConfig;
import cc.container.api.config.HealthCheck;
import cc.container.api.config.RestartPolicy;
import cc.container.api.runtime.ContainerSpec;
import cc.container.api.runtime.DriverException;
import cc.container.testing.Await;
import cc.container.testing.LxcBundles;
import cc.container.testing.LxcSandbox;
import cc.container.testing.PodmanSandbox;
import cc.container.testing.TestConfig;
import cc.container.testing.TestLogger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Health checks on the real runtimes: a container whose web server stops answering while its init lives is restarted
 * by its policy until the policy gives up; containers that answer are never touched. The server is busybox httpd on
 * the container's own loopback (no network of its own: the checks reach it through its network namespace).
 */
class HealthTest {
	static final Duration WAIT = Duration.ofSeconds(90);
	/** A web server that a file makes stop answering, while the container's init keeps running. */
	static final String SERVER = "#!/bin/sh\n"
		+ "trap 'exit 0' TERM\n"
		+ "ifconfig lo up 2>/dev/null\n" // LXC's empty network leaves the loopback down; a full init brings it up
		+ "mkdir -p /www && echo ok > /www/index.html\n"
		+ "httpd -p 8080 -h /www\n"
		+ "while true; do [ -f /tmp/stop ] && killall httpd 2>/dev/null; sleep 1 & wait; done\n";
	static final RestartPolicy TWICE = new RestartPolicy(true, 2, 0, 300);

	@TempDir
	static Path dir;
	static PodmanSandbox podman;
	static Path image;
	static Path bundle;

	Parts parts;
	LxcSandbox lxc;
	final List<String> ids = new ArrayList<>();

	@BeforeAll
	static void fixtures() {
		podman = new PodmanSandbox(dir.resolve("podman"));
		image = podman.imageArchive("localhost/health/server:1", SERVER, dir.resolve("server.tar"));
		bundle = LxcBundles.create(dir, dir.resolve("server.tar.gz"), "server", SERVER, null);
	}

	@AfterAll
	static void cleanUp() {
		podman.close();
	}

	Parts open() throws Exception {
		Path work = Files.createDirectories(dir.resolve("work-" + System.nanoTime()));
		DaemonConfig config = TestConfig.daemon(work, podman, Duration.ofSeconds(30));
		lxc = new LxcSandbox(config.service().lxcPath());
		Files.writeString(work.resolve("boot_id"), "b\n");
		parts = Parts.open(config, work.resolve("exec"), work.resolve("boot_id"), TestLogger.create());
		return parts;
	}

	@AfterEach
	void close() {
		for (String id : ids) {
			parts.supervisor().release(id);
			try {
				parts.driver(parts.store().container(id).map(ContainerConfig::runtime).orElse("podman")).remove(id);
			} catch (Exception e) {
				// gone already
			}
		}
		parts.close();
		lxc.close();
	}

	static HealthCheck check(HealthCheck.Type type) {
		return new HealthCheck(type, type == HealthCheck.Type.COMMAND ? "wget -q -O /dev/null http://127.0.0.1:8080/" : null,
			type == HealthCheck.Type.COMMAND ? 0 : 8080, "/", Duration.ofSeconds(1), Duration.ofSeconds(2), 2, Duration.ofSeconds(2));
	}

	/** Installs a server container on {@code runtime}, with {@code check}, and starts it under supervision. */
	ContainerReport server(String runtime, String name, HealthCheck check, String createArgs) throws Exception {
		String id = runtime + "-" + name;
		String args = runtime.equals("podman") ? createArgs : "";
		parts.driver(runtime).install(new ContainerSpec(id, "1", args), runtime.equals("podman") ? image : bundle);
		parts.store().put(new ContainerConfig(id, null, "1", runtime, args, false, true, TWICE).withHealth(check));
		ids.add(id);
		return parts.supervisor().manage(id, true);
	}

	/** Makes the container's web server stop answering; its init goes on. */
	void stopAnswering(String runtime, String id) throws Exception {
		if (runtime.equals("podman")) {
			podman.podman("exec", id, "touch", "/tmp/stop");
		} else {
			Files.writeString(lxc.lxcPath().resolve(id).resolve("rootfs/tmp/stop"), "");
		}
	}

	ContainerReport report(String id) {
		return parts.supervisor().container(id).orElseThrow();
	}

	void awaitHealth(String id, String status) {
		Await.until(id + " " + status + " (health " + report(id).health() + ")", WAIT,
			() -> report(id).health() != null && status.equals(report(id).health().status()));
	}

	@ParameterizedTest
	@ValueSource(strings = { "podman", "lxc" })
	void aServerThatStopsAnsweringIsRestartedUntilThePolicyGivesUpAndHealthyOnesAreNotTouched(String runtime) throws Exception {
		open();
		String failing = server(runtime, "http", check(HealthCheck.Type.HTTP), "--network none").id();
		String tcp = server(runtime, "tcp", check(HealthCheck.Type.TCP), "--network none").id();
		String command = server(runtime, "cmd", check(HealthCheck.Type.COMMAND), "--network none").id();
		for (String id : List.of(failing, tcp, command)) {
			awaitHealth(id, "healthy");
		}
		assertThat(report(failing).health().lastOutput()).startsWith("HTTP/1.").contains(" 200 ");
		long pid = report(failing).pid();
		stopAnswering(runtime, failing);
		Await.until(failing + " given up", WAIT, () -> report(failing).status() == ContainerStatus.FAILED);
		ContainerReport r = report(failing);
		assertThat(r.restarts().total()).as("restarts before the policy gave up").isEqualTo(2);
		assertThat(r.history()).extracting(HistoryEntry::event).containsExactly("unhealthy", "unhealthy", "unhealthy");
		assertThat(r.history().get(0).detail()).contains("8080");
		assertThat(r.history().get(2).decision()).startsWith("gave up: 2 restarts within 300 s");
		// Failed at once; stopped once its stop returns.
		Await.until("the given-up unhealthy container stopped", WAIT, () -> {
			try {
				return !parts.driver(runtime).states().get(failing).running();
			} catch (DriverException e) {
				throw new AssertionError(e);
			}
		});
		assertThat(pid).isPositive();
		for (String id : List.of(tcp, command)) {
			assertThat(report(id).restarts().total()).as(id).isZero();
			assertThat(report(id).status()).isEqualTo(ContainerStatus.RUNNING);
			assertThat(report(id).health().status()).isEqualTo("healthy");
		}
	}

	@Test
	void aPodmanContainersOwnHealthCheckIsRunOnItsSchedule() throws Exception {
		open();
		String id = server("podman", "image-check", null, "--network none --health-cmd 'wget -q -O /dev/null http://127.0.0.1:8080/'"
			+ " --health-interval 1s --health-retries 2 --health-timeout 2s").id();
		awaitHealth(id, "healthy");
		stopAnswering("podman", id);
		Await.until(id + " restarted for its image's check", WAIT, () -> report(id).restarts().total() >= 1);
		assertThat(report(id).history()).first().satisfies(h -> assertThat(h.event()).isEqualTo("unhealthy"));
	}
}
