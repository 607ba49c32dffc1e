package cc.container.util;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BoundedTest {
	@TempDir
	Path dir;

	@Test
	void readsUpToItsBoundAndNoFurther() throws Exception {
		Path f = Files.writeString(dir.resolve("f"), "12345");
		assertThat(Bounded.read(f, 5)).hasSize(5);
		assertThatThrownBy(() -> Bounded.read(f, 4)).hasMessage(f + " is larger than 4 bytes");
	}

	@Test
	void aFifoOrAFolderIsNotOpened() throws Exception {
		Path fifo = dir.resolve("fifo");
		new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor();
		// Opening a FIFO would block until someone writes to it: refused before it is opened.
		assertThatThrownBy(() -> Bounded.read(fifo, 10)).hasMessage(fifo + " is not a regular file");
		assertThatThrownBy(() -> Bounded.read(dir, 10)).hasMessage(dir + " is not a regular file");
	}

	@Test
	void aFullFileSystemIsNamedAsSuch() {
		assertThat(Bounded.describe(new IOException("/w/staging/x: No space left on device"))).isEqualTo(
			"the file system is full (/w/staging/x: No space left on device)");
	}
}
