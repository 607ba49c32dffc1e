package cc.container.util;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Writes files so that a crash or power cut at any instant leaves either the old or the new content.
 *
 * <p>The content goes to a temporary file in the same directory, which is forced to disk, renamed over the
 * target in one step, and then the directory itself is forced so that the rename survives a power cut. The rename
 * replaces whatever was at the target, a link included, without following it. Files are only the owner's to read
 * (mode 0600) unless the caller says otherwise: what the daemon writes (containers' create arguments, their state)
 * is not for every user of the device.
 */
public final class AtomicFiles {

	/** Prefix of the temporary files; {@link #cleanStale(Path)} removes leftovers of a crash. */
	public static final String TEMP_PREFIX = ".tmp-";

	private AtomicFiles() {
	}

	/** Only the owner reads and writes: the mode of what the daemon writes unless it says otherwise. */
	public static final Set<PosixFilePermission> OWNER_ONLY = java.nio.file.attribute.PosixFilePermissions.fromString("rw-------");

	/** Replaces {@code target} with {@code content}, atomically and durably, readable by its owner only. */
	public static void write(Path target, byte[] content) throws IOException {
		write(target, content, OWNER_ONLY);
	}

	/**
	 * Replaces {@code target} with {@code content}, atomically and durably, with the given permissions (or
	 * those the process's umask gives when {@code permissions} is null).
	 */
	public static void write(Path target, byte[] content, Set<PosixFilePermission> permissions) throws IOException {
		Path dir = target.toAbsolutePath().getParent();
		Files.createDirectories(dir);
		Path tmp = dir.resolve(TEMP_PREFIX + target.getFileName() + "-" + Long.toHexString(ThreadLocalRandom.current().nextLong()));
		try {
			java.nio.file.attribute.FileAttribute<?>[] attrs = permissions == null ? new java.nio.file.attribute.FileAttribute<?>[0]
				: new java.nio.file.attribute.FileAttribute<?>[] { java.nio.file.attribute.PosixFilePermissions.asFileAttribute(permissions) };
			try (FileChannel ch = FileChannel.open(tmp, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE), attrs)) {
				ByteBuffer buf = ByteBuffer.wrap(content);
				while (buf.hasRemaining()) {
					ch.write(buf);
				}
				ch.force(true);
			}
			if (permissions != null) {
				Files.setPosixFilePermissions(tmp, permissions);
			}
			try {
				Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
			} catch (AtomicMoveNotSupportedException e) {
				throw new IOException("cannot replace " + target + " atomically: " + e.getMessage(), e);
			}
		} catch (IOException | RuntimeException e) {
			Files.deleteIfExists(tmp);
			throw e;
		}
		forceDirectory(dir);
	}

	/** Forces a directory's entries (a rename or a new file in it) to disk. */
	public static void forceDirectory(Path dir) throws IOException {
		try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
			ch.force(true);
		} catch (IOException e) {
			// Some file systems refuse fsync on a directory; the rename itself is still atomic there.
			if (!Files.isDirectory(dir)) {
				throw e;
			}
		}
	}

	/** Removes temporary files that a crash left next to files written by {@link #write}. */
	public static void cleanStale(Path dir) throws IOException {
		if (!Files.isDirectory(dir)) {
			return;
		}
		try (var entries = Files.newDirectoryStream(dir, TEMP_PREFIX + "*")) {
			for (Path p : entries) {
				Files.deleteIfExists(p);
			}
		}
	}
}
