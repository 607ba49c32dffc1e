package cc.container.api.config;

import org.osgi.annotation.versioning.ProviderType;

/**
 * The daemon configuration in force. Consumers read {@link #config()} whenever they need a value, so a reload
 * reaches them without a restart.
 */
@ProviderType
public interface DaemonConfiguration {

	/** The framework property naming the daemon configuration file (set by {@code cc-containerd --config-file}). */
	String CONFIG_FILE_PROPERTY = "cc.containerd.config";

	/** The configuration in force. */
	DaemonConfig config();

	/**
	 * Reads the file again. When it is valid it comes into force and is returned; when it is not, the last good
	 * configuration stays in force and the exception says what is wrong.
	 */
	DaemonConfig reload() throws ConfigException;

	/**
	 * What keeps the file on disk from being what is in force, in one sentence, or empty: its last reload found it
	 * invalid (the last good configuration stays in force), or it names a new working path or control socket, which
	 * only a restart of the daemon applies.
	 */
	default java.util.Optional<String> problem() {
		return java.util.Optional.empty();
	}
}
