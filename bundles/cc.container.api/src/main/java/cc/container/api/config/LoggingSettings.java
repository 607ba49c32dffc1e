package cc.container.api.config;

import java.nio.file.Path;
import java.util.Objects;

/**
 * The {@code logging} section of the daemon configuration. A sink's level is its own when the file sets one, else
 * the section's default {@link #level()}; the records below already hold the effective level.
 *
 * @param level the default level of every sink
 * @param syslog messages to the system logger
 * @param console messages to the daemon's standard error
 * @param file messages to a rotated file
 */
public record LoggingSettings(LogLevel level, Syslog syslog, Console console, File file) {

	/** Validates that no part is missing. */
	public LoggingSettings {
		Objects.requireNonNull(level, "level");
		Objects.requireNonNull(syslog, "syslog");
		Objects.requireNonNull(console, "console");
		Objects.requireNonNull(file, "file");
	}

	/**
	 * The syslog sink.
	 *
	 * @param enabled whether messages go to the system logger
	 * @param level the lowest level sent
	 * @param socket the system logger's datagram socket, normally {@code /dev/log}
	 * @param tag the program name syslog shows
	 */
	public record Syslog(boolean enabled, LogLevel level, Path socket, String tag) {
	}

	/**
	 * The console sink (standard error).
	 *
	 * @param enabled whether messages go to standard error
	 * @param level the lowest level written
	 */
	public record Console(boolean enabled, LogLevel level) {
	}

	/**
	 * The file sink.
	 *
	 * @param enabled whether messages go to the file
	 * @param path the log file
	 * @param level the lowest level written
	 * @param maxSize bytes after which the file is rotated
	 * @param keep how many rotated files ({@code path.1} … {@code path.keep}) are kept
	 */
	public record File(boolean enabled, Path path, LogLevel level, long maxSize, int keep) {
	}
}
