package cc.container.util.runtime;

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
import java.util.function.Supplier;

/**
 * A container's output as its runtime keeps it in a file: LXC's console log ({@code console.log}, rotated to
 * {@code console.log.1}), Podman's k8s-file log ({@code ctr.log}, which conmon truncates past its cap). The file is
 * opened without following links and read from its end, at most {@value #MAX_TAIL} bytes of each file, so neither a
 * link nor a file that grew past its cap can make the daemon read what is not the container's, or more than it can
 * hold. A {@link Format} turns the file's lines into the container's.
 */
public final class LogFile {
	/** The most bytes read from the end of each file for a tail. */
	static final int MAX_TAIL = 2 << 20;
	/** The most bytes a follower reads in one poll. */
	static final int MAX_POLL = 256 << 10;
	private final Path file;
	private final Path rotated;
	private final Supplier<Format> format;

	/** How a runtime writes the lines of a container's output; one instance reads one stretch of the file. */
	public interface Format {
		/** Takes one line of the file and hands the container's lines it completes to {@code out}. */
		void line(String raw, Consumer<String> out);
	}

	/** A terminal's output as is (LXC's console): lines as written, their CR dropped. */
	public static final Supplier<Format> PLAIN = () -> (raw, out) -> out.accept(raw);

	/**
	 * Podman's k8s-file format: {@code <time> <stdout|stderr> <P|F> <text>}, a line written in parts ({@code P}) joined
	 * up to its full one ({@code F}). A line that is not in the format (the first after conmon truncated the file, cut
	 * in the middle) is skipped.
	 */
	public static final Supplier<Format> KUBERNETES = () -> new Format() {
		private final StringBuilder partial = new StringBuilder();

		@Override
		public void line(String raw, Consumer<String> out) {
			int a = raw.indexOf(' ');
			int b = a < 0 ? -1 : raw.indexOf(' ', a + 1);
			if (b < 0 || b + 2 > raw.length() || raw.charAt(b + 2) != ' ' && raw.length() > b + 2) {
				return;
			}
			String stream = raw.substring(a + 1, b);
			char tag = raw.charAt(b + 1);
			if (!(stream.equals("stdout") || stream.equals("stderr")) || tag != 'P' && tag != 'F') {
				return;
			}
			String text = raw.length() > b + 3 ? raw.substring(b + 3) : "";
			if (tag == 'P') {
				if (partial.length() < Lines.MAX_LINE) {
					partial.append(text);
				}
				return;
			}
			out.accept(partial.length() == 0 ? text : partial.append(text).toString());
			partial.setLength(0);
		}
	};

	/**
	 * @param rotated the file the runtime rotates it to, or null
	 */
	public LogFile(Path file, Path rotated, Supplier<Format> format) {
		this.file = file;
		this.rotated = rotated;
		this.format = format;
	}

	/** The last {@code n} lines, from the rotated file first when the live one has fewer. */
	public List<String> tail(int n) throws IOException {
		Deque<String> last = new ArrayDeque<>();
		List<Path> files = rotated == null ? List.of(file) : List.of(rotated, file);
		for (Path p : files) {
			Format f = format.get();
			lastBytes(p, raw -> f.line(raw, line -> {
				last.addLast(line);
				if (last.size() > n) {
					last.removeFirst();
				}
			}));
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
			// no output yet
		}
	}

	/** A follower of the file from its end on: each {@link Follower#poll()} hands what was written since to {@code sink}. */
	public Follower follow(Consumer<String> sink) throws IOException {
		return new Follower(sink);
	}

	/** Follows the file: each {@link #poll()} hands the lines written since the previous one to the sink. */
	public final class Follower {
		private final Lines lines;
		private long position;

		Follower(Consumer<String> sink) throws IOException {
			Format f = format.get();
			this.lines = new Lines(raw -> f.line(raw, sink));
			this.position = size();
		}

		private long size() throws IOException {
			try {
				return Files.exists(file, LinkOption.NOFOLLOW_LINKS) ? Files.size(file) : 0;
			} catch (NoSuchFileException e) {
				return 0;
			}
		}

		/** Reads on. */
		public void poll() {
			try (SeekableByteChannel ch = Files.newByteChannel(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
				long size = ch.size();
				if (size < position) {
					position = 0; // rotated or truncated: the live file starts again
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
