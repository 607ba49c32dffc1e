package cc.container.dist;

import static org.assertj.core.api.Assertions.assertThat;

import cc.container.testing.Await;
import cc.container.testing.Busybox;
import cc.container.testing.LxcBundles;
import cc.container.testing.LxcSandbox;
import cc.container.testing.PodmanSandbox;
import cc.container.testing.Sh;
import cc.container.util.json.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The built daemon supervising real Podman and LXC containers, seen only through the files a user sees
 * (cc-containers.conf, state.json) and the runtimes themselves.
 */
class SupervisionIT {
	static final Duration WAIT = Duration.ofSeconds(60);

	@TempDir
	Path dir;
	PodmanSandbox podman;
	LxcSandbox lxc;
	Path work;
	Path conf;
	Daemon daemon;

	@BeforeEach
	void setUp() throws Exception {
		work = Files.createDirectories(dir.resolve("work"));
		podman = new PodmanSandbox(dir.resolve("podman"));
		lxc = new LxcSandbox(work.resolve("installed/lxc"));
		conf = Daemon.writeConfig(dir, "control.sock", "DEBUG", podman);
		// Installed as the installer would: the manager's image name and labels, the lxcpath folder.
		podman.image("localhost/cc-container-mng/e2e-pod:1", Busybox.TICKER);
		podman.podman("create", "--name", "e2e-pod", "--label", "cc-container-mng.managed=true", "--label", "cc-container-mng.version=1",
			"--network", "none", "localhost/cc-container-mng/e2e-pod:1");
		Path bundle = LxcBundles.create(dir, dir.resolve("b.tar.gz"), "e2e-lxc", Busybox.TICKER, null);
		Path target = Files.createDirectories(lxc.lxcPath().resolve("e2e-lxc"));
		Sh.run("tar", "-xzf", bundle.toString(), "-C", target.toString());
		Files.writeString(target.resolve("config"), Files.readString(target.resolve("config"))
			.replace("/var/lib/lxc/e2e-lxc", target.toString()));
		Files.writeString(work.resolve("cc-containers.conf"), """
			{ "containers": [
			  { "id": "e2e-pod", "version": 1, "runtime": "podman", "create_args": "--network none", "autostart": true,
			    "restart": { "enabled": true, "max_retries": 5, "retry_delay": 0, "window": 60 } },
			  { "id": "e2e-lxc", "version": "1", "runtime": "lxc", "autostart": true,
			    "restart": { "enabled": true, "max_retries": 5, "retry_delay": 0, "window": 60 } } ] }
			""");
	}

	@AfterEach
	void tearDown() throws Exception {
		if (daemon != null) {
			daemon.close();
		}
		lxc.close();
		podman.close();
	}

	Daemon start() throws Exception {
		daemon = Daemon.start(dir, "--config-file", conf.toString());
		return daemon;
	}

	@SuppressWarnings("unchecked")
	Map<String, Object> state() {
		try {
			return (Map<String, Object>) Json.parse(Files.readAllBytes(work.resolve("state.json")));
		} catch (Exception e) {
			return Map.of();
		}
	}

	@SuppressWarnings("unchecked")
	Map<String, Object> container(String id) {
		Object list = state().get("containers");
		if (list instanceof List) {
			for (Object o : (List<Object>) list) {
				if (id.equals(((Map<String, Object>) o).get("id"))) {
					return (Map<String, Object>) o;
				}
			}
		}
		return Map.of();
	}

	long pid(String id) {
		Object p = container(id).get("pid");
		return p instanceof Number ? ((Number) p).longValue() : 0;
	}

	@SuppressWarnings("unchecked")
	long restarts(String id) {
		Object r = container(id).get("restarts");
		return r instanceof Map ? ((Number) ((Map<String, Object>) r).get("total")).longValue() : -1;
	}

	@SuppressWarnings("unchecked")
	long daemonPid() {
		Object d = state().get("daemon");
		return d instanceof Map ? ((Number) ((Map<String, Object>) d).get("pid")).longValue() : 0;
	}

	void awaitRunning(String id) {
		Await.until(id + " running in state.json", WAIT, () -> "running".equals(container(id).get("status")) && pid(id) > 0);
	}

	static boolean alive(long pid) {
		return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
	}

	@Test
	void aDaemonKilledAndStartedAgainAdoptsItsContainersAndKeepsSupervising() throws Exception {
		start();
		awaitRunning("e2e-pod");
		awaitRunning("e2e-lxc");
		long podPid = pid("e2e-pod");
		long lxcPid = pid("e2e-lxc");
		assertThat(Long.parseLong(podman.podman("inspect", "--format", "{{.State.Pid}}", "e2e-pod").trim())).isEqualTo(podPid);
		assertThat(lxc.pid("e2e-lxc")).isEqualTo(lxcPid);

		long first = daemon.process.pid();
		daemon.process.destroyForcibly();
		daemon.process.waitFor(30, TimeUnit.SECONDS);
		assertThat(alive(podPid)).as("containers outlive a kill -9 of the daemon").isTrue();
		assertThat(alive(lxcPid)).isTrue();

		start();
		Await.until("the new daemon in state.json", WAIT, () -> daemonPid() == daemon.process.pid() && daemonPid() != first);
		awaitRunning("e2e-pod");
		awaitRunning("e2e-lxc");
		assertThat(pid("e2e-pod")).isEqualTo(podPid);
		assertThat(pid("e2e-lxc")).isEqualTo(lxcPid);
		assertThat(restarts("e2e-pod")).isZero();
		assertThat(restarts("e2e-lxc")).isZero();

		// ... and it still supervises them.
		Sh.run("kill", "-9", Long.toString(podPid), Long.toString(lxcPid));
		Await.until("both restarted", WAIT, () -> restarts("e2e-pod") == 1 && restarts("e2e-lxc") == 1
			&& "running".equals(container("e2e-pod").get("status")) && "running".equals(container("e2e-lxc").get("status")));
		assertThat(pid("e2e-pod")).isNotEqualTo(podPid);
	}

	@Test
	void stateJsonAlwaysParsesWhenTheDaemonIsKilledWhileWritingIt() throws Exception {
		start();
		awaitRunning("e2e-pod");
		awaitRunning("e2e-lxc");
		for (int round = 0; round < 8; round++) {
			long previous = daemonPid();
			daemon.process.destroyForcibly();
			daemon.process.waitFor(30, TimeUnit.SECONDS);
			assertThat(state()).as("state.json after kill -9 in round %d", round).containsKeys("version", "daemon", "containers");
			start();
			Await.until("the new daemon to write state.json", WAIT, () -> daemonPid() == daemon.process.pid() && daemonPid() != previous);
			// Kill it at a random instant of its one-second write cycle.
			Thread.sleep(ThreadLocalRandom.current().nextInt(0, 1000));
		}
		daemon.process.destroyForcibly();
		daemon.process.waitFor(30, TimeUnit.SECONDS);
		Object doc = Json.parse(Files.readAllBytes(work.resolve("state.json")));
		assertThat(doc).isInstanceOf(Map.class);
	}

	@Test
	void stopManagedContainersStopsEveryContainerAndExitsZero() throws Exception {
		start();
		awaitRunning("e2e-pod");
		awaitRunning("e2e-lxc");
		daemon.process.destroy(); // SIGTERM: the daemon stops, its containers keep running
		assertThat(daemon.waitForExit(Duration.ofSeconds(30))).isZero();
		assertThat(alive(pid("e2e-pod"))).isTrue();

		Daemon stopper = Daemon.start(dir, "--config-file", conf.toString(), "--stop-managed-containers");
		assertThat(stopper.waitForExit(WAIT)).isZero();
		assertThat(podman.podman("inspect", "--format", "{{.State.Status}}", "e2e-pod").trim()).isEqualTo("exited");
		assertThat(lxc.state("e2e-lxc")).isEqualTo("STOPPED");
		assertThat(container("e2e-pod").get("desired")).isEqualTo("running");
		assertThat(container("e2e-pod").get("status")).isEqualTo("stopped");
	}
}
