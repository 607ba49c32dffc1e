package cc.container.integration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import cc.container.api.ContainerReport;
import cc.container.api.ContainerStatus;
import cc.container.api.InstallException;
import cc.container.api.Supervisor;
import cc.container.api.config.ContainerConfig;
import cc.container.api.config.DaemonConfig;
import cc.container.api.runtime.RuntimeDriver;
import cc.container.config.internal.StoreConfiguration;
import cc.container.dcp.internal.InstallerImpl;
import cc.container.testing.Await;
import cc.container.testing.Busybox;
import cc.container.testing.LxcBundles;
import cc.container.testing.LxcSandbox;
import cc.container.testing.Packages;
import cc.container.testing.PodmanSandbox;
import cc.container.testing.TestConfig;
import cc.container.testing.TestLogger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The installer with the real drivers and supervisor, against real Podman and real LXC. */
class InstallerTest {
	static final Duration WAIT = Duration.ofSeconds(60);

	@TempDir
	static Path shared;
	static PodmanSandbox podman;
	static byte[] ticker;
	static byte[] failing;
	static byte[] lxcTicker;
	static byte[] lxcFailing;

	Path work;
	DaemonConfig config;
	StoreConfiguration store;
	LxcSandbox lxc;
	Parts parts;
	Supervisor supervisor;
	InstallerImpl installer;
	RuntimeDriver podmanDriver;
	RuntimeDriver lxcDriver;
	final List<String> progress = new CopyOnWriteArrayList<>();

	@BeforeAll
	static void payloads() throws Exception {
		podman = new PodmanSandbox(shared.resolve("podman"));
		ticker = Files.readAllBytes(podman.imageArchive("localhost/dcp/ticker:1", Busybox.TICKER, shared.resolve("ticker.tar")));
		failing = Files.readAllBytes(podman.imageArchive("localhost/dcp/failing:1", Busybox.EXIT_AT_ONCE, shared.resolve("failing.tar")));
		lxcTicker = Files.readAllBytes(LxcBundles.create(shared, shared.resolve("t.tar.gz"), "t", Busybox.TICKER, "bundle"));
		lxcFailing = Files.readAllBytes(LxcBundles.create(shared, shared.resolve("f.tar.gz"), "f", Busybox.EXIT_AT_ONCE, null));
	}

	@AfterAll
	static void cleanUp() {
		podman.close();
	}

	@BeforeEach
	void setUp() throws Exception {
		work = Files.createDirectories(shared.resolve("work-" + System.nanoTime()));
		config = TestConfig.daemon(work, podman, Duration.ofSeconds(30));
		lxc = new LxcSandbox(config.service().lxcPath());
		Files.writeString(work.resolve("boot_id"), "b\n");
		parts = Parts.drivers(config, work.resolve("exec"), TestLogger.create()).withSupervisor(config, work.resolve("boot_id"), TestLogger.create());
		store = parts.store();
		podmanDriver = parts.podman();
		lxcDriver = parts.lxc();
		supervisor = parts.supervisor();
		installer = installer(InstallerImpl.RESERVE);
	}

	InstallerImpl installer(long reserve) {
		return new InstallerImpl(TestConfig.service(config), store, supervisor, parts.drivers(), TestLogger.create(), Duration.ofSeconds(3), reserve);
	}

	@AfterEach
	void tearDown() {
		for (ContainerConfig c : new ArrayList<>(store.containers())) {
			try {
				installer.remove(c.id());
			} catch (InstallException e) {
				// best effort
			}
		}
		installer.close();
		parts.close();
		lxc.close();
	}

	Path pkg(String id, String version, String runtime, boolean good) throws Exception {
		byte[] payload = runtime.equals("podman") ? (good ? ticker : failing) : (good ? lxcTicker : lxcFailing);
		return Packages.dcp(shared.resolve(id + "-" + version + "-" + System.nanoTime() + ".tar.gz"),
			Packages.manifest(id, version, runtime, payload), runtime.equals("podman") ? "image.tar" : "rootfs.tar.gz", payload);
	}

	/** Every file below the working path but the exec folder and what a test expects. */
	List<String> filesOutside(String... expectedPrefixes) throws Exception {
		try (Stream<Path> s = Files.walk(work)) {
			return s.filter(Files::isRegularFile).map(p -> work.relativize(p).toString())
				.filter(p -> !p.startsWith("exec/") && !p.equals("boot_id") && !p.equals("state.json") && !p.equals("cc-containers.conf"))
				.filter(p -> Stream.of(expectedPrefixes).noneMatch(p::startsWith)).toList();
		}
	}

	boolean podmanHas(String name) {
		return podman.podman("ps", "-a", "--format", "{{.Names}}").lines().anyMatch(name::equals);
	}

	@Test
	void podmanPackageInstallsRunsAndIsRemovedWithoutTrace() throws Exception {
		ContainerReport r = installer.install(pkg("dcp-pod", "1.0", "podman", true), true, progress::add);
		assertThat(r.status()).isEqualTo(ContainerStatus.RUNNING);
		assertThat(progress).startsWith("verifying").contains("loading", "starting");
		assertThat(podman.podman("inspect", "--format", "{{.State.Status}} {{.Config.Labels}}", "dcp-pod"))
			.contains("running").contains("cc-container-mng.version:1.0");
		ContainerConfig c = store.container("dcp-pod").orElseThrow();
		assertThat(c.autostart()).isTrue();
		assertThat(c.restart().maxRetries()).isEqualTo(3);
		assertThat(c.createArgs()).isEqualTo("--network none");
		assertThat(Files.readString(config.service().containersFile())).contains("\"friendly_name\" : \"Test dcp-pod\"");
		assertThat(work.resolve("staging")).isEmptyDirectory();

		assertThatThrownBy(() -> installer.install(pkg("dcp-pod", "1.1", "podman", true), true, progress::add))
			.hasMessage("dcp-pod is already installed; use update to replace it")
			.satisfies(e -> assertThat(((InstallException) e).kind()).isEqualTo(InstallException.Kind.CONFLICT));

		installer.remove("dcp-pod");
		assertThat(podmanHas("dcp-pod")).isFalse();
		assertThat(podman.podman("images", "--format", "{{.Repository}}")).doesNotContain("cc-container-mng/dcp-pod");
		assertThat(store.container("dcp-pod")).isEmpty();
		assertThat(supervisor.container("dcp-pod")).isEmpty();
		Await.until("state.json without dcp-pod", WAIT, () -> {
			try {
				return !Files.readString(config.service().stateFile()).contains("dcp-pod");
			} catch (Exception e) {
				return false;
			}
		});
		assertThat(filesOutside()).isEmpty();
	}

	@Test
	void lxcPackageInstallsRunsAndIsRemovedWithoutTrace() throws Exception {
		ContainerReport r = installer.install(pkg("dcp-lxc", "3", "lxc", true), true, progress::add);
		assertThat(r.status()).isEqualTo(ContainerStatus.RUNNING);
		assertThat(lxc.state("dcp-lxc")).isEqualTo("RUNNING");
		assertThat(work.resolve("staging")).isEmptyDirectory();
		installer.remove("dcp-lxc");
		assertThat(config.service().lxcPath().resolve("dcp-lxc")).doesNotExist();
		assertThat(store.container("dcp-lxc")).isEmpty();
		assertThat(filesOutside()).isEmpty();
	}

	@Test
	void noStartInstallsStopped() throws Exception {
		ContainerReport r = installer.install(pkg("dcp-nostart", "1", "podman", true), false, progress::add);
		assertThat(r.status()).isEqualTo(ContainerStatus.STOPPED);
		assertThat(podman.podman("inspect", "--format", "{{.State.Status}}", "dcp-nostart").trim()).isEqualTo("created");
	}

	@Test
	void updateReplacesTheVersionAndKeepsTheUsersSettings() throws Exception {
		for (String runtime : List.of("podman", "lxc")) {
			String id = "upd-" + runtime;
			installer.install(pkg(id, "1.9", runtime, true), true, progress::add);
			ContainerConfig mine = store.container(id).orElseThrow().withMonitor(false).withFriendlyName("Mine");
			store.put(mine);
			assertThatThrownBy(() -> installer.update(pkg(id, "1.9", runtime, true), false, progress::add))
				.hasMessage("version 1.9 of " + id + " is not newer than the installed 1.9 (use --force to install it anyway)");
			ContainerReport r = installer.update(pkg(id, "1.10", runtime, true), false, progress::add);
			assertThat(r.status()).isEqualTo(ContainerStatus.RUNNING);
			assertThat(r.version()).isEqualTo("1.10");
			ContainerConfig after = store.container(id).orElseThrow();
			assertThat(after.version()).isEqualTo("1.10");
			assertThat(after.monitor()).isFalse();
			assertThat(after.friendlyName()).isEqualTo("Mine");
			assertThat(podmanHas(id + ".old")).isFalse();
			assertThat(config.service().lxcPath().resolve(id + ".old")).doesNotExist();
			assertThat(work.resolve("staging")).isEmptyDirectory();
		}
		assertThat(podman.podman("images", "--format", "{{.Repository}}:{{.Tag}}")).contains("cc-container-mng/upd-podman:1.10")
			.doesNotContain("cc-container-mng/upd-podman:1.9");
	}

	@Test
	void anUpdateWhoseNewVersionExitsAtOncePutsTheOldOneBack() throws Exception {
		for (String runtime : List.of("podman", "lxc")) {
			String id = "rb-" + runtime;
			installer.install(pkg(id, "1", runtime, true), true, progress::add);
			String before = Files.readString(config.service().containersFile());
			assertThatThrownBy(() -> installer.update(pkg(id, "2", runtime, false), false, progress::add))
				.hasMessageStartingWith("version 2 of " + id + " failed (").hasMessageEndingWith("version 1 was put back and runs again")
				.satisfies(e -> assertThat(((InstallException) e).kind()).isEqualTo(InstallException.Kind.ROLLED_BACK));
			Await.until(id + " running again", WAIT, () -> supervisor.container(id).map(r -> r.status() == ContainerStatus.RUNNING).orElse(false));
			assertThat(store.container(id).orElseThrow().version()).isEqualTo("1");
			assertThat(Files.readString(config.service().containersFile())).isEqualTo(before);
			if (runtime.equals("podman")) {
				assertThat(podman.podman("inspect", "--format", "{{.State.Status}} {{.Config.Labels}}", id)).contains("running")
					.contains("cc-container-mng.version:1");
			} else {
				assertThat(lxc.state(id)).isEqualTo("RUNNING");
			}
			assertThat(work.resolve("staging")).isEmptyDirectory();
		}
	}
}
