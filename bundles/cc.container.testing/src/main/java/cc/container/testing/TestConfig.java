package cc.container.testing;

import cc.container.api.config.DaemonConfig;
import cc.container.api.config.DaemonConfiguration;
import cc.container.api.config.LogLevel;
import cc.container.api.config.LoggingSettings;
import cc.container.api.config.RuntimeSettings;
import cc.container.api.config.ServiceSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** Daemon configurations for tests that build components through their constructors. */
public final class TestConfig {
	private TestConfig() {
	}

	/** A configuration whose working path is {@code work} and whose Podman runs in {@code podman} (may be null). */
	public static DaemonConfig daemon(Path work, PodmanSandbox podman, Duration commandTimeout) {
		return daemon(work, podman == null ? List.of() : podman.globalArgs(), podman == null ? Map.of() : podman.environment(),
			"podman", commandTimeout);
	}

	/** A configuration with an explicit Podman binary, arguments and environment. */
	public static DaemonConfig daemon(Path work, List<String> podmanArgs, Map<String, String> podmanEnv, String podmanBinary,
		Duration commandTimeout) {
		LoggingSettings logging = new LoggingSettings(LogLevel.INFO,
			new LoggingSettings.Syslog(false, LogLevel.INFO, Path.of("/dev/log"), "cc-test"),
			new LoggingSettings.Console(false, LogLevel.INFO),
			new LoggingSettings.File(false, work.resolve("log"), LogLevel.INFO, 1 << 20, 1));
		return new DaemonConfig(work.resolve("cc-container-mng.conf"),
			new ServiceSettings(work, Duration.ofSeconds(1), commandTimeout, Duration.ofSeconds(120), work.resolve("control.sock"), null),
			logging, new RuntimeSettings(new RuntimeSettings.Podman(podmanBinary, podmanArgs, podmanEnv), new RuntimeSettings.Lxc(null)));
	}

	/** A {@link DaemonConfiguration} service that always answers {@code config}. */
	public static DaemonConfiguration service(DaemonConfig config) {
		return new DaemonConfiguration() {
			@Override
			public DaemonConfig config() {
				return config;
			}

			@Override
			public DaemonConfig reload() {
				return config;
			}
		};
	}

	/** A container id for a test: {@code prefix} and the test's name in lower-case letters and digits, 40 characters at most. */
	public static String containerId(String prefix, String testName) {
		String id = prefix + testName.replaceAll("[^A-Za-z0-9]", "").toLowerCase(java.util.Locale.ROOT);
		return id.length() > 40 ? id.substring(0, 40) : id;
	}
}
