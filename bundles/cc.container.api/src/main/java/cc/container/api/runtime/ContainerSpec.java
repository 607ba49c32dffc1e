package cc.container.api.runtime;

import cc.container.api.config.ContainerConfig;
import java.util.Objects;

/**
 * What a driver needs to create a container.
 *
 * @param id the container's id, which becomes its name in the runtime
 * @param version the version being installed (labelled on the container), or {@code null}
 * @param createArgs Podman only: arguments of {@code podman create}, split like a POSIX shell splits words
 */
public record ContainerSpec(String id, String version, String createArgs) {

	/** Checks the id. */
	public ContainerSpec {
		Objects.requireNonNull(id, "id");
		if (!ContainerConfig.ID.matcher(id).matches()) {
			throw new IllegalArgumentException("invalid container id \"" + id + "\"");
		}
		createArgs = createArgs == null ? "" : createArgs;
	}

	/** Whether {@code id} is a valid container id. */
	public static boolean isValidId(String id) {
		return id != null && ContainerConfig.ID.matcher(id).matches();
	}

	/** The spec of a configured container. */
	public static ContainerSpec of(ContainerConfig c) {
		return new ContainerSpec(c.id(), c.version(), c.createArgs());
	}
}
