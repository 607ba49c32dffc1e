package cc.container.api.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * The {@code service} section of the daemon configuration.
 *
 * @param workingPath where the containers configuration, {@code state.json} and installed containers live
 * @param monitorInterval time between two status and statistics queries
 * @param commandTimeout time after which a runtime command counts as failed and is killed
 * @param podmanLoadTimeout the same, for loading an OCI image
 * @param controlSocket path of the control socket that {@code containerctl} connects to
 * @param controlGroup name of a group whose members may use the control socket besides root, or {@code null}
 * @param containerLogMaxSize the most bytes of output kept per container (LXC console log, Podman log)
 */
public record ServiceSettings(Path workingPath, Duration monitorInterval, Duration commandTimeout,
	Duration podmanLoadTimeout, Path controlSocket, String controlGroup, long containerLogMaxSize) {

	/** The default of {@link #containerLogMaxSize()}: 1 MiB. */
	public static final long DEFAULT_CONTAINER_LOG_MAX_SIZE = 1L << 20;

	/** Settings with the default container log size (the constructor of version 1.0 of this package). */
	public ServiceSettings(Path workingPath, Duration monitorInterval, Duration commandTimeout, Duration podmanLoadTimeout, Path controlSocket,
		String controlGroup) {
		this(workingPath, monitorInterval, commandTimeout, podmanLoadTimeout, controlSocket, controlGroup, DEFAULT_CONTAINER_LOG_MAX_SIZE);
	}

	/** Validates that every mandatory part is present. */
	public ServiceSettings {
		Objects.requireNonNull(workingPath, "workingPath");
		Objects.requireNonNull(monitorInterval, "monitorInterval");
		Objects.requireNonNull(commandTimeout, "commandTimeout");
		Objects.requireNonNull(podmanLoadTimeout, "podmanLoadTimeout");
		Objects.requireNonNull(controlSocket, "controlSocket");
	}

	/** The containers configuration file, {@code <working_path>/cc-containers.conf}. */
	public Path containersFile() {
		return workingPath.resolve("cc-containers.conf");
	}

	/** The status file, {@code <working_path>/state.json}. */
	public Path stateFile() {
		return workingPath.resolve("state.json");
	}

	/**
	 * The daemon's private folder, {@code <working_path>/run} (mode 0700): its lock, command output and other scratch
	 * files, never in a shared temporary folder.
	 */
	public Path runDir() {
		return workingPath.resolve("run");
	}

	/** The LXC {@code lxcpath} of managed LXC containers, {@code <working_path>/installed/lxc}. */
	public Path lxcPath() {
		return workingPath.resolve("installed").resolve("lxc");
	}
}
