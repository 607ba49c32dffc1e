package cc.container.supervisor.internal;

import static org.assertj.core.api.Assertions.assertThat;

import cc.container.testing.TestLogger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * state.json is not written again when nothing but its time would change, and is written again when its content
 * changed or when the file is no longer the one the last write made. Every write replaces the file by a rename, so the
 * file's identity (its inode) tells whether a write happened.
 */
class StateStoreTest {
	@TempDir
	Path dir;
	private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
	private final Map<String, Object> doc = new LinkedHashMap<>();
	private Path file;
	private StateStore store;

	@BeforeEach
	void setUp() {
		file = dir.resolve("state.json");
		doc.put("updated_at", "2026-12-02T00:00:00Z");
		doc.put("containers", List.of(Map.of("id", "web", "status", "running")));
		store = new StateStore(file, TestLogger.create(), timer, Runnable::run, () -> new LinkedHashMap<>(doc));
	}

	@AfterEach
	void tearDown() {
		timer.shutdownNow();
	}

	private Object identity() throws Exception {
		return Files.readAttributes(file, BasicFileAttributes.class).fileKey();
	}

	@Test
	void aDocumentThatOnlyTellsANewTimeIsNotWrittenAgain() throws Exception {
		store.write();
		Object first = identity();
		doc.put("updated_at", "2026-12-02T00:00:10Z");
		store.write();
		assertThat(identity()).isEqualTo(first);
		assertThat(Files.readString(file)).contains("2026-12-02T00:00:00Z");
	}

	@Test
	void aChangedDocumentIsWritten() throws Exception {
		store.write();
		Object first = identity();
		doc.put("containers", List.of(Map.of("id", "web", "status", "exited")));
		store.write();
		assertThat(identity()).isNotEqualTo(first);
		assertThat(Files.readString(file)).contains("exited");
	}

	@Test
	void aRemovedFileIsWrittenAgain() throws Exception {
		store.write();
		Files.delete(file);
		store.write();
		assertThat(Files.readString(file)).contains("\"web\"");
	}

	@Test
	void aFileEditedByHandIsWrittenAgain() throws Exception {
		store.write();
		Object first = identity();
		Files.writeString(file, "{}"); // in place: the same inode, another size and time
		store.write();
		assertThat(identity()).isNotEqualTo(first);
		assertThat(Files.readString(file)).contains("\"web\"");
	}
}
