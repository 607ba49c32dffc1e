package cc.container.supervisor.internal;

import cc.container.api.Supervisor;
import cc.container.api.config.ContainersConfiguration;
import cc.container.api.config.DaemonConfiguration;
import cc.container.api.runtime.RuntimeDriver;
import java.nio.file.Path;
import java.util.Map;
import org.osgi.service.log.Logger;

/** Builds the supervisor outside a framework, for benchmarks and tools of the project. */
public final class SupervisorAccess {
	private SupervisorAccess() {
	}

	/** A supervisor with these drivers bound; {@link #close} stops it (its containers keep running). */
	public static Supervisor create(DaemonConfiguration daemon, ContainersConfiguration containers, Logger log, Path bootIdFile,
		RuntimeDriver... drivers) {
		SupervisorImpl s = new SupervisorImpl(new SupervisorImpl.Host() {
			@Override
			public String property(String name) {
				return null;
			}

			@Override
			public String version() {
				return "bench";
			}

			@Override
			public void exit(String message, int status) {
			}

			@Override
			public Path bootIdFile() {
				return bootIdFile;
			}
		}, daemon, containers, log);
		for (RuntimeDriver d : drivers) {
			s.bindDriver(d, Map.of(RuntimeDriver.RUNTIME, d.runtime()));
		}
		return s;
	}

	/** Stops a supervisor made by {@link #create}. */
	public static void close(Supervisor s) {
		((SupervisorImpl) s).deactivate();
	}
}
