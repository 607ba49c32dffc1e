package cc.container.util.tar;

import java.time.Instant;

/**
 * One member of a tar archive, with the PAX and GNU extensions applied.
 *
 * @param name the member's path as stored (slashes, maybe a trailing one for folders)
 * @param type what it is
 * @param mode permission bits, setuid/setgid/sticky included
 * @param uid owner
 * @param gid group
 * @param size bytes of content (regular files only)
 * @param mtime modification time
 * @param linkName target of a symbolic or hard link, else empty
 */
public record TarEntry(String name, Type type, int mode, long uid, long gid, long size, Instant mtime, String linkName) {

	/** Kinds of member. */
	public enum Type {
		/** A regular file. */
		FILE,
		/** A folder. */
		DIRECTORY,
		/** A symbolic link. */
		SYMLINK,
		/** A hard link to an earlier member. */
		HARDLINK,
		/** A character device. */
		CHAR_DEVICE,
		/** A block device. */
		BLOCK_DEVICE,
		/** A named pipe. */
		FIFO,
		/** Anything else (sparse files, volume labels, ...). */
		OTHER
	}
}
