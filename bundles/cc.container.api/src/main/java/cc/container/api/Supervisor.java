package cc.container.api;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.osgi.annotation.versioning.ProviderType;

/**
 * Keeps every managed container where its user wants it: starts and stops them, restarts them after an unexpected
 * stop by their restart policy, watches their status and statistics, and reports it all in state.json.
 *
 * <p>Operations on one container are serialized; different containers proceed in parallel. The calls below block
 * until the operation is done (bounded by the daemon's {@code command_timeout} and the stop's grace period).
 */
@ProviderType
public interface Supervisor {

	/** The daemon. */
	DaemonReport daemon();

	/** Every managed container, in the order of the containers configuration. */
	List<ContainerReport> containers();

	/** One managed container. */
	Optional<ContainerReport> container(String id);

	/**
	 * Starts a container and makes {@code running} its desired state; clears a restart policy that gave up.
	 *
	 * @return the container once it runs
	 */
	ContainerReport start(String id) throws SupervisorException;

	/**
	 * Stops a container (its stop signal, then a kill after {@code grace}) and makes {@code stopped} its desired state,
	 * which the restart policy never undoes. A pending automatic restart is cancelled.
	 */
	ContainerReport stop(String id, Duration grace) throws SupervisorException;

	/** Stops then starts a container; its desired state becomes {@code running}. */
	ContainerReport restart(String id, Duration grace) throws SupervisorException;

	/**
	 * Takes a container that was just installed (its entry is in the containers configuration) under supervision and
	 * starts it when {@code start}.
	 */
	ContainerReport manage(String id, boolean start) throws SupervisorException;

	/**
	 * Stops every managed container for the device's shutdown, in parallel (each with its stop signal, then a kill
	 * after {@code grace}), without changing any desired state: after the next boot the containers that should run are
	 * started again. From then on nothing is started or restarted automatically until the daemon restarts (a user can
	 * still start a container).
	 *
	 * @return the containers that could not be stopped, each with why; empty when all stopped
	 */
	Map<String, String> stopAllForShutdown(Duration grace);

	/** Whether {@link #stopAllForShutdown} was called: automatic starts and restarts are held. */
	boolean holding();

	/** The last {@code lines} lines a container wrote (its console, or its standard output and error). */
	List<String> logs(String id, int lines) throws SupervisorException;

	/**
	 * Hands a container's output to {@code sink} from its last {@code lines} lines on, until the result is closed.
	 * {@code sink} is called on a thread of the runtime's driver and must not wait.
	 */
	AutoCloseable followLogs(String id, int lines, java.util.function.Consumer<String> sink) throws SupervisorException;

	/**
	 * Reads the daemon configuration and the containers configuration again and applies what changed
	 * (docs/configuration.md, "Editing the files by hand"). A file that is not valid leaves what was in force.
	 *
	 * @return what happened to each file, one sentence each
	 */
	ReloadReport reload();

	/**
	 * What a reload did.
	 *
	 * @param lines one sentence per file: reloaded (and what it changed), or why not
	 * @param ok whether both files were valid and are in force
	 */
	record ReloadReport(List<String> lines, boolean ok) {
		/** Copies the lines. */
		public ReloadReport {
			lines = List.copyOf(lines);
		}
	}

	/**
	 * Stops supervising a container before it is removed or replaced: pending restarts are cancelled, and its death is
	 * no longer an unexpected stop. Its entry in state.json goes when {@link #manage} is not called again.
	 */
	void release(String id);
}
