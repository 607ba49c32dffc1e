package cc.container.driver.podman.internal;

import cc.container.api.config.DaemonConfig;
import cc.container.api.exec.CommandRunner;
import cc.container.api.runtime.RuntimeDriver;
import org.osgi.service.log.Logger;

/** Builds the driver outside a framework, for benchmarks and tools of the project. */
public final class PodmanDriverAccess {
	private PodmanDriverAccess() {
	}

	/** A driver on a fixed configuration. */
	public static RuntimeDriver create(CommandRunner runner, DaemonConfig config, Logger log) {
		return new PodmanDriver(runner, () -> config, log);
	}
}
