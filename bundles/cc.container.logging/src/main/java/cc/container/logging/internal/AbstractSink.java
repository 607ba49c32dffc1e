package cc.container.logging.internal;

import cc.container.api.config.LogLevel;
import java.io.PrintStream;

/** Level handling and "say a failure once" for sinks. */
abstract class AbstractSink implements Sink {
	private volatile LogLevel level;
	private final PrintStream fallback;
	private String lastProblem;

	AbstractSink(LogLevel level, PrintStream fallback) {
		this.level = level;
		this.fallback = fallback;
	}

	@Override
	public LogLevel level() {
		return level;
	}

	@Override
	public void level(LogLevel level) {
		this.level = level;
	}

	/** Reports a sink failure on standard error, once until the sink works again. */
	final synchronized void problem(String what) {
		if (!what.equals(lastProblem)) {
			lastProblem = what;
			fallback.println(LogLine.ISO.format(java.time.Instant.now()) + " WARNING [cc.container.logging] " + what);
		}
	}

	final synchronized void recovered() {
		lastProblem = null;
	}
}
