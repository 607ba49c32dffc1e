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
		Path next = Files.writeString(dir.resolve("a.jar.tmp-install"), "a"); // the same bytes, another file
		Files.move(next, a, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
		assertThat(jars.changed()).startsWith(a + " changed since the daemon started").contains("restart the daemon first");
	}

	@Test
	void aRemovedJarIsTold() throws Exception {
		Path a = Files.writeString(dir.resolve("a.jar"), "a");
		ShippedJars jars = new ShippedJars(List.of(a));
		Files.delete(a);
		assertThat(jars.changed()).startsWith(a + " changed");
	}
}
