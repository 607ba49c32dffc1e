package cc.container.supervisor.internal;

import cc.container.api.Supervisor;
import cc.container.api.config.ContainerConfig;
import cc.container.api.config.ContainersConfiguration;
import cc.container.api.config.DaemonConfiguration;
import cc.container.api.runtime.RuntimeDrivers;
import cc.container.util.DaemonExit;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.ObjIntConsumer;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.log.Logger;
import org.osgi.service.log.LoggerFactory;

/**
 * {@code cc-containerd --stop-managed-containers} when no daemon runs (the device shuts down after the daemon ended):
 * the daemon starts in the {@value SupervisorImpl#STOP_MANAGED} mode, waits for the drivers of the runtimes its
 * containers are on (at most {@code command_timeout}), stops every managed container through the passive supervisor,
 * which keeps their desired states in state.json, and exits 0, or 1 naming those it could not stop. In any other mode
 * it does nothing.
 */
@Component(immediate = true)
public final class ShutdownStop {

	/** Starts the stop in the stop-managed mode. */
	@Activate
	public ShutdownStop(BundleContext context, @Reference Supervisor supervisor, @Reference RuntimeDrivers drivers,
		@Reference DaemonConfiguration daemon, @Reference ContainersConfiguration containers, @Reference(service = LoggerFactory.class) Logger log) {
		if (!SupervisorImpl.STOP_MANAGED.equals(context.getProperty(SupervisorImpl.MODE_PROPERTY))) {
			return;
		}
		Thread t = new Thread(() -> run(supervisor, drivers, daemon.config().service().commandTimeout(), containers, log,
			(message, status) -> DaemonExit.exit(context, message, status)), "cc-stop-managed");
		t.setDaemon(true);
		t.start();
	}

	/**
	 * The stop itself: waits for the drivers, stops, and hands the exit status (and the sentence naming what could not
	 * be stopped) to {@code exit}.
	 */
	public static void run(Supervisor supervisor, RuntimeDrivers drivers, Duration timeout, ContainersConfiguration containers, Logger log,
		ObjIntConsumer<String> exit) {
		long deadline = System.nanoTime() + timeout.toNanos();
		try {
			for (String runtime : new TreeSet<>(containers.containers().stream().map(ContainerConfig::runtime).toList())) {
				Duration left = Duration.ofNanos(Math.max(0, deadline - System.nanoTime()));
				if (drivers.await(runtime, left).isEmpty()) {
					log.warn("The {} driver did not come within {} s: its containers cannot be stopped.", runtime, timeout.toSeconds());
				}
			}
		} catch (InterruptedException e) {
			Thread.currentThread().interrupt();
			return;
		}
		Map<String, String> failed = supervisor.stopAllForShutdown(Duration.ofSeconds(Math.max(1, timeout.toSeconds() / 2)));
		if (failed.isEmpty()) {
			exit.accept(null, 0);
		} else {
			List<String> names = new ArrayList<>();
			failed.forEach((id, why) -> names.add(id + " (" + why + ")"));
			exit.accept("could not stop " + String.join(", ", names), 1);
		}
	}
}
