package cc.container.dcp.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import cc.container.api.config.ContainerConfig;
import cc.container.api.config.DrmSettings;
import cc.container.api.config.RestartPolicy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The installer's journal: what it keeps of an update, and what it makes of a file that is not one. */
class JournalTest {
	@TempDir
	Path staging;

	static final ContainerConfig OLD = new ContainerConfig("app", "App", "1.0", "podman", "--network none", true, false,
		new RestartPolicy(true, 2, 3, 60), null, "app-pkg");

	@Test
	void anUpdateKeepsWhatItChangesAndPutsItBack() throws IOException {
		Journal.update(OLD, true).write(staging);
		Journal j = Journal.read(Journal.file(staging, "app"));
		assertThat(j.op()).isEqualTo(Journal.Op.UPDATE);
		assertThat(j.wasRunning()).isTrue();
		// The update wrote the new version's entry; a user changed autostart meanwhile.
		ContainerConfig updated = new ContainerConfig("app", "App", "2.0", "podman", "--network host", false, false, OLD.restart(),
			new DrmSettings(true, 60, DrmSettings.METRICS), "app-pkg-2");
		ContainerConfig restored = j.previous().restore(updated);
		assertThat(restored.version()).isEqualTo("1.0");
		assertThat(restored.createArgs()).isEqualTo("--network none");
		assertThat(restored.packageId()).isEqualTo("app-pkg");
		assertThat(restored.drm()).as("the package brought the drm block: it goes again").isNull();
		assertThat(restored.autostart()).as("what the user set stays").isFalse();
	}

	@Test
	void anInstallationNeedsItsIdAndRuntimeOnly() throws IOException {
		Journal.install("app", "lxc").write(staging);
		assertThat(Journal.read(Journal.file(staging, "app"))).isEqualTo(Journal.install("app", "lxc"));
	}

	@Test
	void aJournalOfAnEarlierReleasePutsTheVersionBackOnly() throws IOException {
		Path f = Files.writeString(Journal.file(staging, "app"),
			"{\"op\":\"update\",\"id\":\"app\",\"runtime\":\"podman\",\"old_version\":\"1.0\",\"was_running\":true}");
		ContainerConfig restored = Journal.read(f).previous().restore(OLD);
		assertThat(restored).isEqualTo(new ContainerConfig("app", "App", "1.0", "podman", "--network none", true, false, OLD.restart(), null,
			"app-pkg"));
	}

	@Test
	void whatIsNoJournalIsSaidSo() throws IOException {
		for (String text : new String[] { "", "[]", "{\"op\":\"install\"}", "{\"op\":\"drop\",\"id\":\"a\",\"runtime\":\"lxc\"}",
			"{\"op\":\"install\",\"id\":\"../../etc\",\"runtime\":\"lxc\"}" }) {
			Path f = Files.writeString(staging.resolve("x.journal"), text);
			assertThatThrownBy(() -> Journal.read(f)).as(text).isInstanceOf(IOException.class).hasMessageContaining("x.journal");
		}
	}
}
