package cc.container.api.config;

import java.util.Locale;

/** Severity of a log message, as named in the daemon configuration. */
public enum LogLevel {
	/** Details for developers: every runtime command, every state transition. */
	DEBUG,
	/** What the manager does: a container started, a package installed. */
	INFO,
	/** Something unexpected that the manager worked around. */
	WARNING,
	/** An operation failed; a container may not be where its user wants it. */
	ERROR,
	/** The daemon itself cannot go on as configured. */
	CRITICAL;

	/**
	 * Parses a level name as the configuration writes it ({@code WARN} is accepted for {@link #WARNING}), ignoring
	 * case.
	 *
	 * @throws IllegalArgumentException naming the accepted levels when {@code name} is none of them
	 */
	public static LogLevel parse(String name) {
		String n = name == null ? "" : name.trim().toUpperCase(Locale.ROOT);
		if (n.equals("WARN")) {
			return WARNING;
		}
		for (LogLevel l : values()) {
			if (l.name().equals(n)) {
				return l;
			}
		}
		throw new IllegalArgumentException("unknown log level \"" + name + "\": use DEBUG, INFO, WARNING, ERROR or CRITICAL");
	}

	/** True when a message of level {@code message} passes a sink set to this level. */
	public boolean admits(LogLevel message) {
		return message.ordinal() >= ordinal();
	}
}
