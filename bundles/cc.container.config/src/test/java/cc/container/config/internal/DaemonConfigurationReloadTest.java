package cc.container.config.internal;

import static org.assertj.core.api.Assertions.assertThat;

import cc.container.api.config.DaemonConfig;
import cc.container.api.config.DaemonConfiguration;
import cc.container.testing.TestLogger;
import java.lang.reflect.Proxy;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.framework.BundleContext;

/**
 * A reload of the daemon configuration: what takes effect at once, and what keeps its value in force until the daemon
 * restarts (the working path, the control socket and group, and the remote section, which remote management reads as
 * it starts).
 */
class DaemonConfigurationReloadTest {
	@TempDir
	Path dir;
	DaemonConfigurationImpl configuration;

	@AfterEach
	void release() {
		if (configuration != null) {
			configuration.deactivate();
		}
	}

	Path write(String workingPath, int monitorInterval, String broker) throws Exception {
		return Files.writeString(dir.resolve("daemon.conf"), """
			{ "service": { "working_path": "%s", "monitor_interval": %d, "control_socket": "%s" },
			  "remote": { "enabled": true, "broker": "%s" } }
			""".formatted(dir.resolve(workingPath), monitorInterval, dir.resolve("ctl.sock"), broker));
	}

	DaemonConfigurationImpl load(Path file) {
		BundleContext context = (BundleContext) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] { BundleContext.class },
			(proxy, method, args) -> method.getName().equals("getProperty") && DaemonConfiguration.CONFIG_FILE_PROPERTY.equals(args[0])
				? file.toString() : null);
		return new DaemonConfigurationImpl(context, TestLogger.create());
	}

	@Test
	void aReloadThatHoldsTheWorkingPathKeepsTheRemoteSectionInForce() throws Exception {
		configuration = load(write("work", 10, "tcp://broker.example:1883"));
		write("elsewhere", 20, "tcp://broker.example:1883");
		DaemonConfig c = configuration.reload();
		assertThat(c.service().monitorInterval().toSeconds()).isEqualTo(20);
		assertThat(c.service().workingPath()).isEqualTo(dir.resolve("work"));
		assertThat(c.remote().enabled()).isTrue();
		assertThat(c.remote().broker()).isEqualTo(URI.create("tcp://broker.example:1883"));
		assertThat(configuration.problem()).hasValueSatisfying(p -> assertThat(p).endsWith(
			": service.working_path changed; it takes effect when the daemon restarts"));
	}

	@Test
	void aChangedRemoteSectionIsHeldUntilARestartAndSaidSo() throws Exception {
		configuration = load(write("work", 10, "tcp://broker.example:1883"));
		write("work", 20, "ssl://other.example:8883");
		DaemonConfig c = configuration.reload();
		assertThat(c.service().monitorInterval().toSeconds()).isEqualTo(20);
		assertThat(c.remote().broker()).isEqualTo(URI.create("tcp://broker.example:1883"));
		assertThat(configuration.problem()).hasValueSatisfying(p -> assertThat(p).endsWith(": remote changed; it takes effect when the daemon restarts"));
		// Reloaded again, still not in force: still said.
		configuration.reload();
		assertThat(configuration.problem()).hasValueSatisfying(p -> assertThat(p).contains("remote changed"));
		// Put back: nothing waits for a restart any more.
		write("work", 20, "tcp://broker.example:1883");
		configuration.reload();
		assertThat(configuration.problem()).isEmpty();
	}
}
