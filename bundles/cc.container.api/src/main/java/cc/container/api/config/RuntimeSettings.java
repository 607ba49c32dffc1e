package cc.container.api.config;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The {@code runtimes} section of the daemon configuration (a field of this project's own): how the runtime tools
 * are invoked.
 *
 * @param podman the Podman command line
 * @param lxc the LXC tools
 */
public record RuntimeSettings(Podman podman, Lxc lxc) {

	/** Copies the parts so that the record stays immutable. */
	public RuntimeSettings {
		java.util.Objects.requireNonNull(podman, "podman");
		java.util.Objects.requireNonNull(lxc, "lxc");
	}

	/**
	 * How {@code podman} is run.
	 *
	 * @param binary the program, a path or a name looked up on {@code PATH}
	 * @param globalArgs arguments put before every subcommand (for example {@code --root} and {@code --runroot})
	 * @param environment variables added to the daemon's environment for every call (for example
	 *            {@code CONTAINERS_CONF})
	 */
	public record Podman(String binary, List<String> globalArgs, Map<String, String> environment) {
		/** Copies the collections so that the record stays immutable. */
		public Podman {
			globalArgs = List.copyOf(globalArgs);
			environment = Map.copyOf(environment);
		}
	}

	/**
	 * How the LXC tools are run.
	 *
	 * @param toolsDir the folder holding {@code lxc-start} and its siblings, or {@code null} to look them up on
	 *            {@code PATH}
	 */
	public record Lxc(Path toolsDir) {
	}
}
