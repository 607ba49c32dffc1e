package cc.container.logging.internal;

import cc.container.api.config.LogLevel;
import cc.container.util.net.UnixDatagram;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * Sends lines to the system logger's datagram socket in the local syslog format
 * ({@code <PRI>Mmm dd hh:mm:ss tag[pid]: message}, facility daemon). When nobody listens, lines are dropped and the
 * sink says so once on standard error.
 */
final class SyslogSink extends AbstractSink {
	private static final int FACILITY_DAEMON = 3;
	private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("MMM ppd HH:mm:ss", Locale.ROOT)
		.withZone(ZoneId.systemDefault());
	private final Path socket;
	private final String tag;
	private final long pid = ProcessHandle.current().pid();
	private UnixDatagram channel;

	SyslogSink(LogLevel level, Path socket, String tag, PrintStream fallback) {
		super(level, fallback);
		this.socket = socket;
		this.tag = tag;
	}

	static int severity(LogLevel level) {
		switch (level) {
			case DEBUG:
				return 7;
			case INFO:
				return 6;
			case WARNING:
				return 4;
			case ERROR:
				return 3;
			default:
				return 2;
		}
	}

	String frame(LogLine line) {
		int pri = FACILITY_DAEMON * 8 + severity(line.level());
		return "<" + pri + ">" + STAMP.format(line.time()) + " " + tag + "[" + pid + "]: " + line.level().name() + " ["
			+ line.source() + "] " + line.body().replace('\n', ' ');
	}

	@Override
	public synchronized void write(LogLine line) {
		try {
			if (channel == null) {
				channel = UnixDatagram.open();
			}
			channel.send(socket, frame(line).getBytes(StandardCharsets.UTF_8));
			recovered();
		} catch (IOException | LinkageError e) {
			problem("Syslog messages are dropped: " + e.getMessage() + ". They are sent again once the system logger listens at " + socket + ".");
		}
	}

	@Override
	public synchronized void close() {
		if (channel != null) {
			channel.close();
			channel = null;
		}
	}
}
