package cc.container.logging.internal;

import cc.container.api.config.LogLevel;
import java.io.PrintStream;

/** Writes lines to the daemon's standard error. */
final class ConsoleSink extends AbstractSink {
	private final PrintStream out;

	ConsoleSink(LogLevel level, PrintStream out) {
		super(level, out);
		this.out = out;
	}

	@Override
	public synchronized void write(LogLine line) {
		out.println(line.format());
		if (line.error() != null && level() == LogLevel.DEBUG) {
			out.print(line.stackTrace());
		}
		out.flush();
	}

	@Override
	public void close() {
		out.flush();
	}
}
