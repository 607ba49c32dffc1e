package cc.container.api.config;

import java.nio.file.Path;
import java.util.Objects;

/**
 * The daemon configuration ({@code /etc/cc-container-mng.conf}), validated and with every default filled in.
 *
 * @param file the file it was read from
 * @param service where containers live and how often and how long the manager talks to runtimes
 * @param logging the log sinks
 * @param runtimes how the runtime tools are invoked
 * @param security which packages and bundles the device trusts, and what a package may ask of the host
 * @param remote the MQTT broker the device reports to, when enabled
 */
public record DaemonConfig(Path file, ServiceSettings service, LoggingSettings logging, RuntimeSettings runtimes, SecuritySettings security,
	RemoteSettings remote) {

	/** Validates that no part is missing. */
	public DaemonConfig {
		Objects.requireNonNull(file, "file");
		Objects.requireNonNull(service, "service");
		Objects.requireNonNull(logging, "logging");
		Objects.requireNonNull(runtimes, "runtimes");
		Objects.requireNonNull(security, "security");
		Objects.requireNonNull(remote, "remote");
	}

	/** A configuration without remote management. */
	public DaemonConfig(Path file, ServiceSettings service, LoggingSettings logging, RuntimeSettings runtimes, SecuritySettings security) {
		this(file, service, logging, runtimes, security, RemoteSettings.DISABLED);
	}

	/** A configuration with the default security settings (the constructor of version 1.0 of this package). */
	public DaemonConfig(Path file, ServiceSettings service, LoggingSettings logging, RuntimeSettings runtimes) {
		this(file, service, logging, runtimes, SecuritySettings.DEFAULT);
	}
}
