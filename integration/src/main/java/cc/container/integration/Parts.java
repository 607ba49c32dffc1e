package cc.container.integration;

import cc.container.api.config.ConfigException;
import cc.container.api.config.DaemonConfig;
import cc.container.api.runtime.RuntimeDriver;
import cc.container.config.internal.StoreConfiguration;
import cc.container.dcp.internal.InstallerImpl;
import cc.container.driver.lxc.internal.LxcDriver;
import cc.container.driver.podman.internal.PodmanDriver;
import cc.container.exec.internal.CommandRunnerImpl;
import cc.container.supervisor.internal.DriverWhiteboard;
import cc.container.supervisor.internal.SupervisorImpl;
import cc.container.testing.TestConfig;
import java.nio.file.Path;
import java.time.Duration;
import org.osgi.service.log.Logger;

/**
 * The daemon's parts put together outside a framework, by their public constructors, as Declarative Services puts them
 * together in one: a command runner, both drivers on the driver whiteboard, the containers store, the supervisor and the
 * installer. For the tests against the real runtimes and the benchmarks; {@link #close} stops what it started (the
 * containers keep running).
 *
 * @param runner the command runner the drivers share
 * @param podman the Podman driver
 * @param lxc the LXC driver
 * @param drivers the whiteboard with both drivers
 * @param store the containers configuration
 * @param supervisor the supervisor, or null when {@link #drivers(DaemonConfig, Path, Logger)} made only the drivers
 * @param installer the installer, or null with the supervisor
 */
public record Parts(CommandRunnerImpl runner, PodmanDriver podman, LxcDriver lxc, DriverWhiteboard drivers, StoreConfiguration store,
	SupervisorImpl supervisor, InstallerImpl installer) implements AutoCloseable {

	/** How long an updated container must keep running in these parts before its update counts as good. */
	public static final Duration SETTLE = Duration.ofSeconds(2);

	/** The drivers alone, on the whiteboard, with the containers store of {@code config}. */
	public static Parts drivers(DaemonConfig config, Path exec, Logger log) throws ConfigException {
		CommandRunnerImpl runner = new CommandRunnerImpl(exec, s -> { });
		PodmanDriver podman = PodmanDriver.standalone(runner, () -> config, log);
		LxcDriver lxc = LxcDriver.standalone(runner, () -> config, log);
		DriverWhiteboard drivers = new DriverWhiteboard();
		drivers.add(podman);
		drivers.add(lxc);
		return new Parts(runner, podman, lxc, drivers, new StoreConfiguration(config.service().containersFile()), null, null);
	}

	/**
	 * Everything: the drivers, a supervisor that reads the kernel's boot id from {@code bootIdFile}, and an installer.
	 *
	 * @param exec where commands keep their output
	 */
	public static Parts open(DaemonConfig config, Path exec, Path bootIdFile, Logger log) throws ConfigException {
		return drivers(config, exec, log).withSupervisor(config, bootIdFile, log);
	}

	/** These drivers with a supervisor and an installer on them. */
	public Parts withSupervisor(DaemonConfig config, Path bootIdFile, Logger log) {
		SupervisorImpl s = new SupervisorImpl(host(null, bootIdFile), TestConfig.service(config), store, drivers, log);
		InstallerImpl i = new InstallerImpl(TestConfig.service(config), store, s, drivers, log, SETTLE, InstallerImpl.RESERVE);
		return new Parts(runner, podman, lxc, drivers, store, s, i);
	}

	/** A supervisor's host: {@code mode} the daemon's mode (null: normal), the boot id read from {@code bootIdFile}. */
	public static SupervisorImpl.Host host(String mode, Path bootIdFile) {
		return new SupervisorImpl.Host() {
			@Override
			public String property(String name) {
				return SupervisorImpl.MODE_PROPERTY.equals(name) ? mode : null;
			}

			@Override
			public String version() {
				return "1.0.0";
			}

			@Override
			public Path bootIdFile() {
				return bootIdFile;
			}

			@Override
			public String environment(String name) {
				return null; // never systemd's notification socket of whatever runs the tests
			}
		};
	}

	/** The driver of {@code runtime}. */
	public RuntimeDriver driver(String runtime) {
		return runtime.equals("podman") ? podman : lxc;
	}

	@Override
	public void close() {
		if (installer != null) {
			installer.close();
		}
		if (supervisor != null) {
			supervisor.deactivate();
		}
		podman.close();
		lxc.close();
	}
}
