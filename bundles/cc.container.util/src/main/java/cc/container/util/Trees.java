package cc.container.util;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;

/**
 * Deletes a folder and what it holds, and nothing else: symbolic links are deleted, never followed; no mount point
 * is crossed. Whatever a container's files or configuration name, the daemon deletes only inside the folder it was
 * asked to delete.
 *
 * <p>Before anything is deleted, the kernel's mount table ({@code /proc/self/mountinfo}) is read: a folder below the
 * tree that has something mounted on it (a bind mount of a host folder into a root filesystem, say, which shares the
 * host file system's device and so cannot be told apart by it) stops the deletion with an exception that names it.
 * During the walk, a folder on another device is not entered either.
 */
public final class Trees {
	static final Path MOUNTINFO = Path.of("/proc/self/mountinfo");

	private Trees() {
	}

	/**
	 * Deletes {@code root} (a folder, a file or a link) and, for a folder, everything below it.
	 *
	 * @throws IOException when something stays (a mount point below it, a file that could not be deleted); the
	 *             message names the first
	 */
	public static void delete(Path root) throws IOException {
		delete(root, MOUNTINFO);
	}

	static void delete(Path root, Path mountinfo) throws IOException {
		BasicFileAttributes top;
		try {
			top = Files.readAttributes(root, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
		} catch (NoSuchFileException e) {
			return;
		}
		if (!top.isDirectory()) {
			Files.deleteIfExists(root);
			return;
		}
		List<Path> mounts = mountsBelow(root.toAbsolutePath().normalize(), mountinfo);
		if (!mounts.isEmpty()) {
			throw new IOException(mounts.get(0) + " is a mount point; it is not deleted through (unmount it, then try again)");
		}
		Object device = Files.getAttribute(root, "unix:dev", LinkOption.NOFOLLOW_LINKS);
		List<String> left = new ArrayList<>();
		Files.walkFileTree(root, new SimpleFileVisitor<>() {
			@Override
			public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
				if (!device.equals(Files.getAttribute(dir, "unix:dev", LinkOption.NOFOLLOW_LINKS))) {
					left.add(dir + " is on another file system");
					return FileVisitResult.SKIP_SUBTREE;
				}
				return FileVisitResult.CONTINUE;
			}

			@Override
			public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
				try {
					Files.delete(file);
				} catch (IOException e) {
					left.add(file + ": " + Bounded.describe(e));
				}
				return FileVisitResult.CONTINUE;
			}

			@Override
			public FileVisitResult visitFileFailed(Path file, IOException e) {
				left.add(file + ": " + Bounded.describe(e));
				return FileVisitResult.CONTINUE;
			}

			@Override
			public FileVisitResult postVisitDirectory(Path dir, IOException e) {
				try {
					Files.delete(dir);
				} catch (IOException x) {
					if (left.isEmpty()) {
						left.add(dir + ": " + Bounded.describe(x));
					}
				}
				return FileVisitResult.CONTINUE;
			}
		});
		if (!left.isEmpty()) {
			throw new IOException("could not delete all of " + root + " (" + left.get(0) + ")");
		}
	}

	/** Deletes {@code root} like {@link #delete(Path)}, saying nothing when it cannot (a later clean-up tries again). */
	public static void deleteQuietly(Path root) {
		try {
			delete(root);
		} catch (IOException e) {
			// what stays is cleaned up at the next start
		}
	}

	/** The mount points strictly below {@code root}, from a mountinfo file. */
	static List<Path> mountsBelow(Path root, Path mountinfo) throws IOException {
		List<Path> out = new ArrayList<>();
		String prefix = root.toString().endsWith("/") ? root.toString() : root + "/";
		List<String> lines;
		try {
			lines = Files.readAllLines(mountinfo);
		} catch (NoSuchFileException e) {
			return out; // not Linux, or no /proc: nothing to learn
		}
		for (String line : lines) {
			String[] f = line.split(" ");
			if (f.length > 4) {
				String point = unescape(f[4]);
				if (point.startsWith(prefix) || point.equals(root.toString())) {
					out.add(Path.of(point));
				}
			}
		}
		return out;
	}

	/** mountinfo writes space, tab, newline and backslash as octal escapes ({@code \040}). */
	static String unescape(String s) {
		if (s.indexOf('\\') < 0) {
			return s;
		}
		StringBuilder b = new StringBuilder();
		for (int i = 0; i < s.length(); i++) {
			char c = s.charAt(i);
			if (c == '\\' && i + 3 < s.length() && s.substring(i + 1, i + 4).matches("[0-7]{3}")) {
				b.append((char) Integer.parseInt(s.substring(i + 1, i + 4), 8));
				i += 3;
			} else {
				b.append(c);
			}
		}
		return b.toString();
	}
}
