package cc.container.driver.lxc.internal;

import cc.container.api.config.DaemonConfig;
import cc.container.api.exec.CommandRunner;
import cc.container.api.runtime.RuntimeDriver;
import org.osgi.service.log.Logger;

/** Builds the driver outside a framework, for benchmarks and tools of the project. */
public final class LxcDriverAccess {
	private LxcDriverAccess() {
	}

	/** A driver on a fixed configuration. */
	public static RuntimeDriver create(CommandRunner runner, DaemonConfig config, Logger log) {
		return new LxcDriver(runner, () -> config, log);
	}
}
