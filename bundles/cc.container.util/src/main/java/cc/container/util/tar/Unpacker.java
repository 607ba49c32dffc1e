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
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Unpacks an untrusted tar stream into an empty folder, refusing every member that could write outside it: absolute
 * paths, {@code ..}, paths through a symbolic link, relative links that climb out of the folder, hard links to
 * anything but an earlier regular file of the archive, device nodes and other special files, and duplicate members.
 * Owners (when running as root), modes (setuid bits included), link targets and times are kept.
 */
public final class Unpacker {
	private final boolean absoluteLinksAllowed;
	private final long maxBytes;
	private final boolean keepOwners;

	/**
	 * @param absoluteLinksAllowed whether symbolic links may have absolute targets (normal in a root filesystem, where
	 *            they point inside the container; they are never followed while unpacking)
	 * @param maxBytes the most content bytes the archive may unpack to
	 */
	public Unpacker(boolean absoluteLinksAllowed, long maxBytes) {
		this.absoluteLinksAllowed = absoluteLinksAllowed;
		this.maxBytes = maxBytes;
		this.keepOwners = "root".equals(System.getProperty("user.name"));
	}

	/** What was unpacked: member count and content bytes. */
	public record Result(int members, long bytes) {
	}

	/**
	 * Unpacks {@code tar} into {@code root}, which must exist. On failure, what was unpacked so far stays: the
	 * caller unpacks into a staging folder and deletes it.
	 */
	public Result unpack(InputStream tar, Path root) throws IOException {
		TarReader r = new TarReader(tar);
		Map<String, TarEntry.Type> seen = new HashMap<>();
		List<Map.Entry<Path, TarEntry>> dirs = new ArrayList<>();
		long bytes = 0;
		int members = 0;
		TarEntry e;
		while ((e = r.next()) != null) {
			String name = TarPaths.normalize(e.name());
			members++;
			if (name.isEmpty()) {
				if (e.type() == TarEntry.Type.DIRECTORY) {
					dirs.add(Map.entry(root, e));
					continue;
				}
				throw new UnsafeArchiveException("the member \"" + e.name() + "\" has no name");
			}
			if (seen.containsKey(name)) {
				throw new UnsafeArchiveException("the member \"" + name + "\" appears twice in the archive");
			}
			Path target = root.resolve(name);
			ensureParents(root, name);
			switch (e.type()) {
				case DIRECTORY:
					if (Files.isSymbolicLink(target)) {
						throw new UnsafeArchiveException("the folder \"" + name + "\" would replace a symbolic link");
					}
					Files.createDirectories(target);
					dirs.add(Map.entry(target, e));
					break;
				case FILE:
					bytes += e.size();
					if (bytes > maxBytes) {
						throw new UnsafeArchiveException("the archive unpacks to more than " + maxBytes + " bytes (at \"" + name + "\")");
					}
					long free = Files.getFileStore(root).getUsableSpace();
					if (e.size() > free) {
						throw new UnsafeArchiveException("not enough free space to unpack \"" + name + "\" (" + e.size()
							+ " bytes, " + free + " free)");
					}
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
					Files.createSymbolicLink(target, Path.of(link));
					attributes(target, e, false);
					break;
				case HARDLINK:
					String to = TarPaths.earlierFile(e.linkName(), seen);
					if (to == null) {
						throw new UnsafeArchiveException("the hard link \"" + name + "\" points to \"" + e.linkName()
							+ "\", which is not a file earlier in the archive");
					}
					Files.createLink(target, root.resolve(to));
					break;
				case CHAR_DEVICE:
				case BLOCK_DEVICE:
					throw new UnsafeArchiveException("the member \"" + name + "\" is a device node");
				default:
					throw new UnsafeArchiveException("the member \"" + name + "\" is a special file (" + e.type().name().toLowerCase() + ")");
			}
			seen.put(name, e.type());
		}
		// Folders last and deepest first: a read-only folder must not stop its own content from being written.
		for (int i = dirs.size() - 1; i >= 0; i--) {
			attributes(dirs.get(i).getKey(), dirs.get(i).getValue(), true);
		}
		return new Result(members, bytes);
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
