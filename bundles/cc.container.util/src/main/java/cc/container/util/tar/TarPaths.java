package cc.container.util.tar;

import java.util.ArrayDeque;
import java.util.Deque;

/** Checks and normalizes member names and link targets of untrusted archives. */
public final class TarPaths {
	private TarPaths() {
	}

	/**
	 * The member's path without {@code ./}, doubled or trailing slashes; empty for the archive's root itself.
	 *
	 * @throws UnsafeArchiveException for absolute paths and {@code ..} components
	 */
	public static String normalize(String name) throws UnsafeArchiveException {
		if (name.startsWith("/")) {
			throw new UnsafeArchiveException("the member \"" + name + "\" has an absolute path");
		}
		if (name.indexOf('\0') >= 0) {
			throw new UnsafeArchiveException("the member \"" + name + "\" has a NUL character in its name");
		}
		StringBuilder b = new StringBuilder();
		for (String part : name.split("/")) {
			if (part.isEmpty() || part.equals(".")) {
				continue;
			}
			if (part.equals("..")) {
				throw new UnsafeArchiveException("the member \"" + name + "\" has a \"..\" in its path");
			}
			if (b.length() > 0) {
				b.append('/');
			}
			b.append(part);
		}
		return b.toString();
	}

	/**
	 * Where a relative symbolic link at {@code linkPath} (normalized) points, normalized, or {@code null} when it
	 * climbs out of the archive's root.
	 */
	public static String resolveRelative(String linkPath, String target) {
		Deque<String> parts = new ArrayDeque<>();
		int slash = linkPath.lastIndexOf('/');
		if (slash > 0) {
			for (String p : linkPath.substring(0, slash).split("/")) {
				parts.addLast(p);
			}
		}
		for (String p : target.split("/")) {
			if (p.isEmpty() || p.equals(".")) {
				continue;
			}
			if (p.equals("..")) {
				if (parts.isEmpty()) {
					return null;
				}
				parts.removeLast();
			} else {
				parts.addLast(p);
			}
		}
		return String.join("/", parts);
	}

	/**
	 * The normalized target of a hard link when it is a regular file earlier in the archive ({@code seen} maps the
	 * members read so far to their types), else {@code null}.
	 */
	public static String earlierFile(String linkName, java.util.Map<String, TarEntry.Type> seen) {
		try {
			String to = normalize(linkName);
			return seen.get(to) == TarEntry.Type.FILE ? to : null;
		} catch (UnsafeArchiveException e) {
			return null;
		}
	}
}
