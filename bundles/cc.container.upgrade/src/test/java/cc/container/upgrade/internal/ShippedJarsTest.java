package cc.container.upgrade.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ShippedJarsTest {
	@TempDir
	Path dir;

	@Test
	void jarsAsTheyWereFoundChangeNothing() throws Exception {
		Path a = Files.writeString(dir.resolve("a.jar"), "a");
		ShippedJars jars = new ShippedJars(List.of(a));
		assertThat(jars.changed()).isNull();
	}

	@Test
	void aJarRenamedIntoPlaceIsTold() throws Exception {
		Path a = Files.writeString(dir.resolve("a.jar"), "a");
		ShippedJars jars = new ShippedJars(List.of(a));
		Path next = Files.writeString(dir.resolve("a.jar.tmp-install"), "another build"); // as install.sh puts it in place
		Files.move(next, a, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
		assertThat(jars.changed()).isEqualTo(a + " was replaced since the daemon started: restart the daemon before updating or rolling back a "
			+ "bundle (nothing was changed)");
	}

	@Test
	void aJarWhoseModeOrOwnerChangedIsNotTold() throws Exception {
		Path a = Files.writeString(dir.resolve("a.jar"), "a");
		ShippedJars jars = new ShippedJars(List.of(a));
		Files.setPosixFilePermissions(a, java.nio.file.attribute.PosixFilePermissions.fromString("r--r--r--"));
		assertThat(jars.changed()).isNull();
	}

	@Test
	void aRemovedJarIsTold() throws Exception {
		Path a = Files.writeString(dir.resolve("a.jar"), "a");
		ShippedJars jars = new ShippedJars(List.of(a));
		Files.delete(a);
		assertThat(jars.changed()).startsWith(a + " was replaced");
	}
}
