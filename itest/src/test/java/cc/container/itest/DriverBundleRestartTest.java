package cc.container.itest;

import static org.assertj.core.api.Assertions.assertThat;

import cc.container.api.ContainerConfig;
import cc.container.api.ContainerReport;
import cc.container.api.ContainerSpec;
import cc.container.api.ContainerStatus;
import cc.container.api.ContainersConfiguration;
import cc.container.api.DaemonConfiguration;
import cc.container.api.RestartPolicy;
import cc.container.api.RuntimeDriver;
import cc.container.api.Supervisor;
import cc.container.testing.Await;
import cc.container.testing.Sh;
import cc.container.testing.Busybox;
import cc.container.testing.LxcBundles;
import cc.container.testing.LxcSandbox;
import cc.container.testing.PodmanSandbox;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.FrameworkUtil;
import org.osgi.test.common.annotation.InjectBundleContext;
import org.osgi.test.common.annotation.InjectService;
import org.osgi.util.tracker.ServiceTracker;

/**
 * A driver bundle stopped and started again while its containers run: the containers keep running with the same
 * pids, and the restarted driver finds them again from the runtime.
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
}
