package cc.container.util;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

/**
 * Reading what may come from outside without letting its size decide how much memory the daemon uses: whole files
 * only up to a bound, and only regular files (a FIFO would block the reader for ever, a device never end).
 */
public final class Bounded {
	private Bounded() {
	}

	/**
	 * The content of a regular file of at most {@code maxBytes} bytes.
	 *
	 * @throws IOException when it is not a regular file, is larger, or cannot be read; the message names the file
	 */
	public static byte[] read(Path file, int maxBytes) throws IOException {
		requireRegularFile(file);
		try (InputStream in = Files.newInputStream(file)) {
			byte[] b = in.readNBytes(maxBytes);
			if (in.read() >= 0) {
				throw new IOException(file + " is larger than " + maxBytes + " bytes");
			}
			return b;
		}
	}

	/**
	 * Throws unless {@code file} is a regular file (a link to one is fine): opening a FIFO blocks until someone writes
	 * to it, and reading a device may never end.
	 */
	public static void requireRegularFile(Path file) throws IOException {
		if (!Files.exists(file)) {
			throw new java.nio.file.NoSuchFileException(file.toString());
		}
		if (!Files.isRegularFile(file)) {
			throw new IOException(file + " is not a regular file");
		}
	}

	/** Whether {@code file} is a regular file itself, not a link or anything else. */
	public static boolean isPlainFile(Path file) {
		return Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS);
	}

	/**
	 * One sentence for an I/O failure, with a full file system named as such: an {@code IOException}'s message is
	 * often only the path, or the operating system's terse "No space left on device".
	 */
	public static String describe(IOException e) {
		String m = String.valueOf(e.getMessage());
		if (m.contains("No space left on device") || m.contains("Disk quota exceeded")) {
			return "the file system is full (" + m + ")";
		}
		if (e instanceof java.nio.file.NoSuchFileException) {
			return m + " does not exist";
		}
		if (e instanceof java.nio.file.AccessDeniedException) {
			return m + ": permission denied";
		}
		return m;
	}
}
