package cc.container.logging.internal;

import cc.container.api.config.LogLevel;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Appends lines to a file and rotates it before it would pass {@code maxSize} bytes: {@code path} becomes
 * {@code path.1}, {@code path.1} becomes {@code path.2}, and so on up to {@code path.keep}; the oldest is deleted.
 * Each line is handed to the kernel as it is written, so a daemon killed loses no line it logged.
 */
final class FileSink extends AbstractSink {
	private final Path path;
	private final long maxSize;
	private final int keep;
	private OutputStream out;
	private long size;

	FileSink(LogLevel level, Path path, long maxSize, int keep, PrintStream fallback) {
		super(level, fallback);
		this.path = path;
		this.maxSize = maxSize;
		this.keep = keep;
	}

	@Override
	public synchronized void write(LogLine line) {
		StringBuilder b = new StringBuilder(line.format()).append('\n');
		if (line.error() != null) {
			b.append(line.stackTrace());
		}
		byte[] bytes = b.toString().getBytes(StandardCharsets.UTF_8);
		try {
			if (out == null) {
				open();
			}
			if (size > 0 && size + bytes.length > maxSize) {
				rotate();
			}
			out.write(bytes);
			out.flush();
			size += bytes.length;
			recovered();
		} catch (IOException e) {
			closeQuietly();
			problem("Cannot write the log file " + path + " (" + e.getMessage() + "); file logging resumes when it can be written.");
		}
	}

	private void open() throws IOException {
		Path dir = path.toAbsolutePath().getParent();
		if (dir != null) {
			Files.createDirectories(dir);
		}
		out = Files.newOutputStream(path, StandardOpenOption.CREATE, StandardOpenOption.APPEND, StandardOpenOption.WRITE);
		size = Files.size(path);
	}

	private void rotate() throws IOException {
		closeQuietly();
		Files.deleteIfExists(rotated(keep));
		for (int i = keep - 1; i >= 1; i--) {
			Path from = rotated(i);
			if (Files.exists(from)) {
				Files.move(from, rotated(i + 1), StandardCopyOption.REPLACE_EXISTING);
			}
		}
		Files.move(path, rotated(1), StandardCopyOption.REPLACE_EXISTING);
		open();
	}

	Path rotated(int n) {
		return path.resolveSibling(path.getFileName() + "." + n);
	}

	private void closeQuietly() {
		if (out != null) {
			try {
				out.close();
			} catch (IOException e) {
				// the stream is gone either way
			}
			out = null;
		}
	}

	@Override
	public synchronized void close() {
		closeQuietly();
	}
}
