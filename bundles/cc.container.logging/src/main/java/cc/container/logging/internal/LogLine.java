package cc.container.logging.internal;

import cc.container.api.config.LogLevel;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * One message on its way to the sinks.
 *
 * @param time when it was logged
 * @param level its severity
 * @param source who logged it: a bundle's symbolic name, or the framework
 * @param message the text
 * @param error the exception that came with it, or {@code null}
 */
public record LogLine(Instant time, LogLevel level, String source, String message, Throwable error) {

	static final DateTimeFormatter ISO = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

	/** {@code 2026-11-28T21:00:00.000Z ERROR [source] message: exception}, on one line. */
	public String format() {
		StringBuilder b = new StringBuilder(96 + message.length());
		b.append(ISO.format(time)).append(' ').append(level.name());
		for (int i = level.name().length(); i < 8; i++) {
			b.append(' ');
		}
		b.append('[').append(source).append("] ").append(body());
		return b.toString();
	}

	/** The message, with the exception's class and text appended. */
	public String body() {
		if (error == null) {
			return message;
		}
		String e = String.valueOf(error);
		return message.contains(e) ? message : message + ": " + e;
	}

	/** The stack trace of the exception, or an empty string. */
	public String stackTrace() {
		if (error == null) {
			return "";
		}
		StringWriter w = new StringWriter();
		error.printStackTrace(new PrintWriter(w));
		return w.toString();
	}
}
