package cc.container.util.tar;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;

/**
 * Unpacks an untrusted tar stream into an empty folder, refusing every member that could write outside it: absolute
 * paths, {@code ..}, paths through a symbolic link, relative links that climb out of the folder, hard links to
 * anything but an earlier regular file of the archive, device nodes and other special files, and duplicate members.
 * Owners (when running as root), modes (setuid bits included), link targets and times are kept.
 *
 * <p>Memory does not grow with the archive: what was unpacked so far is asked of the folder itself (a duplicate
 * fails to be created, a hard link's target must be a regular file already there), not kept in a map. At most
 * {@code maxMembers} members and {@code maxBytes} bytes of content are unpacked.
 */
public final class Unpacker {
	/** Folders whose mode would stop their own content from being written, fixed at the end; more are refused. */
	static final int MAX_DEFERRED_DIRS = 4096;
	/** How often (in bytes written) the free space is checked again. */
	private static final long FREE_CHECK_BYTES = 8L << 20;
	private final boolean absoluteLinksAllowed;
	private final long maxBytes;
	private final int maxMembers;
	private final boolean keepOwners;

	/**
	 * @param absoluteLinksAllowed whether symbolic links may have absolute targets (normal in a root filesystem, where
	 *            they point inside the container; they are never followed while unpacking)
	 * @param maxBytes the most content bytes the archive may unpack to
	 * @param maxMembers the most members the archive may have
	 */
	public Unpacker(boolean absoluteLinksAllowed, long maxBytes, int maxMembers) {
		this.absoluteLinksAllowed = absoluteLinksAllowed;
		this.maxBytes = maxBytes;
		this.maxMembers = maxMembers;
		this.keepOwners = "root".equals(System.getProperty("user.name"));
	}

	/** What was unpacked: member count and content bytes. */
	public record Result(int members, long bytes) {
	}

	/**
	 * Unpacks {@code tar} into {@code root}, which must exist and be empty. On failure, what was unpacked so far
	 * stays: the caller unpacks into a staging folder and deletes it.
	 */
	public Result unpack(InputStream tar, Path root) throws IOException {
		TarReader r = new TarReader(tar);
		List<Object[]> deferred = new ArrayList<>();
		long bytes = 0;
		long sinceFreeCheck = FREE_CHECK_BYTES;
		long free = 0;
		int members = 0;
		TarEntry e;
		while ((e = r.next()) != null) {
			String name = TarPaths.normalize(e.name());
			if (++members > maxMembers) {
				throw new UnsafeArchiveException("the archive has more than " + maxMembers + " members");
			}
			if (name.isEmpty()) {
				if (e.type() == TarEntry.Type.DIRECTORY) {
					directory(root, e, deferred);
					continue;
				}
				throw new UnsafeArchiveException("the member \"" + e.name() + "\" has no name");
			}
			Path target = root.resolve(name);
			ensureParents(root, name);
			switch (e.type()) {
				case DIRECTORY:
					if (Files.isSymbolicLink(target)) {
						throw new UnsafeArchiveException("the folder \"" + name + "\" would replace a symbolic link");
					}
					if (Files.exists(target, LinkOption.NOFOLLOW_LINKS) && !Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
						throw new UnsafeArchiveException("the member \"" + name + "\" appears twice in the archive");
					}
					Files.createDirectories(target);
					directory(target, e, deferred);
					break;
				case FILE:
					bytes += e.size();
					if (bytes > maxBytes) {
						throw new UnsafeArchiveException("the archive unpacks to more than " + maxBytes + " bytes (at \"" + name + "\")");
					}
					sinceFreeCheck += e.size();
					if (sinceFreeCheck >= FREE_CHECK_BYTES || e.size() > free) {
						free = Files.getFileStore(root).getUsableSpace();
						sinceFreeCheck = 0;
					}
					if (e.size() > free) {
						throw new UnsafeArchiveException("not enough free space to unpack \"" + name + "\" (" + e.size()
							+ " bytes, " + free + " free)");
					}
					free -= e.size();
					try (OutputStream out = Files.newOutputStream(target, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
						LinkOption.NOFOLLOW_LINKS)) {
						r.content().transferTo(out);
					} catch (FileAlreadyExistsException x) {
						throw new UnsafeArchiveException("the member \"" + name + "\" appears twice in the archive");
					}
					attributes(target, e, true);
					break;
				case SYMLINK:
					String link = e.linkName();
					if (link.isEmpty()) {
						throw new UnsafeArchiveException("the symbolic link \"" + name + "\" has no target");
					}
					if (link.startsWith("/")) {
						if (!absoluteLinksAllowed) {
							throw new UnsafeArchiveException("the symbolic link \"" + name + "\" points outside the archive (" + link + ")");
						}
					} else if (TarPaths.resolveRelative(name, link) == null) {
						throw new UnsafeArchiveException("the symbolic link \"" + name + "\" points outside the archive (" + link + ")");
					}
					try {
						Files.createSymbolicLink(target, Path.of(link));
					} catch (FileAlreadyExistsException x) {
						throw new UnsafeArchiveException("the member \"" + name + "\" appears twice in the archive");
					}
					attributes(target, e, false);
					break;
				case HARDLINK:
					Path to = earlierFile(root, e.linkName());
					if (to == null) {
						throw new UnsafeArchiveException("the hard link \"" + name + "\" points to \"" + e.linkName()
							+ "\", which is not a file earlier in the archive");
					}
					try {
						Files.createLink(target, to);
					} catch (FileAlreadyExistsException x) {
						throw new UnsafeArchiveException("the member \"" + name + "\" appears twice in the archive");
					}
					break;
				case CHAR_DEVICE:
				case BLOCK_DEVICE:
					throw new UnsafeArchiveException("the member \"" + name + "\" is a device node");
				default:
					throw new UnsafeArchiveException("the member \"" + name + "\" is a special file (" + e.type().name().toLowerCase() + ")");
			}
		}
		// Deepest first: a read-only folder must not stop its own content from being written.
		for (int i = deferred.size() - 1; i >= 0; i--) {
			attributes((Path) deferred.get(i)[0], (TarEntry) deferred.get(i)[1], true);
		}
		return new Result(members, bytes);
	}

	/**
	 * Sets a folder's owner, mode and time at once, unless its mode would keep this process from writing its content
	 * (only when not root: root writes anyway); those are set at the end.
	 */
	private void directory(Path dir, TarEntry e, List<Object[]> deferred) throws IOException {
		if (keepOwners || (e.mode() & 0700) == 0700) {
			attributes(dir, e, true);
			return;
		}
		if (deferred.size() >= MAX_DEFERRED_DIRS) {
			throw new UnsafeArchiveException("the archive has more than " + MAX_DEFERRED_DIRS + " folders that their owner cannot write");
		}
		deferred.add(new Object[] { dir, e });
	}

	/**
	 * The target of a hard link when it is a regular file that the archive already unpacked (the folder was empty
	 * before, so whatever is there came from the archive), reached without a symbolic link; else {@code null}.
	 */
	static Path earlierFile(Path root, String linkName) {
		String to;
		try {
			to = TarPaths.normalize(linkName);
		} catch (UnsafeArchiveException e) {
			return null;
		}
		if (to.isEmpty()) {
			return null;
		}
		Path p = root;
		String[] parts = to.split("/");
		for (int i = 0; i < parts.length; i++) {
			p = p.resolve(parts[i]);
			if (Files.isSymbolicLink(p)) {
				return null;
			}
			if (i < parts.length - 1 && !Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
				return null;
			}
		}
		return Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS) ? p : null;
	}

	/** Creates the member's missing parent folders; refuses a path that goes through a symbolic link. */
	private static void ensureParents(Path root, String name) throws IOException {
		int slash = name.lastIndexOf('/');
		if (slash < 0) {
			return;
		}
		Path p = root;
		for (String part : name.substring(0, slash).split("/")) {
			p = p.resolve(part);
			if (Files.isSymbolicLink(p)) {
				throw new UnsafeArchiveException("the member \"" + name + "\" would be written through the symbolic link \""
					+ root.relativize(p) + "\"");
			}
			if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
				Files.createDirectory(p);
			} else if (!Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
				throw new UnsafeArchiveException("the member \"" + name + "\" would be written below the file \"" + root.relativize(p) + "\"");
			}
		}
	}

	private void attributes(Path p, TarEntry e, boolean modeAndTime) throws IOException {
		if (keepOwners) {
			Files.setAttribute(p, "unix:uid", (int) e.uid(), LinkOption.NOFOLLOW_LINKS);
			Files.setAttribute(p, "unix:gid", (int) e.gid(), LinkOption.NOFOLLOW_LINKS);
		}
		if (modeAndTime) {
			// chown clears setuid bits: the mode goes after the owner.
			Files.setAttribute(p, "unix:mode", e.mode(), LinkOption.NOFOLLOW_LINKS);
			Files.setLastModifiedTime(p, FileTime.from(e.mtime()));
		}
	}
}
