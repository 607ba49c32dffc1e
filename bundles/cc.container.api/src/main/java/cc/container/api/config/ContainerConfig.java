package cc.container.api.config;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One entry of the containers configuration ({@code <working_path>/cc-containers.conf}).
 *
 * @param id unique name, {@code [A-Za-z0-9][A-Za-z0-9_.-]{0,63}}
 * @param friendlyName name shown to people, or {@code null}
 * @param version version of the installed package, as given (numbers are kept as their text), or {@code null}
 * @param runtime {@code lxc} or {@code podman}
 * @param createArgs Podman only: arguments for {@code podman create}, split like a POSIX shell splits words
 * @param autostart whether the container runs after the device boots and after its installation
 * @param monitor whether the manager queries it (statistics, crash detection, restarts)
 * @param restart the restart policy
 * @param drm its telemetry for a remote manager (the package's {@code drm} block), or {@code null}
 * @param packageId the {@code package_id} of the package it was installed from, or {@code null}
 * @param health its health check, or {@code null} (a Podman image's own HEALTHCHECK is run then)
 * @param forwardLogs whether each line of its output goes to the system log
 */
public record ContainerConfig(String id, String friendlyName, String version, String runtime, String createArgs,
	boolean autostart, boolean monitor, RestartPolicy restart, DrmSettings drm, String packageId, HealthCheck health, boolean forwardLogs) {

	/** What a container id may look like: it becomes a file and a container name. */
	public static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}");

	/** The runtime name of LXC containers. */
	public static final String LXC = "lxc";

	/** The runtime name of OCI containers run by Podman. */
	public static final String PODMAN = "podman";

	/** Checks the id and that nothing mandatory is missing. */
	public ContainerConfig {
		Objects.requireNonNull(id, "id");
		Objects.requireNonNull(runtime, "runtime");
		Objects.requireNonNull(restart, "restart");
		if (!ID.matcher(id).matches()) {
			throw new IllegalArgumentException("invalid container id \"" + id
				+ "\": use 1 to 64 letters, digits, '_', '.' or '-', starting with a letter or digit");
		}
		createArgs = createArgs == null ? "" : createArgs;
	}

	/** An entry without telemetry settings or package id. */
	public ContainerConfig(String id, String friendlyName, String version, String runtime, String createArgs, boolean autostart, boolean monitor,
		RestartPolicy restart) {
		this(id, friendlyName, version, runtime, createArgs, autostart, monitor, restart, null, null);
	}

	/** An entry without a health check, its output not forwarded (the canonical constructor of version 1.0). */
	public ContainerConfig(String id, String friendlyName, String version, String runtime, String createArgs, boolean autostart, boolean monitor,
		RestartPolicy restart, DrmSettings drm, String packageId) {
		this(id, friendlyName, version, runtime, createArgs, autostart, monitor, restart, drm, packageId, null, false);
	}

	/** The name to show people: the friendly name, else the id. */
	public String displayName() {
		return friendlyName == null || friendlyName.isEmpty() ? id : friendlyName;
	}

	/** A copy with another autostart flag. */
	public ContainerConfig withAutostart(boolean value) {
		return new ContainerConfig(id, friendlyName, version, runtime, createArgs, value, monitor, restart, drm, packageId, health, forwardLogs);
	}

	/** A copy with another monitor flag. */
	public ContainerConfig withMonitor(boolean value) {
		return new ContainerConfig(id, friendlyName, version, runtime, createArgs, autostart, value, restart, drm, packageId, health, forwardLogs);
	}

	/** A copy with another friendly name. */
	public ContainerConfig withFriendlyName(String value) {
		return new ContainerConfig(id, value, version, runtime, createArgs, autostart, monitor, restart, drm, packageId, health, forwardLogs);
	}

	/** A copy with another restart policy. */
	public ContainerConfig withRestart(RestartPolicy value) {
		return new ContainerConfig(id, friendlyName, version, runtime, createArgs, autostart, monitor, value, drm, packageId, health, forwardLogs);
	}

	/** A copy with other telemetry settings ({@code null}: none). */
	public ContainerConfig withDrm(DrmSettings value) {
		return new ContainerConfig(id, friendlyName, version, runtime, createArgs, autostart, monitor, restart, value, packageId, health, forwardLogs);
	}

	/** A copy with another health check ({@code null}: none). */
	public ContainerConfig withHealth(HealthCheck value) {
		return new ContainerConfig(id, friendlyName, version, runtime, createArgs, autostart, monitor, restart, drm, packageId, value, forwardLogs);
	}

	/** A copy whose output is forwarded to the system log, or not. */
	public ContainerConfig withForwardLogs(boolean value) {
		return new ContainerConfig(id, friendlyName, version, runtime, createArgs, autostart, monitor, restart, drm, packageId, health, value);
	}
}
