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
 * @param forward how containers' output is forwarded to the system log (for the containers that ask for it)
 */
public record LoggingSettings(LogLevel level, Syslog syslog, Console console, File file, Forward forward) {

	/** Validates that no part is missing. */
	public LoggingSettings {
		Objects.requireNonNull(level, "level");
		Objects.requireNonNull(syslog, "syslog");
		Objects.requireNonNull(console, "console");
		Objects.requireNonNull(file, "file");
		Objects.requireNonNull(forward, "forward");
	}

	/** Settings with the default forwarding limits (the constructor of version 1.0 of this package). */
	public LoggingSettings(LogLevel level, Syslog syslog, Console console, File file) {
		this(level, syslog, console, file, Forward.DEFAULT);
	}

	/**
	 * The rate limit of containers' output forwarded to the system log, per container: a burst of {@code burst} lines,
	 * then {@code rate} lines a second; what is over is dropped and counted.
	 *
	 * @param rate lines a second, per container
	 * @param burst lines at once, per container
	 */
	public record Forward(int rate, int burst) {
		/** 50 lines a second, bursts of 200. */
		public static final Forward DEFAULT = new Forward(50, 200);
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
