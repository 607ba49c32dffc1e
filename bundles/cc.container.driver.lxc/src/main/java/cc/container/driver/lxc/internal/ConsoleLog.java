package cc.container.driver.lxc.internal;

import cc.container.util.Lines;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.function.Consumer;

/**
 * A container's console log ({@code console.log}, and {@code console.log.1} that LXC rotates it to). The console is
 * a terminal: lines end in CR LF, and the CR is dropped here. The files are opened without following links and read
 * from their end, at most {@value #MAX_TAIL} bytes of each, so neither a link nor a file that grew past its cap can
 * make the daemon read what is not the console's, or more than it can hold.
 */
final class ConsoleLog {
	/** The most bytes read from the end of each file for a tail. */
	static final int MAX_TAIL = 2 << 20;
	/** The most bytes a follower reads in one poll. */
	static final int MAX_POLL = 256 << 10;
	private final Path file;

	ConsoleLog(Path file) {
		this.file = file;
	}

	Path rotated() {
		return file.resolveSibling(file.getFileName() + ".1");
	}

	/** The last {@code n} lines, from the rotated file first when the live one has fewer. */
	List<String> tail(int n) throws IOException {
		Deque<String> last = new ArrayDeque<>();
		for (Path p : List.of(rotated(), file)) {
			lastBytes(p, (line) -> {
				last.addLast(line);
				if (last.size() > n) {
					last.removeFirst();
				}
			});
		}
		return new ArrayList<>(last);
	}

	/** Hands the lines of the last {@link #MAX_TAIL} bytes of {@code p} to {@code sink}; nothing for a missing file. */
	private static void lastBytes(Path p, Consumer<String> sink) throws IOException {
		try (SeekableByteChannel ch = Files.newByteChannel(p, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
			long size = ch.size();
			long from = Math.max(0, size - MAX_TAIL);
			ch.position(from);
			// Read from the middle, the first line would be the end of a longer one: it is skipped.
			boolean[] skip = { from > 0 };
			Lines target = new Lines(line -> {
				if (!skip[0]) {
					sink.accept(line);
				}
				skip[0] = false;
			});
			ByteBuffer buf = ByteBuffer.allocate(64 << 10);
			while (ch.read(buf) > 0) {
				target.feed(buf.array(), 0, buf.position());
				buf.clear();
			}
			target.flush();
		} catch (NoSuchFileException e) {
			// no console output yet
		}
	}

	static String strip(String line) {
		return line.endsWith("\r") ? line.substring(0, line.length() - 1) : line;
	}

	/** Follows the file: each {@link #poll()} hands the lines written since the previous one to the sink. */
	final class Follower {
		private final Lines lines;
		private long position;

		Follower(Consumer<String> sink) throws IOException {
			this.lines = new Lines(sink);
			this.position = size();
		}

		private long size() throws IOException {
			try {
				return Files.exists(file, LinkOption.NOFOLLOW_LINKS) ? Files.size(file) : 0;
			} catch (NoSuchFileException e) {
				return 0;
			}
		}

		void poll() {
			try (SeekableByteChannel ch = Files.newByteChannel(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
				long size = ch.size();
				if (size < position) {
					position = 0; // rotated: the live file starts again
				}
				if (size == position) {
					return;
				}
				ch.position(position);
				ByteBuffer buf = ByteBuffer.allocate((int) Math.min(size - position, MAX_POLL));
				int n = ch.read(buf);
				if (n > 0) {
					position += n;
					lines.feed(buf.array(), 0, n);
				}
			} catch (IOException e) {
				// not there yet, or being rotated: the next poll reads on
			}
		}
	}
}
