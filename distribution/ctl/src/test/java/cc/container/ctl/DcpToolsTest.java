package cc.container.ctl;

import static org.assertj.core.api.Assertions.assertThat;

import cc.container.util.control.ControlClient;
import cc.container.util.tar.TarEntry;
import cc.container.util.tar.TarReader;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code containerctl dcp build} and {@code dcp inspect}, as a package author runs them. */
class DcpToolsTest {
	@TempDir
	Path dir;
	final ByteArrayOutputStream out = new ByteArrayOutputStream();
	final ByteArrayOutputStream err = new ByteArrayOutputStream();

	int ctl(String... args) {
		return Main.run(List.of(args), new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
	}

	Path manifest(String json) throws Exception {
		return Files.writeString(dir.resolve("manifest.json"), json);
	}

	static final String MANIFEST = """
		{ "package_id": "lvgl-demo", "friendly_name": "LVGL Demo", "version": 1, "runtime": "podman",
		  "registration_defaults": { "autostart": false, "monitor": true,
		                             "restart": { "enabled": true, "max_retries": 3, "window": 60, "retry_delay": 3 } },
		  "device_types": [ "ccmp25-dvk" ], "create_args": "--privileged --network host --tty",
		  "description": "LVGL demo" }
		""";

	@Test
	void buildWritesThePackageFormatAndInspectAcceptsIt() throws Exception {
		Path payload = Files.write(dir.resolve("image.tar"), "pretend docker archive".getBytes());
		assertThat(ctl("dcp", "build", "--manifest", manifest(MANIFEST).toString(), "--payload", payload.toString(), "--output-dir",
			dir.resolve("out").toString())).isZero();
		Path pkg = dir.resolve("out/lvgl-demo-podman-ccmp25-dvk.tar.gz");
		assertThat(out.toString(StandardCharsets.UTF_8).trim()).isEqualTo(pkg.toString());
		List<String> names = new ArrayList<>();
		String sums = null;
		try (TarReader r = new TarReader(new GZIPInputStream(Files.newInputStream(pkg)))) {
			TarEntry e;
			while ((e = r.next()) != null) {
				names.add(e.name());
				if (e.name().equals("checksums/sha256sums.txt")) {
					sums = new String(r.content().readAllBytes(), StandardCharsets.UTF_8);
				}
			}
		}
		assertThat(names).containsExactly("checksums/", "checksums/sha256sums.txt", "manifest.json", "metadata/", "metadata/README.txt",
			"metadata/changelog.txt", "payload/", "payload/image.tar");
		assertThat(sums).matches("[0-9a-f]{64}  payload/image\\.tar\n");

		out.reset();
		assertThat(ctl("dcp", "inspect", pkg.toString())).isZero();
		assertThat(out.toString(StandardCharsets.UTF_8)).contains("\"package_id\" : \"lvgl-demo\"", "\"size_bytes\" : 22",
			"\"artifact_type\" : \"podman-image-tar\"").contains("lvgl-demo-podman-ccmp25-dvk.tar.gz: valid podman package lvgl-demo 1");
	}

	@Test
	void inspectSaysWhatIsWrongInOneLine() throws Exception {
		Path bad = Files.writeString(dir.resolve("bad.tar.gz"), "nope");
		assertThat(ctl("dcp", "inspect", bad.toString())).isEqualTo(Main.FAILED);
		assertThat(err.toString(StandardCharsets.UTF_8)).isEqualTo("containerctl: bad.tar.gz: the package is not a gzip-compressed tar (Not in GZIP format)\n");
		assertThat(ctl("dcp", "inspect", dir.resolve("missing.tar.gz").toString())).isEqualTo(4);
	}

	@Test
	void buildRefusesAManifestThePackageFormatRefuses() throws Exception {
		Path payload = Files.write(dir.resolve("image.tar"), new byte[10]);
		assertThat(ctl("dcp", "build", "--manifest", manifest(MANIFEST.replace("\"create_args\": \"--privileged --network host --tty\",", ""))
			.toString(), "--payload", payload.toString())).isEqualTo(Main.FAILED);
		assertThat(err.toString(StandardCharsets.UTF_8)).isEqualTo("containerctl: dcp build: manifest.json: create_args is missing (required for podman packages)\n");
	}

	@Test
	void withoutADaemonTheOtherCommandsSaySo() {
		assertThat(ctl("--socket", dir.resolve("none.sock").toString(), "list")).isEqualTo(ControlClient.NO_DAEMON);
		assertThat(err.toString(StandardCharsets.UTF_8)).isEqualTo("containerctl: the daemon cannot be reached at " + dir.resolve("none.sock")
			+ " (is cc-containerd running?)\n");
	}

	@Test
	void theSocketComesFromTheDaemonConfiguration() throws Exception {
		Path conf = Files.writeString(dir.resolve("c.conf"), "{ \"service\": { \"control_socket\": \"run/ctl.sock\" } }");
		assertThat(ControlClient.socketOf(conf)).isEqualTo(dir.resolve("run/ctl.sock"));
		assertThat(ControlClient.socketOf(dir.resolve("missing.conf"))).isEqualTo(ControlClient.DEFAULT_SOCKET);
	}

	@Test
	void badUsageIsStatusTwo() {
		assertThat(ctl("dcp", "build", "--manifest")).isEqualTo(Main.USAGE);
		assertThat(ctl("dcp", "frobnicate")).isEqualTo(Main.USAGE);
		assertThat(ctl("dcp", "inspect")).isEqualTo(Main.USAGE);
	}
}
