package cc.container.logging.internal;

import static org.assertj.core.api.Assertions.assertThat;

import cc.container.api.config.LogLevel;
import cc.container.api.config.LoggingSettings;
import cc.container.util.net.UnixDatagram;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SinksTest {
	@TempDir
	Path dir;

	final ByteArrayOutputStream console = new ByteArrayOutputStream();
	final PrintStream stderr = new PrintStream(console, true, StandardCharsets.UTF_8);

	static LogLine line(LogLevel level, String message) {
		return new LogLine(Instant.parse("2026-11-28T21:00:00.000Z"), level, "cc.container.test", message, null);
	}

	LoggingSettings settings(LogLevel console, LogLevel file, long maxSize, boolean syslog, Path socket) {
		return new LoggingSettings(LogLevel.ERROR, new LoggingSettings.Syslog(syslog, LogLevel.WARNING, socket, "cc-test"),
			new LoggingSettings.Console(true, console),
			new LoggingSettings.File(true, dir.resolve("log/cc-containerd.log"), file, maxSize, 3));
	}

	String consoleText() {
		return console.toString(StandardCharsets.UTF_8);
	}

	@Test
	void eachSinkWritesOnlyItsLevelAndAbove() throws Exception {
		try (Sinks sinks = Sinks.of(settings(LogLevel.ERROR, LogLevel.INFO, 1 << 20, false, null), stderr)) {
			sinks.write(line(LogLevel.DEBUG, "debug line"));
			sinks.write(line(LogLevel.INFO, "info line"));
			sinks.write(line(LogLevel.ERROR, "error line"));
			assertThat(sinks.lowest()).isEqualTo(LogLevel.INFO);
		}
		String file = Files.readString(dir.resolve("log/cc-containerd.log"));
		assertThat(file).doesNotContain("debug line").contains("info line", "error line");
		assertThat(consoleText()).doesNotContain("debug line", "info line")
			.contains("2026-11-28T21:00:00.000Z ERROR   [cc.container.test] error line");
	}

	@Test
	void levelChangesAtRunTime() throws Exception {
		try (Sinks sinks = Sinks.of(settings(LogLevel.ERROR, LogLevel.ERROR, 1 << 20, false, null), stderr)) {
			sinks.write(line(LogLevel.DEBUG, "before"));
			sinks.level(LogLevel.DEBUG);
			sinks.write(line(LogLevel.DEBUG, "after"));
			assertThat(sinks.lowest()).isEqualTo(LogLevel.DEBUG);
		}
		assertThat(consoleText()).doesNotContain("before").contains("after");
		assertThat(Files.readString(dir.resolve("log/cc-containerd.log"))).doesNotContain("before").contains("after");
	}

	@Test
	void fileIsRotatedAtMaxSizeAndOnlyKeepFilesAreKept() throws Exception {
		long maxSize = 4096;
		String filler = "x".repeat(200);
		try (Sinks sinks = Sinks.of(settings(LogLevel.CRITICAL, LogLevel.INFO, maxSize, false, null), stderr)) {
			for (int i = 0; i < 200; i++) {
				sinks.write(line(LogLevel.INFO, "line " + i + " " + filler));
			}
		}
		Path log = dir.resolve("log/cc-containerd.log");
		for (Path p : new Path[] { log, dir.resolve("log/cc-containerd.log.1"), dir.resolve("log/cc-containerd.log.2"),
			dir.resolve("log/cc-containerd.log.3") }) {
			assertThat(p).exists();
			assertThat(Files.size(p)).as(p.toString()).isLessThanOrEqualTo(maxSize).isPositive();
		}
		assertThat(dir.resolve("log/cc-containerd.log.4")).doesNotExist();
		assertThat(Files.readString(log)).contains("line 199 ");
		assertThat(Files.readString(dir.resolve("log/cc-containerd.log.1"))).doesNotContain("line 199 ");
		// Newest first: the lines of .1 come right before those of the live file.
		String one = Files.readString(dir.resolve("log/cc-containerd.log.1"));
		String live = Files.readString(log);
		int lastInOne = lastLineNumber(one);
		assertThat(live).contains("line " + (lastInOne + 1) + " ");
	}

	static int lastLineNumber(String text) {
		String[] lines = text.strip().split("\n");
		String last = lines[lines.length - 1];
		String afterLine = last.substring(last.indexOf("] line ") + "] line ".length());
		return Integer.parseInt(afterLine.substring(0, afterLine.indexOf(' ')));
	}

	@Test
	void syslogLinesArriveOnARealDatagramSocket() throws Exception {
		Path socket = dir.resolve("log.sock");
		try (UnixDatagram receiver = UnixDatagram.bind(socket);
			Sinks sinks = Sinks.of(settings(LogLevel.CRITICAL, LogLevel.CRITICAL, 1 << 20, true, socket), stderr)) {
			sinks.write(line(LogLevel.INFO, "below the syslog level"));
			sinks.write(line(LogLevel.ERROR, "container lvgl-demo failed"));
			byte[] got = receive(receiver);
			String msg = new String(got, StandardCharsets.UTF_8);
			// facility daemon (3) * 8 + severity error (3) = 27
			assertThat(msg).startsWith("<27>").contains(" cc-test[" + ProcessHandle.current().pid() + "]: ERROR [cc.container.test] container lvgl-demo failed");
			assertThat(receiver.poll()).as("nothing below the level").isNull();
		}
	}

	@Test
	void syslogLinesWrittenWhileItsChannelOpensArriveInOrder() throws Exception {
		Path socket = dir.resolve("log.sock");
		List<Runnable> held = new ArrayList<>();
		try (UnixDatagram receiver = UnixDatagram.bind(socket); SyslogSink sink = new SyslogSink(LogLevel.INFO, socket, "cc-test", stderr, held::add)) {
			for (int i = 0; i < 5; i++) { // fewer than a datagram socket queues by default (10): sending them never waits
				sink.write(line(LogLevel.ERROR, "line " + i + " of the start"));
			}
			assertThat(receiver.poll()).as("nothing sent before the channel is open").isNull();
			held.forEach(Runnable::run); // the channel opens: what waited goes
			for (int i = 0; i < 5; i++) {
				assertThat(new String(receive(receiver), StandardCharsets.UTF_8)).endsWith("line " + i + " of the start");
			}
			sink.write(line(LogLevel.ERROR, "and after"));
			assertThat(new String(receive(receiver), StandardCharsets.UTF_8)).endsWith("and after");
		}
	}

	@Test
	void syslogWithoutListenerDropsLinesAndSaysSoOnce() {
		Path socket = dir.resolve("nobody.sock");
		try (Sinks sinks = Sinks.of(settings(LogLevel.CRITICAL, LogLevel.CRITICAL, 1 << 20, true, socket), stderr)) {
			sinks.write(line(LogLevel.ERROR, "one"));
			sinks.write(line(LogLevel.ERROR, "two"));
		}
		assertThat(consoleText().lines().filter(l -> l.contains("Syslog messages are dropped"))).hasSize(1);
		assertThat(consoleText()).contains(socket.toString());
	}

	@Test
	void unwritableLogFileIsReportedOnceAndDoesNotStopOtherSinks() throws Exception {
		Path blocker = dir.resolve("log");
		Files.writeString(blocker, "a file where the log folder should be");
		try (Sinks sinks = Sinks.of(settings(LogLevel.ERROR, LogLevel.INFO, 1 << 20, false, null), stderr)) {
			sinks.write(line(LogLevel.ERROR, "first"));
			sinks.write(line(LogLevel.ERROR, "second"));
		}
		assertThat(consoleText().lines().filter(l -> l.contains("Cannot write the log file"))).hasSize(1);
		assertThat(consoleText()).contains("first", "second");
	}

	static byte[] receive(UnixDatagram receiver) throws Exception {
		long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
		while (System.nanoTime() < deadline) {
			byte[] b = receiver.poll();
			if (b != null) {
				return b;
			}
			Thread.sleep(10);
		}
		throw new AssertionError("no datagram within 5 s");
	}
}
