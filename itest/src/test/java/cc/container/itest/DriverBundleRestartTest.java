package cc.container.itest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import cc.container.api.BundleInfo;
import cc.container.api.BundleUpgrades;
import cc.container.api.ContainerReport;
import cc.container.api.ContainerStatus;
import cc.container.api.Supervisor;
import cc.container.api.UpgradeException;
import cc.container.api.config.ContainerConfig;
import cc.container.api.config.ContainersConfiguration;
import cc.container.api.config.DaemonConfiguration;
import cc.container.api.config.RestartPolicy;
import cc.container.api.runtime.ContainerSpec;
import cc.container.api.runtime.RuntimeDriver;
import cc.container.testing.Await;
import cc.container.testing.BundleJars;
import cc.container.testing.Busybox;
import cc.container.testing.LxcBundles;
import cc.container.testing.LxcSandbox;
import cc.container.testing.PodmanSandbox;
import cc.container.testing.Sh;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.FrameworkUtil;
import org.osgi.framework.wiring.BundleRevision;
import org.osgi.test.common.annotation.InjectBundleContext;
import org.osgi.test.common.annotation.InjectService;
import org.osgi.util.tracker.ServiceTracker;

/**
 * A driver bundle stopped and started again, or replaced in the field with another version, while its containers run:
 * the containers keep running with the same pids, supervision pauses and resumes, and a bad version is rolled back.
 */
class DriverBundleRestartTest {
	static final Duration WAIT = Duration.ofSeconds(30);
	static PodmanSandbox podman;
	static LxcSandbox lxc;
	static Path work;

	@InjectBundleContext
	BundleContext context;

	@InjectService(timeout = 5000)
	DaemonConfiguration daemon;

	@InjectService(timeout = 5000)
	Supervisor supervisor;

	@InjectService(timeout = 5000)
	ContainersConfiguration containers;

	@InjectService(timeout = 5000)
	BundleUpgrades upgrades;

	@BeforeAll
	static void sandboxes(@InjectService(timeout = 5000) DaemonConfiguration daemon) throws Exception {
		BundleContext ctx = FrameworkUtil.getBundle(DriverBundleRestartTest.class).getBundleContext();
		podman = new PodmanSandbox(Path.of(ctx.getProperty("cc.itest.podman")), Path.of(ctx.getProperty("cc.itest.podman.runroot")));
		lxc = new LxcSandbox(daemon.config().service().lxcPath());
		work = Files.createDirectories(daemon.config().service().workingPath().resolve("fixtures"));
	}

	@AfterAll
	static void cleanUp() {
		podman.close();
		lxc.close();
	}

	RuntimeDriver driver(String runtime) throws Exception {
		ServiceTracker<RuntimeDriver, RuntimeDriver> t = new ServiceTracker<>(context,
			context.createFilter("(&(objectClass=" + RuntimeDriver.class.getName() + ")(runtime=" + runtime + "))"), null);
		t.open();
		try {
			RuntimeDriver d = t.waitForService(WAIT.toMillis());
			assertThat(d).as("the %s driver service", runtime).isNotNull();
			return d;
		} finally {
			t.close();
		}
	}

	/** A test that failed half-way leaves no bundle of the daemon stopped for the next one. */
	@AfterEach
	void restartStoppedBundles() throws Exception {
		for (Bundle b : context.getBundles()) {
			if (String.valueOf(b.getSymbolicName()).startsWith("cc.container.") && b.getState() == Bundle.RESOLVED
				&& b.getHeaders().get(org.osgi.framework.Constants.FRAGMENT_HOST) == null) {
				b.start();
			}
		}
	}

	Bundle bundle(String symbolicName) {
		return Arrays.stream(context.getBundles()).filter(b -> b.getSymbolicName().equals(symbolicName)).findFirst().orElseThrow();
	}

	@Test
	void containersOutliveARestartOfTheirDriverBundles() throws Exception {
		Path image = podman.imageArchive("localhost/itest/ticker:1", Busybox.TICKER, work.resolve("ticker.tar"));
		Path bundle = LxcBundles.create(work, work.resolve("ticker.tar.gz"), "ticker", Busybox.TICKER, null);
		RuntimeDriver p = driver("podman");
		RuntimeDriver l = driver("lxc");
		p.install(new ContainerSpec("itest-pod", "1", "--network none"), image);
		l.install(new ContainerSpec("itest-lxc", "1", ""), bundle);
		try {
			p.start("itest-pod");
			l.start("itest-lxc");
			long podPid = p.states().get("itest-pod").pid();
			long lxcPid = l.states().get("itest-lxc").pid();
			assertThat(podPid).isPositive();
			assertThat(lxcPid).isPositive();

			Bundle podmanBundle = bundle("cc.container.driver.podman");
			Bundle lxcBundle = bundle("cc.container.driver.lxc");
			podmanBundle.stop();
			lxcBundle.stop();
			assertThat(context.getServiceReferences(RuntimeDriver.class, null)).isEmpty();
			assertThat(ProcessHandle.of(podPid).map(ProcessHandle::isAlive)).contains(true);
			assertThat(ProcessHandle.of(lxcPid).map(ProcessHandle::isAlive)).contains(true);
			assertThat(podman.podman("inspect", "--format", "{{.State.Pid}}", "itest-pod").trim()).isEqualTo(Long.toString(podPid));
			assertThat(lxc.pid("itest-lxc")).isEqualTo(lxcPid);

			podmanBundle.start();
			lxcBundle.start();
			assertThat(driver("podman").states().get("itest-pod").pid()).isEqualTo(podPid);
			assertThat(driver("lxc").states().get("itest-lxc").pid()).isEqualTo(lxcPid);
		} finally {
			driver("podman").remove("itest-pod");
			driver("lxc").remove("itest-lxc");
		}
	}

	@Test
	void supervisionPausesWhileADriverBundleIsStoppedAndResumesAfterwards() throws Exception {
		Path image = podman.imageArchive("localhost/itest/ticker:2", Busybox.TICKER, work.resolve("ticker2.tar"));
		Path bundle = LxcBundles.create(work, work.resolve("ticker2.tar.gz"), "ticker", Busybox.TICKER, null);
		driver("podman").install(new ContainerSpec("sup-pod", "1", "--network none"), image);
		driver("lxc").install(new ContainerSpec("sup-lxc", "1", ""), bundle);
		RestartPolicy always = new RestartPolicy(true, 0, 0, 60);
		containers.put(new ContainerConfig("sup-pod", null, "1", "podman", "--network none", true, true, always));
		containers.put(new ContainerConfig("sup-lxc", null, "1", "lxc", "", true, true, always));
		try {
			for (String[] c : new String[][] { { "sup-pod", "cc.container.driver.podman" }, { "sup-lxc", "cc.container.driver.lxc" } }) {
				String id = c[0];
				long pid = supervisor.manage(id, true).pid();
				assertThat(pid).isPositive();
				Bundle b = bundle(c[1]);
				b.stop();
				Await.until(id + " unknown while its driver is away", WAIT,
					() -> supervisor.container(id).map(r -> r.status() == ContainerStatus.UNKNOWN).orElse(false));
				assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive)).contains(true);
				b.start();
				Await.until(id + " supervised again", WAIT,
					() -> supervisor.container(id).map(r -> r.status() == ContainerStatus.RUNNING).orElse(false));
				ContainerReport back = supervisor.container(id).orElseThrow();
				assertThat(back.pid()).as("not restarted").isEqualTo(pid);
				assertThat(back.restarts().total()).isZero();
				Sh.run("kill", "-9", Long.toString(pid));
				Await.until(id + " restarted after a crash that follows the driver's return", WAIT,
					() -> supervisor.container(id).map(r -> r.status() == ContainerStatus.RUNNING && r.restarts().total() == 1).orElse(false));
			}
		} finally {
			for (String id : new String[] { "sup-pod", "sup-lxc" }) {
				supervisor.release(id);
				containers.remove(id);
				driver(id.startsWith("sup-pod") ? "podman" : "lxc").remove(id);
			}
		}
	}

	// ---------------------------------------------------------------- field upgrade

	static final String[][] DRIVERS = { { "up-pod", "podman", "cc.container.driver.podman" }, { "up-lxc", "lxc", "cc.container.driver.lxc" } };

	/** The jar a bundle was installed from. */
	static Path jarOf(Bundle b) {
		String location = b.getLocation().replaceFirst("^reference:", "");
		return location.startsWith("file:") ? Path.of(URI.create(location)) : Path.of(location);
	}

	/** Both test containers installed, managed and running; returns their pids by id. */
	Map<String, Long> runManaged(String tag) throws Exception {
		Path image = podman.imageArchive("localhost/itest/ticker:" + tag, Busybox.TICKER, work.resolve("ticker-" + tag + ".tar"));
		Path bundle = LxcBundles.create(work, work.resolve("ticker-" + tag + ".tar.gz"), "ticker", Busybox.TICKER, null);
		driver("podman").install(new ContainerSpec("up-pod", "1", "--network none"), image);
		driver("lxc").install(new ContainerSpec("up-lxc", "1", ""), bundle);
		RestartPolicy always = new RestartPolicy(true, 0, 0, 60);
		containers.put(new ContainerConfig("up-pod", null, "1", "podman", "--network none", true, true, always));
		containers.put(new ContainerConfig("up-lxc", null, "1", "lxc", "", true, true, always));
		Map<String, Long> pids = new LinkedHashMap<>();
		for (String[] d : DRIVERS) {
			long pid = supervisor.manage(d[0], true).pid();
			assertThat(pid).isPositive();
			pids.put(d[0], pid);
		}
		return pids;
	}

	void removeManaged() throws Exception {
		for (String[] d : DRIVERS) {
			supervisor.release(d[0]);
			containers.remove(d[0]);
			driver(d[1]).remove(d[0]);
		}
	}

	void awaitRunning(String id, long pid, int restarts) {
		Await.until(id + " running with pid " + pid + " and " + restarts + " restarts", WAIT, () -> supervisor.container(id)
			.map(r -> r.status() == ContainerStatus.RUNNING && (pid == 0 || r.pid() == pid) && r.restarts().total() == restarts).orElse(false));
	}

	@Test
	void aRebuiltDriverReplacesTheRunningOneWithoutTouchingItsContainers() throws Exception {
		Map<String, Long> pids = runManaged("up");
		try {
			for (String[] d : DRIVERS) {
				String id = d[0];
				Bundle b = bundle(d[2]);
				String shipped = b.getVersion().toString();
				Path v2 = BundleJars.rebuilt(jarOf(b), work.resolve(d[2] + "-9.0.1.jar"), "9.0.1");
				List<String> phases = new ArrayList<>();
				BundleInfo info = upgrades.update(v2, Duration.ofSeconds(30), phases::add);
				assertThat(phases).containsExactly("checking", "updating", "verifying");
				assertThat(info.version()).isEqualTo("9.0.1");
				assertThat(info.upgraded()).isTrue();
				assertThat(info.replaced()).containsExactly(shipped);
				assertThat(b.getVersion().toString()).isEqualTo("9.0.1");
				assertThat(b.getState()).isEqualTo(Bundle.ACTIVE);
				assertThat(upgrades.list()).filteredOn(i -> i.symbolicName().equals(d[2])).singleElement()
					.satisfies(i -> assertThat(i.shippedVersion()).isEqualTo(shipped));
				// Supervision resumed from the runtime's view: same pid, nothing restarted.
				awaitRunning(id, pids.get(id), 0);
				assertThat(ProcessHandle.of(pids.get(id)).map(ProcessHandle::isAlive)).contains(true);
				// A crash right after the upgrade is still restarted by the new driver's supervision.
				Sh.run("kill", "-9", Long.toString(pids.get(id)));
				awaitRunning(id, 0, 1);
				long restarted = supervisor.container(id).orElseThrow().pid();
				assertThat(restarted).isNotEqualTo(pids.get(id));

				// Back to the shipped version, again without touching the container.
				info = upgrades.rollback(d[2], Duration.ofSeconds(30), p -> { });
				assertThat(info.version()).isEqualTo(shipped);
				assertThat(info.upgraded()).isFalse();
				awaitRunning(id, restarted, 1);
				assertThatThrownBy(() -> upgrades.rollback(d[2], Duration.ofSeconds(30), p -> { })).isInstanceOf(UpgradeException.class)
					.hasMessageContaining("nothing to roll back to");
			}
			assertThat(Files.readString(upgradesDir().resolve("upgrades.properties"))).doesNotContain("cc.container.driver");
		} finally {
			removeManaged();
		}
	}

	@Test
	void aDriverWhoseComponentsFailIsRolledBackByItself() throws Exception {
		Map<String, Long> pids = runManaged("broken");
		try {
			Bundle b = bundle("cc.container.driver.podman");
			String shipped = b.getVersion().toString();
			Path broken = BundleJars.brokenComponents(jarOf(b), work.resolve("podman-broken.jar"), "9.0.2");
			List<String> phases = new ArrayList<>();
			assertThatThrownBy(() -> upgrades.update(broken, Duration.ofSeconds(10), phases::add)).isInstanceOfSatisfying(UpgradeException.class,
				e -> {
					assertThat(e.kind()).isEqualTo(UpgradeException.Kind.ROLLED_BACK);
					assertThat(e.getMessage()).startsWith("cc.container.driver.podman 9.0.2 did not come up (its component")
						.containsAnyOf("failed to activate", "not set up by Declarative Services").endsWith("; " + shipped + " was put back");
				});
			assertThat(phases).containsExactly("checking", "updating", "verifying", "rolling back");
			assertThat(b.getVersion().toString()).isEqualTo(shipped);
			assertThat(b.getState()).isEqualTo(Bundle.ACTIVE);
			assertThat(driver("podman").states().get("up-pod").pid()).isEqualTo(pids.get("up-pod"));
			awaitRunning("up-pod", pids.get("up-pod"), 0);
			assertThat(upgrades.list()).filteredOn(i -> i.symbolicName().equals("cc.container.driver.podman")).singleElement()
				.satisfies(i -> assertThat(i.upgraded()).isFalse());
			try (var s = Files.list(upgradesDir())) {
				assertThat(s.map(p -> p.getFileName().toString())).noneMatch(n -> n.endsWith(".jar"));
			}
		} finally {
			removeManaged();
		}
	}

	@Test
	void aJarThatCannotReplaceARunningBundleIsRefusedChangingNothing() throws Exception {
		Bundle b = bundle("cc.container.driver.lxc");
		long revisionBefore = System.identityHashCode(b.adapt(BundleRevision.class));
		int bundlesBefore = context.getBundles().length;
		Path shipped = jarOf(b);
		Path other = BundleJars.withHeaders(shipped, work.resolve("other.jar"), Map.of("Bundle-SymbolicName", "cc.container.driver.other"));
		assertThatThrownBy(() -> upgrades.update(other, Duration.ofSeconds(10), p -> { })).isInstanceOfSatisfying(UpgradeException.class,
			e -> assertThat(e.kind()).isEqualTo(UpgradeException.Kind.NOT_FOUND))
			.hasMessage("no bundle of the daemon is named cc.container.driver.other (bundle list shows them); nothing was changed");

		String imports = b.getHeaders().get("Import-Package");
		Path unresolvable = BundleJars.withHeaders(shipped, work.resolve("unresolvable.jar"),
			Map.of("Bundle-Version", "9.0.3", "Import-Package", imports + ",cc.nowhere;version=\"[1,2)\""));
		assertThatThrownBy(() -> upgrades.update(unresolvable, Duration.ofSeconds(10), p -> { })).isInstanceOfSatisfying(UpgradeException.class,
			e -> assertThat(e.kind()).isEqualTo(UpgradeException.Kind.REFUSED))
			.hasMessageStartingWith("cc.container.driver.lxc 9.0.3 does not resolve against the running daemon (")
			.hasMessageContaining("cc.nowhere").hasMessageEndingWith("; nothing was changed");

		Path notABundle = work.resolve("plain.jar");
		Files.write(notABundle, "not a zip".getBytes(StandardCharsets.UTF_8));
		assertThatThrownBy(() -> upgrades.update(notABundle, Duration.ofSeconds(10), p -> { })).isInstanceOf(UpgradeException.class)
			.hasMessageStartingWith(notABundle + " is not a jar (");
		assertThatThrownBy(() -> upgrades.update(Path.of(shipped.toString().replace("driver.lxc", "driver.api")), Duration.ofSeconds(10), p -> { }))
			.isInstanceOf(UpgradeException.class);
		Path api = jarOf(bundle("cc.container.api"));
		assertThatThrownBy(() -> upgrades.update(api, Duration.ofSeconds(10), p -> { })).isInstanceOf(UpgradeException.class)
			.hasMessageStartingWith("replacing cc.container.api would restart cc.container.upgrade");

		assertThat(System.identityHashCode(b.adapt(BundleRevision.class))).isEqualTo(revisionBefore);
		assertThat(b.getState()).isEqualTo(Bundle.ACTIVE);
		assertThat(context.getBundles()).hasSize(bundlesBefore);
	}

	Path upgradesDir() {
		return Path.of(context.getProperty("cc.containerd.upgrades"));
	}
}
