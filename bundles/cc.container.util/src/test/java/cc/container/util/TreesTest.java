package cc.container.util;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TreesTest {
	@TempDir
	Path dir;

	@Test
	void deletesTheTreeAndOnlyTheTree() throws Exception {
		Path outside = Files.createDirectories(dir.resolve("outside"));
		Files.writeString(outside.resolve("canary"), "keep");
		Path tree = Files.createDirectories(dir.resolve("tree/a/b"));
		Files.writeString(tree.resolve("f"), "x");
		Files.createSymbolicLink(dir.resolve("tree/link-to-dir"), outside);
		Files.createSymbolicLink(dir.resolve("tree/a/link-to-file"), outside.resolve("canary"));
		Trees.delete(dir.resolve("tree"));
		assertThat(dir.resolve("tree")).doesNotExist();
		assertThat(outside.resolve("canary")).hasContent("keep");
	}

	@Test
	void aLinkGivenAsTheTreeIsDeletedNotFollowed() throws Exception {
		Path outside = Files.createDirectories(dir.resolve("outside"));
		Files.writeString(outside.resolve("canary"), "keep");
		Path link = Files.createSymbolicLink(dir.resolve("link"), outside);
		Trees.delete(link);
		assertThat(link).doesNotExist();
		assertThat(outside.resolve("canary")).hasContent("keep");
	}

	@Test
	void aMountPointBelowTheTreeStopsTheDeletionBeforeAnythingGoes() throws Exception {
		Path tree = Files.createDirectories(dir.resolve("tree/rootfs/mnt/host"));
		Files.writeString(dir.resolve("tree/file"), "x");
		Path mountinfo = dir.resolve("mountinfo");
		Files.writeString(mountinfo, "22 1 8:1 / / rw - ext4 /dev/sda1 rw\n"
			+ "99 22 8:1 /data " + tree.toString().replace(" ", "\\040") + " rw - ext4 /dev/sda1 rw\n");
		assertThatThrownBy(() -> Trees.delete(dir.resolve("tree"), mountinfo)).hasMessage(tree + " is a mount point; it is not deleted through (unmount it, then try again)");
		assertThat(dir.resolve("tree/file")).exists();
	}

	@Test
	void mountinfoEscapesAreRead() {
		assertThat(Trees.unescape("/a\\040b\\011c\\134d")).isEqualTo("/a b\tc\\d");
		assertThat(Trees.unescape("/plain")).isEqualTo("/plain");
	}
}
