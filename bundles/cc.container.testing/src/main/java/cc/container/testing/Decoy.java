package cc.container.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A folder standing in for the host's own files in a hostile test: a package that names "the host" names this
 * instead, and the canary file in it must survive whatever the daemon does. Hostile tests never name {@code /},
 * {@code /etc} or {@code /root}: the daemon runs as root, and a test that failed would destroy the machine it runs on.
 */
public final class Decoy {
	/** What the canary holds. */
	public static final String CANARY_TEXT = "the host's own file\n";
	private final Path dir;

	/** A decoy folder {@code dir} (made fresh) with {@code canary} in it, and a sub-folder with another. */
	public Decoy(Path dir) {
		try {
			this.dir = Files.createDirectories(dir);
			Files.writeString(dir.resolve("canary"), CANARY_TEXT);
			Files.createDirectories(dir.resolve("sub"));
			Files.writeString(dir.resolve("sub/canary"), CANARY_TEXT);
		} catch (IOException e) {
			throw new UncheckedIOException(e);
		}
	}

	/** The decoy folder: what a hostile package points at. */
	public Path dir() {
		return dir;
	}

	/** The canary file. */
	public Path canary() {
		return dir.resolve("canary");
	}

	/** Whether the decoy is as it was made: both canaries there with their content, nothing added. */
	public boolean intact() {
		try {
			return Files.readString(dir.resolve("canary")).equals(CANARY_TEXT) && Files.readString(dir.resolve("sub/canary")).equals(CANARY_TEXT)
				&& Files.list(dir).count() == 2 && Files.list(dir.resolve("sub")).count() == 1;
		} catch (IOException e) {
			return false;
		}
	}
}
