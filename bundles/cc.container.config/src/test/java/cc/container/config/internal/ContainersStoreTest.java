package cc.container.config.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import cc.container.api.config.ConfigException;
import cc.container.api.config.ContainerConfig;
import cc.container.api.config.RestartPolicy;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ContainersStoreTest {
	@TempDir
	Path dir;

	static ContainerConfig podman(String id) {
		return new ContainerConfig(id, null, "1", "podman", "--tty", false, true, RestartPolicy.DEFAULT);
	}

	@Test
	void missingFileMeansNoContainersAndIsCreatedOnFirstWrite() throws Exception {
		ContainersStore s = new ContainersStore(dir.resolve("cc-containers.conf"));
		assertThat(s.load()).isEmpty();
		assertThat(s.containers()).isEmpty();
		s.put(podman("a"));
		ContainersStore again = new ContainersStore(s.file());
		again.load();
		assertThat(again.containers()).containsExactly(podman("a"));
	}

	@Test
	void unknownFieldsAndNumericVersionsSurviveARewrite() throws Exception {
		Path f = dir.resolve("cc-containers.conf");
		Files.writeString(f, """
			{ "comment": "kept", "containers": [
			  { "id": "a", "version": 3, "runtime": "podman", "create_args": "--tty", "image": "cc/a:3", "x-vendor": {"k": [1, 2]} },
			  { "id": "b", "version": "2", "runtime": "lxc" } ] }
			""");
		ContainersStore s = new ContainersStore(f);
		s.load();
		s.put(s.container("a").orElseThrow().withAutostart(true));
		String written = Files.readString(f);
		assertThat(written).contains("\"comment\" : \"kept\"", "\"image\" : \"cc/a:3\"", "\"x-vendor\"", "\"version\" : 3,",
			"\"version\" : \"2\"");
		ContainersStore again = new ContainersStore(f);
		again.load();
		assertThat(again.container("a").orElseThrow().autostart()).isTrue();
		assertThat(again.containers()).extracting(ContainerConfig::id).containsExactly("a", "b");
	}

	@Test
	void removeDeletesOnlyThatEntry() throws Exception {
		ContainersStore s = new ContainersStore(dir.resolve("c.conf"));
		s.load();
		s.put(podman("a"));
		s.put(podman("b"));
		assertThat(s.remove("a")).isTrue();
		assertThat(s.remove("zz")).isFalse();
		ContainersStore again = new ContainersStore(s.file());
		again.load();
		assertThat(again.containers()).extracting(ContainerConfig::id).containsExactly("b");
	}

	@Test
	void anInvalidReloadKeepsTheLastGoodEntries() throws Exception {
		ContainersStore s = new ContainersStore(dir.resolve("c.conf"));
		s.load();
		s.put(podman("a"));
		Files.writeString(s.file(), "{\"containers\": [ {\"id\": \"a\"");
		assertThatThrownBy(s::load).isInstanceOf(ConfigException.class).hasMessageContaining("malformed JSON at line 1");
		assertThat(s.containers()).containsExactly(podman("a"));
	}

	@Test
	void aFailedWriteChangesNothing() throws Exception {
		Path ro = dir.resolve("ro");
		Files.createDirectories(ro);
		ContainersStore s = new ContainersStore(ro.resolve("c.conf"));
		s.load();
		s.put(podman("a"));
		ro.toFile().setWritable(false);
		try {
			if (ro.toFile().canWrite()) {
				return; // root ignores the mode; the crash test covers durability
			}
			assertThatThrownBy(() -> s.put(podman("b"))).isInstanceOf(ConfigException.class).hasMessageContaining("cannot be written");
			assertThat(s.containers()).containsExactly(podman("a"));
		} finally {
			ro.toFile().setWritable(true);
		}
	}
}
