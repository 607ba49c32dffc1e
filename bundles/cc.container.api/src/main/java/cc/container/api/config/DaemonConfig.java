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
 */
public record DaemonConfig(Path file, ServiceSettings service, LoggingSettings logging, RuntimeSettings runtimes) {

	/** Validates that no part is missing. */
	public DaemonConfig {
		Objects.requireNonNull(file, "file");
		Objects.requireNonNull(service, "service");
		Objects.requireNonNull(logging, "logging");
		Objects.requireNonNull(runtimes, "runtimes");
	}
}
