package cc.container.driver.lxc.internal;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.function.Consumer;

/**
 * A container's console log ({@code console.log}, and {@code console.log.1} that LXC rotates it to). The console is
 * a terminal: lines end in CR LF, and the CR is dropped here.
 */
final class ConsoleLog {
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
			if (Files.exists(p)) {
				for (String line : lines(Files.readAllBytes(p))) {
					last.addLast(line);
					if (last.size() > n) {
						last.removeFirst();
					}
				}
			}
		}
		return new ArrayList<>(last);
	}

	static List<String> lines(byte[] bytes) {
		List<String> out = new ArrayList<>();
		for (String line : new String(bytes, StandardCharsets.UTF_8).split("\n")) {
			out.add(strip(line));
		}
		if (!out.isEmpty() && out.get(out.size() - 1).isEmpty()) {
			out.remove(out.size() - 1);
		}
		return out;
	}

	static String strip(String line) {
		return line.endsWith("\r") ? line.substring(0, line.length() - 1) : line;
	}

	/** Follows the file: each {@link #poll()} hands the lines written since the previous one to the sink. */
	final class Follower {
		private final Consumer<String> sink;
		private long position;
		private final StringBuilder partial = new StringBuilder();

		Follower(Consumer<String> sink) throws IOException {
			this.sink = sink;
			this.position = Files.exists(file) ? Files.size(file) : 0;
		}

		void poll() {
			try {
				if (!Files.exists(file)) {
					return;
				}
				long size = Files.size(file);
				if (size < position) {
					position = 0; // rotated: the live file starts again
				}
				if (size == position) {
					return;
				}
				try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "r")) {
					raf.seek(position);
					byte[] buf = new byte[(int) Math.min(size - position, 1 << 20)];
					raf.readFully(buf);
					position += buf.length;
					partial.append(new String(buf, StandardCharsets.UTF_8));
				}
				int nl;
				while ((nl = partial.indexOf("\n")) >= 0) {
					sink.accept(strip(partial.substring(0, nl)));
					partial.delete(0, nl + 1);
				}
			} catch (IOException e) {
				// the file is being rotated; the next poll reads on
			}
		}
	}
}
