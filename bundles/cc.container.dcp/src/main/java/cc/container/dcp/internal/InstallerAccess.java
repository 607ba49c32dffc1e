package cc.container.dcp.internal;

import cc.container.api.Installer;
import cc.container.api.Supervisor;
import cc.container.api.config.ContainersConfiguration;
import cc.container.api.config.DaemonConfiguration;
import cc.container.api.runtime.RuntimeDriver;
import java.util.Map;
import org.osgi.service.log.Logger;

/** Builds the installer outside a framework, for benchmarks and tools of the project. */
public final class InstallerAccess {
	private InstallerAccess() {
	}

	/** An installer with these drivers bound. */
	public static Installer create(DaemonConfiguration daemon, ContainersConfiguration containers, Supervisor supervisor, Logger log,
		RuntimeDriver... drivers) {
		InstallerImpl i = new InstallerImpl(daemon, containers, supervisor, log);
		for (RuntimeDriver d : drivers) {
			i.bindDriver(d, Map.of(RuntimeDriver.RUNTIME, d.runtime()));
		}
		return i;
	}

	/** Stops an installer made by {@link #create}. */
	public static void close(Installer i) {
		((InstallerImpl) i).close();
	}
}
