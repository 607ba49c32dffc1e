package cc.container.logging.internal;

import cc.container.api.config.LogLevel;
import cc.container.api.config.LoggingSettings;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/** The sinks that a {@link LoggingSettings} asks for, and the level override set at run time. */
public final class Sinks implements AutoCloseable {
	private final List<Sink> sinks;

	private Sinks(List<Sink> sinks) {
		this.sinks = sinks;
	}

	/** Opens the sinks that {@code settings} enables; {@code stderr} is the console and the fallback. */
	public static Sinks of(LoggingSettings settings, PrintStream stderr) {
		List<Sink> list = new ArrayList<>(3);
		if (settings.console().enabled()) {
			list.add(new ConsoleSink(settings.console().level(), stderr));
		}
		if (settings.file().enabled()) {
			LoggingSettings.File f = settings.file();
			list.add(new FileSink(f.level(), f.path(), f.maxSize(), f.keep(), stderr));
		}
		if (settings.syslog().enabled()) {
			LoggingSettings.Syslog s = settings.syslog();
			list.add(new SyslogSink(s.level(), s.socket(), s.tag(), stderr));
		}
		return new Sinks(List.copyOf(list));
	}

	/** Hands a line to every sink whose level admits it. */
	public void write(LogLine line) {
		for (Sink s : sinks) {
			if (s.level().admits(line.level())) {
				s.write(line);
			}
		}
	}

	/** The least severe level any sink writes; CRITICAL when there is no sink. */
	public LogLevel lowest() {
		LogLevel min = LogLevel.CRITICAL;
		for (Sink s : sinks) {
			if (s.level().ordinal() < min.ordinal()) {
				min = s.level();
			}
		}
		return min;
	}

	/** Sets every sink to {@code level}. */
	public void level(LogLevel level) {
		sinks.forEach(s -> s.level(level));
	}

	@Override
	public void close() {
		sinks.forEach(Sink::close);
	}
}
