package cc.container.dist;

import static org.assertj.core.api.Assertions.assertThat;

import cc.container.testing.Await;
import cc.container.testing.Busybox;
import cc.container.testing.LxcBundles;
import cc.container.testing.LxcSandbox;
import cc.container.testing.PodmanSandbox;
import cc.container.testing.VendorDcp.Version;
import cc.container.testing.VendorDcp;
import cc.container.util.json.Json;
import cc.container.util.tar.TarEntry;
import cc.container.util.tar.TarReader;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The vendor's packages, as every version of its generator writes them, installed and run by the built daemon on both
 * runtimes through containerctl; a container updated by a regenerated package (a new package id per build); what
 * {@code dcp build} writes read back with the generator's type rules; path arguments relative to containerctl's folder.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class VendorPackagesIT {
	static final Duration WAIT = Duration.ofSeconds(90);
	static final Map<String, Object> RESTART = restart();

	@TempDir
	static Path dir;
	static PodmanSandbox podman;
	static LxcSandbox lxc;
	static Path work;
	static Path conf;
	static Daemon daemon;
	static Path image;
	static Path failingImage;
	static Path bundleAtTop;
	static Path bundleInFolder;

	static Map<String, Object> restart() {
		Map<String, Object> r = new LinkedHashMap<>();
		r.put("enabled", true);
		r.put("max_retries", 3L);
		r.put("window", 60L);
		r.put("retry_delay", 0L);
		return r;
	}

	static Map<String, Object> drm(List<String> metrics) {
		Map<String, Object> d = new LinkedHashMap<>();
		d.put("enabled", true);
		d.put("stats_sample_interval_s", 30L);
		d.put("stats_list_of_metrics", metrics);
		return d;
	}

	static CtlIT.Result ctlIn(Path cwd, String... args) throws Exception {
		List<String> cmd = new ArrayList<>(List.of(Daemon.DIST.resolve("bin/containerctl").toString(), "--config-file", conf.toString()));
		cmd.addAll(List.of(args));
		Path out = Files.createTempFile(dir, "out", ".txt");
		Path err = Files.createTempFile(dir, "err", ".txt");
		Process p = new ProcessBuilder(cmd).directory(cwd.toFile()).redirectOutput(out.toFile()).redirectError(err.toFile())
			.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
		assertThat(p.waitFor(180, TimeUnit.SECONDS)).isTrue();
		return new CtlIT.Result(p.exitValue(), Files.readString(out), Files.readString(err));
	}

	static CtlIT.Result ctl(String... args) throws Exception {
		return ctlIn(dir, args);
	}

	@SuppressWarnings("unchecked")
	static Map<String, Object> status(String id) throws Exception {
		return (Map<String, Object>) Json.parse(ctl("status", id, "--json").out().getBytes(StandardCharsets.UTF_8));
	}

	@BeforeAll
	static void daemon() throws Exception {
		work = Files.createDirectories(dir.resolve("work"));
		podman = new PodmanSandbox(dir.resolve("podman"));
		lxc = new LxcSandbox(work.resolve("installed/lxc"));
		conf = Daemon.writeConfig(dir, "ctl.sock", "INFO", podman);
		image = podman.imageArchive("localhost/vendor/ticker:1", Busybox.TICKER, dir.resolve("ticker.tar"));
		failingImage = podman.imageArchive("localhost/vendor/failing:1", Busybox.EXIT_AT_ONCE, dir.resolve("failing.tar"));
		// The vendor's recipes name the LXC payload <name>_lxc_<machine>.tar.gz; layout A (top) and B (one folder).
		bundleAtTop = LxcBundles.create(dir, dir.resolve("demo_lxc_ccmp25-dvk.tar.gz"), "demo", Busybox.TICKER, null);
		bundleInFolder = LxcBundles.create(dir, dir.resolve("demo-folder_lxc_ccmp25-dvk.tar.gz"), "demo", Busybox.TICKER, "demo");
		daemon = Daemon.start(dir, "--config-file", conf.toString());
		Await.until("the control socket", WAIT, () -> Files.exists(dir.resolve("ctl.sock")));
	}

	@AfterAll
	static void stop() throws Exception {
		if (daemon != null) {
			daemon.close();
		}
		lxc.close();
		podman.close();
	}

	static Path build(Version v, VendorDcp.Input in, Path payload, Instant at) throws Exception {
		Path out = Files.createDirectories(dir.resolve("vendor-" + v + "-" + at.toEpochMilli()));
		return VendorDcp.write(v, in, payload, out, at);
	}

	static VendorDcp.Input input(String id, String runtime, Map<String, Object> drm, String name) {
		return new VendorDcp.Input(id, runtime.equals("podman") ? "Demo " + id : null, "1.0", runtime,
			runtime.equals("podman") ? "--network none" : null, drm, RESTART, name);
	}

	@Test
	@Order(1)
	void everyGeneratorVersionsPackagesInstallAndRunOnBothRuntimes() throws Exception {
		Instant at = Instant.parse("2026-05-27T10:04:46.123Z");
		String suffix = "-" + VendorDcp.base36(at.toEpochMilli());
		record Case(Version version, String runtime, VendorDcp.Input input, String expectedId, List<String> metrics) {
		}
		List<Case> cases = List.of(
			new Case(Version.V1, "podman", input("v1pod", "podman", null, null), "v1pod" + suffix, null),
			new Case(Version.V1, "lxc", input("v1lxc", "lxc", null, null), "v1lxc" + suffix, null),
			new Case(Version.V2, "podman", input("v2pod", "podman", drm(List.of("all")), null), "v2pod" + suffix,
				List.of("uptime", "cpu", "mem", "net/rx", "net/tx", "disk/read", "disk/write")),
			new Case(Version.V2, "lxc", input("v2lxc", "lxc", drm(List.of("cpu", "mem", "cpu")), null), "v2lxc" + suffix, List.of("cpu", "mem")),
			new Case(Version.V3, "podman", input("v3pod", "podman", drm(List.of()), null), "v3pod" + suffix, List.of()),
			new Case(Version.V3, "lxc", input("v3lxc", "lxc", drm(List.of("uptime")), "v3-named"), "v3-named", List.of("uptime")),
			new Case(Version.V5, "podman", input("v5pod", "podman", null, null), "v5pod", null),
			new Case(Version.V5, "lxc", input("v5lxc", "lxc", null, null), "v5lxc", null),
			new Case(Version.V6, "podman", input("v6pod", "podman", null, null), "v6pod", null),
			new Case(Version.V6, "lxc", input("v6lxc", "lxc", null, null), "v6lxc", null));
		int i = 0;
		for (Case c : cases) {
			Path payload = c.runtime().equals("podman") ? image : (i++ % 2 == 0 ? bundleAtTop : bundleInFolder);
			Path pkg = build(c.version(), c.input(), payload, at);
			assertThat(pkg.getFileName().toString()).as(c.version() + " file name")
				.contains(c.version() == Version.V5 || c.version() == Version.V6 ? "-" + c.runtime() + "-ccmp25-dvk" : "_artifact_" + c.runtime());
			CtlIT.Result r = ctl("install", pkg.toString());
			assertThat(r.status()).as(c + ": " + r.err()).isZero();
			assertThat(r.out()).as(c.toString()).endsWith("installed " + c.expectedId() + " 1.0: running\n");
			Map<String, Object> s = status(c.expectedId());
			assertThat(s.get("status")).isEqualTo("running");
			if (c.metrics() == null) {
				assertThat(s.get("drm")).as(c.toString()).isNull();
			} else {
				assertThat(s.get("drm")).as(c.toString()).isEqualTo(Map.of("enabled", true, "stats_sample_interval_s", 30L,
					"stats_list_of_metrics", c.metrics()));
				assertThat(ctl("status", c.expectedId()).out()).contains("drm.stats_sample_interval_s: 30");
				assertThat(Files.readString(work.resolve("cc-containers.conf"))).contains("\"stats_sample_interval_s\" : 30");
			}
			assertThat(ctl("remove", c.expectedId()).status()).isZero();
		}
	}

	@Test
	@Order(2)
	void aRegeneratedPackageUpdatesItsContainerNamedWithId() throws Exception {
		Instant first = Instant.parse("2026-06-01T08:00:00.001Z");
		Instant second = first.plusSeconds(3600);
		Instant third = second.plusSeconds(3600);
		Path v1 = build(Version.V1, new VendorDcp.Input("regen", null, "1.0", "podman", "--network none", null, RESTART, null), image, first);
		Path v2 = build(Version.V1, new VendorDcp.Input("regen", null, "2.0", "podman", "--network none", null, RESTART, null), image, second);
		Path broken = build(Version.V1, new VendorDcp.Input("regen", null, "3.0", "podman", "--network none", null, RESTART, null), failingImage,
			third);
		String installed = "regen-" + VendorDcp.base36(first.toEpochMilli());
		assertThat(ctl("install", v1.toString()).status()).isZero();
		// Without --id the new build names another container: the sentence says which one it may update, and how.
		CtlIT.Result r = ctl("update", v2.toString());
		assertThat(r.status()).isEqualTo(4);
		assertThat(r.err()).isEqualTo("containerctl: regen-" + VendorDcp.base36(second.toEpochMilli()) + " is not installed; the package's id "
			+ "changes with every build of its generator: if it updates " + installed + ", name it: containerctl update --id " + installed + " " + v2
			+ "\n");
		r = ctl("update", "--id", installed, v2.toString());
		assertThat(r.status()).as(r.err()).isZero();
		assertThat(r.out()).endsWith("updated " + installed + " to 2.0: running\n");
		assertThat(Files.readString(work.resolve("cc-containers.conf"))).contains("\"package_id\" : \"regen-" + VendorDcp.base36(second.toEpochMilli()));
		r = ctl("update", v2.toString(), "--id", installed, "--force");
		assertThat(r.status()).as("the same version again, forced: " + r.err()).isZero();
		// A broken build rolls back to the one that ran.
		r = ctl("update", "--id", installed, broken.toString());
		assertThat(r.status()).isEqualTo(1);
		assertThat(r.err()).startsWith("containerctl: version 3.0 of " + installed + " failed (").endsWith("version 2.0 was put back and runs again\n");
		Map<String, Object> s = status(installed);
		assertThat(s.get("version")).isEqualTo("2.0");
		assertThat(s.get("status")).isEqualTo("running");
		assertThat(ctl("remove", installed).status()).isZero();
	}

	@SuppressWarnings("unchecked")
	static Map<String, Object> manifestOf(Path pkg) throws Exception {
		try (InputStream in = new GZIPInputStream(Files.newInputStream(pkg)); TarReader t = new TarReader(in)) {
			TarEntry e;
			List<String> names = new ArrayList<>();
			Map<String, Object> manifest = null;
			while ((e = t.next()) != null) {
				names.add(e.name() + (e.type() == TarEntry.Type.DIRECTORY && !e.name().endsWith("/") ? "/" : ""));
				if (e.name().equals("manifest.json")) {
					manifest = (Map<String, Object>) Json.parse(t.content().readAllBytes());
				}
			}
			assertThat(names).as("the generator's members, folders included, in its order").hasSize(8)
				.startsWith("checksums/", "checksums/sha256sums.txt", "manifest.json", "metadata/", "metadata/README.txt", "metadata/changelog.txt",
					"payload/");
			return manifest;
		}
	}

	@Test
	@Order(3)
	void dcpBuildWritesWhatTheVendorsManagerReads() throws Exception {
		Path out = Files.createDirectories(dir.resolve("built"));
		Path pm = Files.writeString(dir.resolve("pm.json"), """
			{ "package_id": "built-pod", "version": "1.2", "runtime": "podman", "device_types": ["ccmp25-dvk"],
			  "create_args": "--network none", "firmware_versions": [">=25.01"],
			  "registration_defaults": { "autostart": true, "drm": { "enabled": true, "stats_sample_interval_s": 10, "stats_list_of_metrics": ["all"] } } }
			""");
		CtlIT.Result r = ctl("dcp", "build", "--manifest", pm.toString(), "--payload", image.toString(), "--output-dir", out.toString());
		assertThat(r.status()).as(r.err()).isZero();
		Path pkg = Path.of(r.out().trim());
		assertThat(pkg.getFileName().toString()).isEqualTo("built-pod-podman-ccmp25-dvk.tar.gz");
		Map<String, Object> m = manifestOf(pkg);
		assertThat(VendorDcp.typeProblem(m)).isNull();
		assertThat(m.get("friendly_name")).isNull();
		assertThat(m.get("firmware_versions")).isEqualTo(">=25.01");
		Path lm = Files.writeString(dir.resolve("lm.json"), """
			{ "package_id": "built-lxc", "version": 3, "runtime": "lxc", "device_types": ["ccimx95-dvk"], "friendly_name": "Built LXC" }
			""");
		r = ctl("dcp", "build", "--manifest", lm.toString(), "--payload", bundleInFolder.toString(), "--output-dir", out.toString(), "--file-name",
			"artifact");
		assertThat(r.status()).as(r.err()).isZero();
		pkg = Path.of(r.out().trim());
		assertThat(pkg.getFileName().toString()).isEqualTo("built-lxc_artifact_lxc_ccimx95-dvk.tar.gz");
		m = manifestOf(pkg);
		assertThat(VendorDcp.typeProblem(m)).isNull();
		assertThat(m.get("version")).isEqualTo("3");
		assertThat(ctl("install", pkg.toString()).status()).isZero();
		assertThat(ctl("remove", "built-lxc").status()).isZero();
	}

	@Test
	@Order(4)
	void pathsAreTakenFromWhereContainerctlRuns() throws Exception {
		Path elsewhere = Files.createDirectories(dir.resolve("elsewhere/deeper"));
		Files.copy(image, elsewhere.resolve("image.tar"));
		Files.writeString(elsewhere.resolve("m.json"), """
			{ "package_id": "relative", "version": "1", "runtime": "podman", "device_types": ["x"], "create_args": "--network none" }
			""");
		CtlIT.Result r = ctlIn(elsewhere, "dcp", "build", "--manifest", "m.json", "--payload", "./image.tar", "--output-dir", "../out");
		assertThat(r.status()).as(r.err()).isZero();
		assertThat(dir.resolve("elsewhere/out/relative-podman-x.tar.gz")).exists();
		r = ctlIn(elsewhere, "install", "--no-start", "../out/relative-podman-x.tar.gz");
		assertThat(r.status()).as(r.err()).isZero();
		assertThat(r.out()).endsWith("installed relative 1: stopped\n");
		r = ctlIn(dir.resolve("elsewhere"), "update", "--force", "./out/relative-podman-x.tar.gz", "--id", "relative");
		assertThat(r.status()).as(r.err()).isZero();
		// Every path argument, whatever its place: the daemon is told where the file is from containerctl's folder.
		Files.writeString(elsewhere.resolve("not-a.jar"), "not a jar");
		r = ctlIn(elsewhere, "bundle", "update", "--timeout", "5", "not-a.jar");
		assertThat(r.status()).isEqualTo(1);
		assertThat(r.err()).contains(elsewhere.resolve("not-a.jar").toString());
		assertThat(ctl("remove", "relative").status()).isZero();
	}

	@Test
	@Order(5)
	void aPodmanContainerOfTheVendorsManagerIsTakenOverByAnUpdate() throws Exception {
		// What the vendor's manager leaves: a running container without this project's labels, and its entry.
		podman.podman("load", "-i", image.toString());
		podman.podman("run", "-d", "--name", "legacy", "--network", "none", "localhost/vendor/ticker:1");
		Path file = work.resolve("cc-containers.conf");
		@SuppressWarnings("unchecked")
		Map<String, Object> doc = (Map<String, Object>) Json.parse(Files.readAllBytes(file));
		@SuppressWarnings("unchecked")
		List<Object> entries = new ArrayList<>((List<Object>) doc.get("containers"));
		entries.add(Json.parse(("{ \"id\": \"legacy\", \"version\": \"0.9\", \"runtime\": \"podman\", \"create_args\": \"--network none\", "
			+ "\"autostart\": true, \"restart\": { \"enabled\": true } }").getBytes(StandardCharsets.UTF_8)));
		doc.put("containers", entries);
		Files.write(file, Json.write(doc));
		assertThat(ctl("daemon", "reload").status()).isZero();
		assertThat(status("legacy").get("status")).isEqualTo("unknown");
		Path pkg = build(Version.V6, new VendorDcp.Input("legacy", null, "1.0", "podman", "--network none", null, RESTART, null), image,
			Instant.parse("2026-07-01T00:00:00Z"));
		CtlIT.Result r = ctl("update", "--force", pkg.toString());
		assertThat(r.status()).as(r.err()).isZero();
		Map<String, Object> s = status("legacy");
		assertThat(s.get("status")).isEqualTo("running");
		assertThat(s.get("version")).isEqualTo("1.0");
		assertThat(podman.podman("inspect", "--format", "{{index .Config.Labels \"cc-container-mng.managed\"}}", "legacy").trim()).isEqualTo("true");
		assertThat(podman.podman("ps", "-a", "--format", "{{.Names}}")).doesNotContain("legacy.old");
		assertThat(ctl("remove", "legacy").status()).isZero();
	}
}
