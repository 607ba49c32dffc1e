package cc.container.integration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import cc.container.api.InstallException;
import cc.container.api.Supervisor;
import cc.container.api.config.DaemonConfig;
import cc.container.config.internal.StoreConfiguration;
import cc.container.dcp.internal.InstallerImpl;
import cc.container.testing.Busybox;
import cc.container.testing.LxcSandbox;
import cc.container.testing.Packages;
import cc.container.testing.PodmanSandbox;
import cc.container.testing.TestConfig;
import cc.container.testing.TestLogger;
import cc.container.util.json.Json;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Broken and hostile packages, each refused with its own sentence, leaving nothing behind: nothing is written outside
 * the staging folder, the staging folder is empty afterwards, and the runtimes hold no new container or image.
 */
class HostilePackageTest {
	@TempDir
	static Path dir;
	static PodmanSandbox podman;
	static LxcSandbox lxc;
	static DaemonConfig config;
	static StoreConfiguration store;
	static Parts parts;
	static Supervisor supervisor;
	static InstallerImpl installer;
	static byte[] image;
	static byte[] busyboxBundle;
	static final java.util.concurrent.atomic.AtomicInteger FILES = new java.util.concurrent.atomic.AtomicInteger();

	@BeforeAll
	static void setUp() throws Exception {
		podman = new PodmanSandbox(dir.resolve("podman"));
		image = Files.readAllBytes(podman.imageArchive("localhost/h/t:1", Busybox.TICKER, dir.resolve("t.tar")));
		busyboxBundle = Files.readAllBytes(cc.container.testing.LxcBundles.create(dir, dir.resolve("b.tar.gz"), "b", Busybox.TICKER, null));
		Path work = Files.createDirectories(dir.resolve("work"));
		config = TestConfig.daemon(work, podman, Duration.ofSeconds(30));
		lxc = new LxcSandbox(config.service().lxcPath());
		Files.writeString(work.resolve("boot_id"), "b\n");
		parts = Parts.open(config, dir.resolve("exec"), work.resolve("boot_id"), TestLogger.create());
		store = parts.store();
		supervisor = parts.supervisor();
		installer = parts.installer();
	}

	@AfterAll
	static void cleanUp() {
		parts.close();
		lxc.close();
		podman.close();
	}

	static Map<String, Object> podmanManifest() throws Exception {
		return Packages.manifest("evil", "1", "podman", image);
	}

	static Path file(String name) {
		return dir.resolve(name + "-" + FILES.incrementAndGet() + ".tar.gz");
	}

	/** Installs {@code pkg}, expects {@code message}, and checks that nothing was left anywhere. */
	static void refused(Path pkg, String message) throws Exception {
		String images = podman.podman("images", "-a", "--format", "{{.ID}}");
		assertThatThrownBy(() -> installer.install(pkg, true, s -> { })).isInstanceOf(InstallException.class)
			.hasMessage(pkg.getFileName() + ": " + message)
			.satisfies(e -> assertThat(((InstallException) e).kind()).isEqualTo(InstallException.Kind.BAD_PACKAGE));
		Path work = config.service().workingPath();
		try (Stream<Path> s = Files.walk(work)) {
			assertThat(s.filter(p -> !p.equals(work)).map(p -> work.relativize(p).toString())
				.filter(p -> !p.equals("boot_id") && !p.equals("state.json") && !p.startsWith("installed")))
				.as("left in the working path by %s", pkg.getFileName()).containsOnly("staging");
		}
		assertThat(work.resolve("staging")).isEmptyDirectory();
		assertThat(config.service().lxcPath()).isEmptyDirectory();
		assertThat(store.containers()).isEmpty();
		assertThat(podman.podman("ps", "-a", "--format", "{{.Names}}")).isEmpty();
		assertThat(podman.podman("images", "-a", "--format", "{{.ID}}")).isEqualTo(images);
	}

	static Path withManifest(Map<String, Object> m) throws Exception {
		return Packages.dcp(file("m"), m, "image.tar", image);
	}

	static Map<String, Object> without(String key) throws Exception {
		Map<String, Object> m = new LinkedHashMap<>(podmanManifest());
		m.remove(key);
		return m;
	}

	static Map<String, Object> with(String key, Object value) throws Exception {
		Map<String, Object> m = new LinkedHashMap<>(podmanManifest());
		m.put(key, value);
		return m;
	}

	static Path hostile(String members) throws Exception {
		return Packages.hostile(file("h"), podmanManifest(), "image.tar", image, members);
	}

	@Test
	void brokenArchivesAreRefused() throws Exception {
		Path good = withManifest(podmanManifest());
		byte[] all = Files.readAllBytes(good);
		Path truncated = Files.write(file("truncated"), Arrays.copyOf(all, all.length / 2));
		refused(truncated, "the package is truncated: it ends in the middle of its content");
		refused(Files.writeString(file("text"), "not a package"), "the package is not a gzip-compressed tar (Not in GZIP format)");
		refused(Files.write(file("gz-junk"), Packages.gzip("junk that is not tar ".repeat(100).getBytes())),
			"the package is not a valid tar archive inside its gzip (a tar header has a wrong checksum: this is not a tar archive, or it is damaged)");
	}

	@Test
	void missingOrWrongPartsAreRefused() throws Exception {
		Map<String, byte[]> noManifest = new LinkedHashMap<>();
		noManifest.put("checksums/sha256sums.txt", (Packages.sha256(image) + "  payload/image.tar\n").getBytes());
		noManifest.put("payload/image.tar", image);
		refused(Packages.write(file("no-manifest"), noManifest), "the package has no manifest.json");
		Map<String, byte[]> notJson = new LinkedHashMap<>(noManifest);
		notJson.put("manifest.json", "{ not json".getBytes());
		refused(Packages.write(file("bad-json"), notJson), "manifest.json is not valid JSON (line 1, column 3: Unexpected character ('n' (char 110)): was expecting double-quote to start field name)");
		Map<String, byte[]> noSums = new LinkedHashMap<>();
		noSums.put("manifest.json", Json.write(podmanManifest()));
		noSums.put("payload/image.tar", image);
		refused(Packages.write(file("no-sums"), noSums), "the package has no checksums/sha256sums.txt");
		Map<String, byte[]> noPayload = new LinkedHashMap<>();
		noPayload.put("manifest.json", Json.write(podmanManifest()));
		refused(Packages.write(file("no-payload"), noPayload), "the package has no payload in payload/");
		Map<String, byte[]> stray = new LinkedHashMap<>(noSums);
		stray.put("etc/passwd", "root::0:0::/:/bin/sh\n".getBytes());
		refused(Packages.write(file("stray"), stray), "the package is refused: \"etc/passwd\" is not under manifest.json, payload/, checksums/ or metadata/");
	}

	@Test
	void eachRequiredFieldIsRequired() throws Exception {
		for (String key : new String[] { "package_id", "version", "runtime", "artifact_type", "created_at", "digest", "device_types", "size_bytes" }) {
			refused(withManifest(without(key)), "manifest.json: " + key + " is missing");
		}
	}

	@Test
	void wrongFieldValuesAreRefused() throws Exception {
		refused(withManifest(with("runtime", "docker")), "manifest.json: runtime must be lxc or podman, not \"docker\"");
		refused(withManifest(without("create_args")), "manifest.json: create_args is missing (required for podman packages)");
		refused(withManifest(with("create_args", "--network 'none")),
			"its create_args cannot be read as words (no closing quotation: the ' at position 11 is not closed)");
		refused(withManifest(with("package_id", "../evil")),
			"manifest.json: package_id \"../evil\" is not a valid id (1 to 64 letters, digits, '_', '.' or '-', starting with a letter or digit)");
		refused(withManifest(with("device_types", java.util.List.of())), "manifest.json: device_types must name at least one device type");
		refused(withManifest(with("artifact_type", "lxc-bundle")), "manifest.json: artifact_type must be podman-image-tar for runtime podman, not \"lxc-bundle\"");
		refused(withManifest(with("registration_defaults", Map.of("restart", Map.of("window", 0L)))),
			"manifest.json: registration_defaults.restart.window must be a whole number from 1 to 604800");
		Map<String, Object> lxcWithArgs = Packages.manifest("evil", "1", "lxc", busyboxBundle);
		lxcWithArgs.put("create_args", "--privileged");
		refused(Packages.dcp(file("lxc-args"), lxcWithArgs, "rootfs.tar.gz", busyboxBundle), "manifest.json: create_args is not allowed in an lxc package");
	}

	@Test
	void digestsAndSizesMustAgree() throws Exception {
		String sha = Packages.sha256(image);
		String other = sha.replace(sha.charAt(0), sha.charAt(0) == 'a' ? 'b' : 'a');
		refused(withManifest(with("digest", "sha256:" + other)),
			"the payload's SHA-256 (" + sha + ") does not match the manifest's digest (sha256:" + other + ")");
		refused(Packages.dcp(file("sums"), podmanManifest(), "image.tar", image, other),
			"the payload's SHA-256 (" + sha + ") does not match checksums/sha256sums.txt (" + other + ")");
		refused(withManifest(with("size_bytes", (long) image.length + 1)),
			"the payload is " + image.length + " bytes but the manifest declares " + (image.length + 1) + " (size_bytes)");
	}

	@Test
	void hostilePathsAreRefused() throws Exception {
		refused(hostile("f('../escaped')"), "the package is refused: the member \"../escaped\" has a \"..\" in its path");
		refused(hostile("f('/tmp/escaped')"), "the package is refused: the member \"/tmp/escaped\" has an absolute path");
		refused(hostile("l('metadata/link','../../../etc/shadow')"),
			"the package is refused: the symbolic link \"metadata/link\" points outside the package (../../../etc/shadow)");
		refused(hostile("l('metadata/hard','/etc/shadow',tarfile.LNKTYPE)"),
			"the package is refused: the hard link \"metadata/hard\" points outside the package (/etc/shadow)");
		refused(hostile("d('metadata/sda',tarfile.BLKTYPE)"), "the package is refused: \"metadata/sda\" is a device node");
		refused(hostile("f('manifest.json', b'{}')"), "the package is refused: the member \"manifest.json\" appears twice");
	}

	@Test
	void payloadsTheRuntimeRejectsAreRefused() throws Exception {
		byte[] junk = "not a docker archive".getBytes(StandardCharsets.UTF_8);
		Path pkg = Packages.dcp(file("junk-image"), Packages.manifest("evil", "1", "podman", junk), "image.tar", junk);
		refused(pkg, "Podman cannot load the image of evil: * dir: open the image archive/manifest.json: not a directory");

		Path noRootfsSrc = Files.createDirectories(dir.resolve("no-rootfs"));
		Files.writeString(noRootfsSrc.resolve("config"), "lxc.uts.name = x\n");
		cc.container.testing.Sh.run(noRootfsSrc, Map.of(), java.util.List.of("tar", "-czf", dir.resolve("nr.tar.gz").toString(), "."));
		byte[] noRootfs = Files.readAllBytes(dir.resolve("nr.tar.gz"));
		refused(Packages.dcp(file("no-rootfs"), Packages.manifest("evil", "1", "lxc", noRootfs), "rootfs.tar.gz", noRootfs),
			"its LXC bundle has no config file and rootfs/ folder, neither at its top nor in one single top-level folder");
	}

	@Test
	void aPackageLargerThanTheFreeSpaceIsRefused() throws Exception {
		long free = Files.getFileStore(config.service().workingPath()).getUsableSpace();
		InstallerImpl tight = new InstallerImpl(TestConfig.service(config), store, supervisor, parts.drivers(), TestLogger.create(), Duration.ofSeconds(1),
			free - image.length / 2);
		try {
			Path pkg = withManifest(podmanManifest());
			assertThatThrownBy(() -> tight.install(pkg, true, s -> { })).hasMessageContaining("the package's payload (" + image.length
				+ " bytes) is larger than the free space");
			assertThat(config.service().workingPath().resolve("staging")).isEmptyDirectory();
		} finally {
			tight.close();
		}
	}

	static Consumer<String> quiet() {
		return s -> { };
	}
}
