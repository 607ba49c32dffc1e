package cc.container.util.upgrade;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UpgradeRecordTest {
	@TempDir
	Path dir;

	Path jar(String name, String... headers) throws IOException {
		Manifest m = new Manifest();
		m.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
		for (int i = 0; i < headers.length; i += 2) {
			m.getMainAttributes().putValue(headers[i], headers[i + 1]);
		}
		Path p = dir.resolve(name);
		try (OutputStream os = Files.newOutputStream(p); JarOutputStream j = new JarOutputStream(os, m)) {
			j.flush();
		}
		return p;
	}

	@Test
	void anEmptyFolderHasNoUpgrades() throws Exception {
		UpgradeRecord r = UpgradeRecord.load(dir.resolve("none"));
		assertThat(r.symbolicNames()).isEmpty();
		assertThat(r.current("a.b")).isNull();
	}

	@Test
	void writtenAndReadBackOldestFirst() throws Exception {
		UpgradeRecord.load(dir).with("a.b", List.of("a.b-1.0.1.jar", "a.b-1.0.2.jar")).with("c.d", List.of("c.d-2.jar")).save();
		UpgradeRecord r = UpgradeRecord.load(dir);
		assertThat(r.symbolicNames()).containsExactly("a.b", "c.d");
		assertThat(r.jars("a.b")).containsExactly("a.b-1.0.1.jar", "a.b-1.0.2.jar");
		assertThat(r.current("a.b")).isEqualTo(dir.resolve("a.b-1.0.2.jar"));
		r.with("a.b", List.of()).save();
		assertThat(UpgradeRecord.load(dir).symbolicNames()).containsExactly("c.d");
		assertThat(Files.readString(dir.resolve(UpgradeRecord.FILE))).startsWith("# Field upgrades").contains("c.d=c.d-2.jar\n");
	}

	@Test
	void theRecordNeverPointsOutsideItsFolder() throws Exception {
		Files.writeString(dir.resolve(UpgradeRecord.FILE), "a.b=../../etc/evil.jar,/tmp/x.jar,.hidden.jar,ok.jar\nc.d=\n");
		UpgradeRecord r = UpgradeRecord.load(dir);
		assertThat(r.jars("a.b")).containsExactly("ok.jar");
		assertThat(r.symbolicNames()).containsExactly("a.b");
	}

	@Test
	void headersOfABundleJarAndOfOthers() throws Exception {
		assertThat(UpgradeRecord.headers(jar("b.jar", "Bundle-SymbolicName", "a.b;singleton:=true", "Bundle-Version", "1.2.3")))
			.isEqualTo(new UpgradeRecord.Headers("a.b", "1.2.3"));
		assertThat(UpgradeRecord.headers(jar("noversion.jar", "Bundle-SymbolicName", "a.b"))).isEqualTo(new UpgradeRecord.Headers("a.b", "0.0.0"));
		assertThat(UpgradeRecord.headers(jar("plain.jar", "Main-Class", "x.Y"))).isNull();
		Path text = Files.writeString(dir.resolve("text.jar"), "not a zip");
		assertThatThrownBy(() -> UpgradeRecord.headers(text)).isInstanceOf(IOException.class);
	}

	@Test
	void anUpgradeRunsUnlessTheDistributionShipsANewerVersion() {
		UpgradeRecord.Headers shipped = new UpgradeRecord.Headers("a.b", "1.0.0.SNAPSHOT");
		assertThat(UpgradeRecord.upgradeRuns(shipped, new UpgradeRecord.Headers("a.b", "1.0.1"))).isTrue();
		assertThat(UpgradeRecord.upgradeRuns(shipped, new UpgradeRecord.Headers("a.b", "1.0.0.SNAPSHOT"))).as("a rebuild of the same version").isTrue();
		assertThat(UpgradeRecord.upgradeRuns(new UpgradeRecord.Headers("a.b", "1.1.0"), new UpgradeRecord.Headers("a.b", "1.0.1"))).isFalse();
		assertThat(UpgradeRecord.upgradeRuns(shipped, new UpgradeRecord.Headers("x.y", "9.0.0"))).isFalse();
	}
}
