package cc.container.itest;

import static org.assertj.core.api.Assertions.assertThat;

import cc.container.api.LogControl;
import cc.container.api.config.ContainerConfig;
import cc.container.api.config.ContainersConfiguration;
import cc.container.api.config.DaemonConfiguration;
import cc.container.api.config.LogLevel;
import cc.container.api.config.RestartPolicy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.service.component.runtime.ServiceComponentRuntime;
import org.osgi.service.component.runtime.dto.ComponentConfigurationDTO;
import org.osgi.service.component.runtime.dto.ComponentDescriptionDTO;
import org.osgi.service.log.Logger;
import org.osgi.service.log.LoggerFactory;
import org.osgi.test.common.annotation.InjectBundleContext;
import org.osgi.test.common.annotation.InjectService;

/** The daemon's bundles boot in Felix: every bundle active, every component satisfied, the services usable. */
class FrameworkTest {

	@InjectBundleContext
	BundleContext context;

	@InjectService(timeout = 5000)
	DaemonConfiguration daemon;

	@InjectService(timeout = 5000)
	ContainersConfiguration containers;

	@InjectService(timeout = 5000)
	LogControl logControl;

	@InjectService(timeout = 5000)
	ServiceComponentRuntime scr;

	@InjectService(timeout = 5000)
	LoggerFactory loggers;

	@Test
	void everyBundleIsActive() {
		List<String> notActive = Arrays.stream(context.getBundles())
			.filter(b -> b.getHeaders().get(Constants.FRAGMENT_HOST) == null)
			.filter(b -> b.getState() != Bundle.ACTIVE && !(b.getState() == Bundle.STARTING && isLazy(b)))
			.map(b -> b.getSymbolicName() + " (state " + b.getState() + ")")
			.collect(Collectors.toList());
		assertThat(notActive).isEmpty();
	}

	/** A bundle with a lazy activation policy waits in STARTING until its first class is loaded: that is fine. */
	static boolean isLazy(Bundle b) {
		String policy = b.getHeaders().get(Constants.BUNDLE_ACTIVATIONPOLICY);
		return policy != null && policy.startsWith(Constants.ACTIVATION_LAZY);
	}

	@Test
	void everyProjectComponentIsSatisfied() {
		List<ComponentDescriptionDTO> ours = scr.getComponentDescriptionDTOs().stream()
			.filter(d -> d.bundle.symbolicName.startsWith("cc.container."))
			.collect(Collectors.toList());
		assertThat(ours).extracting(d -> d.name).contains(
			"cc.container.config.internal.DaemonConfigurationImpl",
			"cc.container.config.internal.ContainersConfigurationImpl",
			"cc.container.logging.internal.LogRouter", "cc.container.exec.internal.CommandRunnerImpl",
			"cc.container.driver.podman.internal.PodmanDriver", "cc.container.driver.lxc.internal.LxcDriver",
			"cc.container.supervisor.internal.SupervisorImpl", "cc.container.dcp.internal.InstallerImpl",
			"cc.container.shell.internal.ShellCommands", "cc.container.control.internal.ControlEndpoint");
		for (ComponentDescriptionDTO d : ours) {
			assertThat(scr.getComponentConfigurationDTOs(d)).as(d.name).isNotEmpty().allSatisfy(
				c -> assertThat(c.state).as(d.name).isIn(ComponentConfigurationDTO.ACTIVE, ComponentConfigurationDTO.SATISFIED));
		}
	}

	@Test
	void daemonConfigurationComesFromTheNamedFile() {
		assertThat(daemon.config().service().monitorInterval()).isEqualTo(Duration.ofSeconds(1));
		assertThat(daemon.config().service().commandTimeout()).isEqualTo(Duration.ofSeconds(20));
		assertThat(daemon.config().service().podmanLoadTimeout()).isEqualTo(Duration.ofSeconds(600));
		assertThat(daemon.config().service().workingPath()).endsWith(Path.of("itest-work"));
	}

	@Test
	void containersConfigurationIsWrittenAndReadBack() throws Exception {
		ContainerConfig c = new ContainerConfig("itest-one", "In-framework", "3", ContainerConfig.PODMAN, "--tty", true, true,
			new RestartPolicy(true, 2, 0, 30));
		containers.put(c);
		assertThat(Files.readString(containers.file())).contains("\"id\" : \"itest-one\"");
		assertThat(containers.reload()).contains(c);
		assertThat(containers.remove("itest-one")).isTrue();
		assertThat(containers.container("itest-one")).isEmpty();
	}

	@Test
	void projectLogLinesReachTheFileSink() throws Exception {
		Path logFile = daemon.config().logging().file().path();
		LogLevel before = logControl.level();
		try {
			logControl.setLevel(LogLevel.DEBUG);
			Logger log = loggers.getLogger(FrameworkTest.class);
			String marker = "itest marker " + System.nanoTime();
			log.debug(marker);
			long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
			while (!(Files.exists(logFile) && Files.readString(logFile).contains(marker)) && System.nanoTime() < deadline) {
				Thread.sleep(20);
			}
			assertThat(Files.readString(logFile)).contains(marker);
		} finally {
			logControl.setLevel(before);
		}
	}
}
