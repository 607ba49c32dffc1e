package cc.container.api.runtime;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * A container runtime (LXC, Podman) behind one interface. A driver bundle registers its implementation as a service
 * with the property {@value #RUNTIME} = {@code lxc} or {@code podman}; the manager binds drivers dynamically, so a driver
 * bundle can be stopped, updated and started again while the daemon and the containers keep running. A driver keeps no
 * state that the runtime does not hold itself: a restarted driver finds every container again from the runtime.
 *
 * <p>A driver only ever touches containers it created (Podman: labelled as managed; LXC: under its own lxcpath).
 * Every method that runs a tool is bounded by the daemon's {@code command_timeout} (image loads by
 * {@code podman_load_timeout}) and may block the caller for that long.
 */
@ConsumerType
public interface RuntimeDriver {

	/** The service property that names the runtime a driver serves. */
	String RUNTIME = "runtime";

	/** The runtime this driver serves: {@code lxc} or {@code podman}. */
	String runtime();

	/**
	 * Installs a container from a verified payload and creates it, stopped: Podman loads the image archive, tags it
	 * with a name the manager owns and creates the container; LXC unpacks the bundle into its lxcpath and rewrites its
	 * config for its new home. Nothing is left behind when it fails.
	 *
	 * @param payload the docker-archive (Podman) or the bundle {@code .tar.gz} (LXC)
	 */
	void install(ContainerSpec spec, Path payload) throws DriverException;

	/** Starts a created or stopped container; returns once the runtime reports it started. */
	void start(String id) throws DriverException;

	/**
	 * Starts a container, as {@link #start}, and says how it runs right after ({@code null}: the runtime does not know
	 * it). A driver that learns the new run's pid without another query of its runtime overrides it.
	 *
	 * @since 1.1
	 */
	default ContainerState startAndGet(String id) throws DriverException {
		start(id);
		return states().get(id);
	}

	/** Stops a container: its stop signal, then after {@code grace} a kill. Stopping a stopped container is no error. */
	void stop(String id, Duration grace) throws DriverException;

	/** Gives a container another id (the installer keeps the old version under another name during an update). */
	void rename(String id, String newId) throws DriverException;

	/** Stops and deletes a container and what it was installed from (its image when nothing else uses it, its rootfs). */
	void remove(String id) throws DriverException;

	/** The state of every container this driver manages, by id, from one query of the runtime where it can. */
	Map<String, ContainerState> states() throws DriverException;

	/** A statistics sample of every running container this driver manages, by id, from one query where it can. */
	Map<String, ContainerStats> stats() throws DriverException;

	/** The last {@code lines} lines a container wrote (to its console or standard streams). */
	List<String> logs(String id, int lines) throws DriverException;

	/** Streams a container's output from its last {@code lines} lines on, until the subscription is closed. */
	AutoCloseable followLogs(String id, int lines, Consumer<String> sink) throws DriverException;

	/**
	 * Reports events (started, died, OOM) of managed containers to {@code listener} as they happen, on a thread of
	 * the driver, until the subscription is closed. Listeners must not block.
	 */
	AutoCloseable events(Consumer<ContainerEvent> listener);

	/**
	 * Runs {@code argv} inside a running container (a health check), bounded by {@code timeout}: its exit status and the
	 * last of its output. A driver whose runtime cannot throws {@link DriverException.Kind#UNAVAILABLE}.
	 *
	 * @since 1.1
	 */
	default ExecResult exec(String id, List<String> argv, Duration timeout) throws DriverException {
		throw new DriverException(runtime(), DriverException.Kind.UNAVAILABLE, "the " + runtime() + " driver cannot run commands in its containers");
	}

	/**
	 * The health check a container's image declares (Podman: its {@code HEALTHCHECK}), or {@code null}.
	 *
	 * @since 1.1
	 */
	default ImageHealthCheck imageHealthCheck(String id) throws DriverException {
		return null;
	}

	/**
	 * Runs the check of {@link #imageHealthCheck} once (Podman: {@code podman healthcheck run}).
	 *
	 * @since 1.1
	 */
	default ExecResult runImageHealthCheck(String id, Duration timeout) throws DriverException {
		throw new DriverException(runtime(), DriverException.Kind.UNAVAILABLE, "the " + runtime() + " driver knows no image health checks");
	}

	/**
	 * What a command run in a container ended with.
	 *
	 * @param exitCode its exit status
	 * @param output the last line of what it wrote (standard output and error), or an empty string
	 */
	record ExecResult(int exitCode, String output) {
	}

	/**
	 * The schedule of an image's own health check.
	 *
	 * @param interval time between two checks
	 * @param timeout time a check may take
	 * @param retries failures in a row that make the container unhealthy
	 * @param startPeriod time after a start during which failures do not count
	 */
	record ImageHealthCheck(Duration interval, Duration timeout, int retries, Duration startPeriod) {
	}
}
