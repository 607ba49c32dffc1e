package cc.container.driver.podman.internal;

import cc.container.api.CommandRunner;
import cc.container.api.DaemonConfig;
import cc.container.api.RuntimeDriver;
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
