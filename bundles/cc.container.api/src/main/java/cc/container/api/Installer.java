package cc.container.api;

import java.nio.file.Path;
import java.util.function.Consumer;
import org.osgi.annotation.versioning.ProviderType;

/**
 * Installs, updates and removes containers from DCP packages. A package is untrusted: it is verified completely
 * before anything is changed, and a package that fails any check leaves nothing behind. Operations run one at a time.
 */
@ProviderType
public interface Installer {

	/**
	 * Installs a package: verifies it, hands the payload to its runtime, registers the container from the package's
	 * {@code registration_defaults}, and starts it when it autostarts (and {@code start}).
	 *
	 * @param progress told what is being done ({@code verifying}, {@code loading}, {@code starting}), in a few words
	 */
	default ContainerReport install(Path dcp, boolean start, Consumer<String> progress) throws InstallException {
		return install(dcp, null, start, progress);
	}

	/**
	 * Installs a package as the container {@code id} (for a package whose id changes with every build), or, with
	 * {@code id} null, as the package's own container id: its manifest's {@code name} when it has one, else its
	 * {@code package_id}.
	 */
	ContainerReport install(Path dcp, String id, boolean start, Consumer<String> progress) throws InstallException;

	/**
	 * Replaces an installed container with a newer version of its package; the user's {@code autostart},
	 * {@code monitor}, {@code restart} and {@code friendly_name} stay. When the new version does not reach running, or
	 * dies within the settle time, the previous version is put back and started, and the exception says why.
	 *
	 * @param force accept the same or an older version
	 */
	default ContainerReport update(Path dcp, boolean force, Consumer<String> progress) throws InstallException {
		return update(dcp, null, force, progress);
	}

	/**
	 * Updates the container {@code id} with a package (two builds of one manifest by the vendor's older generators have
	 * different package ids), or, with {@code id} null, the package's own container id.
	 */
	ContainerReport update(Path dcp, String id, boolean force, Consumer<String> progress) throws InstallException;

	/** Stops and removes a container: from its runtime, the containers configuration and state.json. */
	void remove(String id) throws InstallException;
}
