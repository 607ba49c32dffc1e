package cc.container.logging.internal;

import cc.container.api.config.LogLevel;
import cc.container.util.net.UnixDatagram;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

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
	/** The most lines kept while the channel opens (a start logs some thirty). */
	static final int EARLY_MAX = 1000;
	private UnixDatagram channel;
	/*
	 * The channel is opened on a thread of its own: the first opening loads JNA, some 40 to 90 ms that are not spent on
	 * the daemon's start-up path (the log router writes what was logged before it, at its activation). Lines written
	 * meanwhile wait in early and go, in order, once it is open; opened counts down when the opening ended.
	 */
	private final CountDownLatch opened = new CountDownLatch(1);
	private final List<String> early = new ArrayList<>();
	private boolean opening = true;
	private int earlyDropped;
	private boolean closed;

	SyslogSink(LogLevel level, Path socket, String tag, PrintStream fallback) {
		this(level, socket, tag, fallback, open -> {
			Thread t = new Thread(open, "cc-syslog-open");
			t.setDaemon(true);
			t.start();
		});
	}

	/** The same, its channel opened where {@code opener} runs it (tests hold it). */
	SyslogSink(LogLevel level, Path socket, String tag, PrintStream fallback, Executor opener) {
		super(level, fallback);
		this.socket = socket;
		this.tag = tag;
		opener.execute(this::open);
	}

	private void open() {
		UnixDatagram c = null;
		try {
			c = UnixDatagram.open();
		} catch (IOException | RuntimeException | Error e) {
			// send() tries again, and says why it cannot (JNA's static initialiser may throw a plain Error, once)
		}
		synchronized (this) {
			opening = false;
			opened.countDown();
			if (closed) {
				if (c != null) {
					c.close();
				}
				return;
			}
			channel = c;
			early.forEach(this::send);
			early.clear();
			if (earlyDropped > 0) {
				problem(earlyDropped + " syslog messages of the start were dropped while the system logger's socket was opened.");
			}
		}
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
		String frame = frame(line); // the line's own time, whenever it is sent
		if (opening) {
			if (early.size() < EARLY_MAX) {
				early.add(frame);
			} else {
				earlyDropped++;
			}
			return;
		}
		send(frame);
	}

	private void send(String frame) {
		try {
			if (channel == null) {
				channel = UnixDatagram.open();
			}
			channel.send(socket, frame.getBytes(StandardCharsets.UTF_8));
			recovered();
		} catch (IOException | RuntimeException | LinkageError e) {
			problem("Syslog messages are dropped: " + e.getMessage() + ". They are sent again once the system logger listens at " + socket + ".");
		}
	}

	/** Sends what waits for the channel (it waits a few seconds at most for it), then closes it. */
	@Override
	public void close() {
		try {
			opened.await(5, TimeUnit.SECONDS);
		} catch (InterruptedException e) {
			Thread.currentThread().interrupt();
		}
		synchronized (this) {
			closed = true;
			early.clear();
			if (channel != null) {
				channel.close();
				channel = null;
			}
		}
	}
}
