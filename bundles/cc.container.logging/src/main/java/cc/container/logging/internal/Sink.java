package cc.container.logging.internal;

import cc.container.api.config.LogLevel;

/** A destination of log lines with a level of its own. */
public interface Sink extends AutoCloseable {

	/** The lowest level this sink writes. */
	LogLevel level();

	/** Sets the lowest level this sink writes. */
	void level(LogLevel level);

	/** Writes one line; never throws (a sink that fails says so once on standard error). */
	void write(LogLine line);

	@Override
	void close();
}
