package cc.container.util;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.util.Set;

/**
 * A folder only the daemon's user may enter (mode 0700), for files that must not be read or replaced by anyone else:
 * command output, staging, the lock. A folder that is already there is used only when it is a real folder (not a
 * link) owned by the daemon's user; its mode is narrowed to 0700. Anything else is refused with a sentence that says
 * what is wrong: a predictable path that someone else prepared is how a root daemon is tricked into writing where it
 * should not.
 */
public final class PrivateDir {
	static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rwx------");

	private PrivateDir() {
	}

	/** Creates {@code dir} (and its missing parents) or checks the one there; returns it. */
	public static Path ensure(Path dir) throws IOException {
		if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
			Files.createDirectories(dir.getParent());
			try {
				Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
			} catch (FileAlreadyExistsException e) {
				// made by someone else meanwhile: checked below
			}
		}
		if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
			throw new IOException(dir + " is not a folder (a link or a file is there); remove it, the daemon makes its own");
		}
		UserPrincipal owner = Files.getOwner(dir, LinkOption.NOFOLLOW_LINKS);
		if (!owner.equals(self(dir))) {
			throw new IOException(dir + " belongs to " + owner.getName() + ", not to the daemon's user; remove it, the daemon makes its own");
		}
		if (!Files.getPosixFilePermissions(dir, LinkOption.NOFOLLOW_LINKS).equals(OWNER_ONLY)) {
			Files.setPosixFilePermissions(dir, OWNER_ONLY);
		}
		return dir;
	}

	/** The user this process runs as: the owner of a file it makes. */
	private static UserPrincipal self(Path near) throws IOException {
		Path probe = Files.createTempFile(near, ".owner-", "");
		try {
			return Files.getOwner(probe);
		} finally {
			Files.deleteIfExists(probe);
		}
	}
}
