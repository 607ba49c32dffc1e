package cc.container.integration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import cc.container.api.ContainerReport;
import cc.container.api.ContainerStatus;
import cc.container.api.InstallException;
import cc.container.api.config.DaemonConfig;
import cc.container.api.config.SecuritySettings.Profile;
import cc.container.api.config.SecuritySettings;
import cc.container.testing.Busybox;
import cc.container.testing.Decoy;
import cc.container.testing.LxcBundles;
import cc.container.testing.LxcSandbox;
import cc.container.testing.OpenSsl;
import cc.container.testing.Packages;
import cc.container.testing.PodmanSandbox;
import cc.container.testing.Sh;
import cc.container.testing.TestConfig;
import cc.container.testing.TestLogger;
import cc.container.util.json.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Signatures and the privilege policy on the real installer and runtimes. Every host path a hostile package names is a
 * decoy folder with a canary under this test's temporary folder, never the machine's own.
 */
class TrustTest {
	@TempDir
	static Path dir;
	static PodmanSandbox podman;
	static byte[] image;
	static Decoy decoy;
	static Path keys;

	Parts parts;
	LxcSandbox lxc;
	Path work;

	@BeforeAll
	static void fixtures() throws Exception {
		podman = new PodmanSandbox(dir.resolve("podman"));
		image = Files.readAllBytes(podman.imageArchive("localhost/trust/t:1", Busybox.TICKER, dir.resolve("t.tar")));
		decoy = new Decoy(dir.resolve("decoy-host-etc"));
		keys = Files.createDirectories(dir.resolve("trusted-keys"));
		OpenSsl.keygen(keys, "ops", "ed25519");
	}

	@AfterAll
	static void cleanUp() {
		podman.close();
	}

	Parts open(boolean requireSigned, Profile unsigned, Profile signed, List<Path> hostPaths) throws Exception {
		work = Files.createDirectories(dir.resolve("work-" + System.nanoTime()));
		DaemonConfig base = TestConfig.daemon(work, podman, Duration.ofSeconds(30));
		SecuritySettings security = new SecuritySettings(requireSigned, keys, false, dir.resolve("certs"), unsigned, signed, hostPaths);
		DaemonConfig config = new DaemonConfig(base.file(), base.service(), base.logging(), base.runtimes(), security);
		lxc = new LxcSandbox(config.service().lxcPath());
		Files.writeString(work.resolve("boot_id"), "b\n");
		parts = Parts.open(config, work.resolve("exec"), work.resolve("boot_id"), TestLogger.create());
		return parts;
	}

	@AfterEach
	void close() {
		if (parts != null) {
			for (var c : List.copyOf(parts.store().containers())) {
				try {
					parts.installer().remove(c.id());
				} catch (InstallException e) {
					// best effort
				}
			}
			parts.close();
			lxc.close();
		}
		assertThat(decoy.intact()).as("the decoy host folder").isTrue();
	}

	Path podmanPackage(String id, String createArgs) throws Exception {
		Map<String, Object> m = Packages.manifest(id, "1", "podman", image);
		m.put("create_args", createArgs);
		return Packages.dcp(dir.resolve(id + "-" + System.nanoTime() + ".tar.gz"), m, "image.tar", image);
	}

	Path lxcPackage(String id, String extraConfig) throws Exception {
		byte[] bundle = Files.readAllBytes(LxcBundles.withConfig(dir, dir.resolve(id + "-bundle.tar.gz"), LxcBundles.config(id) + extraConfig,
			Busybox.TICKER, null));
		return Packages.dcp(dir.resolve(id + "-" + System.nanoTime() + ".tar.gz"), Packages.manifest(id, "1", "lxc", bundle), "rootfs.tar.gz", bundle);
	}

	/** The installation is refused with {@code message}, and nothing of it is anywhere. */
	void refused(Path pkg, String id, String message) throws Exception {
		assertThatThrownBy(() -> parts.installer().install(pkg, true, s -> { })).isInstanceOf(InstallException.class).hasMessageContaining(message);
		assertThat(parts.store().container(id)).isEmpty();
		assertThat(parts.podman().states()).doesNotContainKey(id);
		assertThat(parts.lxc().states()).doesNotContainKey(id);
		assertThat(work.resolve("staging")).satisfiesAnyOf(p -> assertThat(p).doesNotExist(), p -> assertThat(p).isEmptyDirectory());
	}

	@Test
	void theVendorsExampleInstallsAndRunsUnderTheDefaultProfile() throws Exception {
		open(false, Profile.DEFAULT, Profile.PRIVILEGED, List.of());
		ContainerReport r = parts.installer().install(podmanPackage("vendor-example", "--privileged --network host --tty"), true, s -> { });
		assertThat(r.status()).isEqualTo(ContainerStatus.RUNNING);
	}

	@Test
	void theStrictProfileRefusesTheVendorsExampleNamingTheOption() throws Exception {
		open(false, Profile.STRICT, Profile.PRIVILEGED, List.of());
		refused(podmanPackage("strict-example", "--privileged --network host --tty"), "strict-example",
			"is refused: it asks for privileged mode (--privileged), which the \"strict\" profile of security.unsigned_packages refuses");
	}

	@Test
	void anLxcHookThatWouldTouchTheDecoyDoesNotRun() throws Exception {
		open(false, Profile.DEFAULT, Profile.PRIVILEGED, List.of());
		Path marker = decoy.dir().resolve("hooked");
		refused(lxcPackage("lxc-hook", "lxc.hook.pre-start = /bin/sh -c \"touch " + marker + "\"\n"), "lxc-hook",
			"it asks for a hook that runs on the host (lxc.hook.pre-start = /bin/sh -c \"touch " + marker + "\")");
		assertThat(marker).doesNotExist();
	}

	@Test
	void anLxcHookBehindAHarmlessTopConfigIsFoundAndRefused() throws Exception {
		open(false, Profile.DEFAULT, Profile.PRIVILEGED, List.of());
		Path marker = decoy.dir().resolve("hooked");
		// The driver installs the one folder's bundle (the top has a config but no rootfs/): its hook is what counts.
		Path src = Files.createDirectories(dir.resolve("two-configs-" + System.nanoTime()));
		Path hooked = LxcBundles.withConfig(dir, dir.resolve("hooked-bundle.tar.gz"), LxcBundles.config("lxc-behind")
			+ "lxc.hook.pre-start = /bin/sh -c \"touch " + marker + "\"\n", Busybox.TICKER, "evil");
		Sh.run("tar", "-xzf", hooked.toString(), "-C", src.toString());
		Files.writeString(src.resolve("config"), "lxc.uts.name = harmless\n");
		Path bundle = dir.resolve("behind-" + System.nanoTime() + ".tar.gz");
		Sh.run(src, Map.of(), List.of("tar", "-czf", bundle.toString(), "."));
		byte[] bytes = Files.readAllBytes(bundle);
		refused(Packages.dcp(dir.resolve("lxc-behind-" + System.nanoTime() + ".tar.gz"), Packages.manifest("lxc-behind", "1", "lxc", bytes),
			"rootfs.tar.gz", bytes), "lxc-behind", "it asks for a hook that runs on the host (lxc.hook.pre-start = /bin/sh -c \"touch " + marker + "\")");
		assertThat(marker).doesNotExist();
	}

	@Test
	void hostMountsOfTheDecoyAreRefusedOnBothRuntimes() throws Exception {
		open(false, Profile.DEFAULT, Profile.PRIVILEGED, List.of());
		refused(podmanPackage("pod-mount", "--network none -v " + decoy.dir() + ":/host"), "pod-mount",
			"it asks for a host path (-v " + decoy.dir() + ":/host)");
		// Podman's short options take their value attached, and in a group with others.
		refused(podmanPackage("pod-attached", "--network none -v" + decoy.dir() + ":/host"), "pod-attached",
			"it asks for a host path (-v " + decoy.dir() + ":/host)");
		refused(podmanPackage("pod-grouped", "--network none -itv " + decoy.dir() + ":/host"), "pod-grouped",
			"it asks for a host path (-v " + decoy.dir() + ":/host)");
		refused(lxcPackage("lxc-mount", "lxc.mount.entry = " + decoy.dir() + " mnt none bind,create=dir 0 0\n"), "lxc-mount",
			"it asks for a host path (lxc.mount.entry = " + decoy.dir() + " mnt none bind,create=dir 0 0)");
		refused(lxcPackage("lxc-include", "lxc.include = " + decoy.canary() + "\n"), "lxc-include", "it asks for a file read from the host");
		refused(podmanPackage("pod-pid", "--network none --pid host"), "pod-pid", "it asks for a host namespace (--pid host)");
	}

	@Test
	void aHostPathTheDeviceListsIsMounted() throws Exception {
		open(false, Profile.DEFAULT, Profile.PRIVILEGED, List.of(decoy.dir()));
		ContainerReport r = parts.installer().install(podmanPackage("pod-listed", "--network none -v " + decoy.dir() + ":/host:ro"), true, s -> { });
		assertThat(r.status()).isEqualTo(ContainerStatus.RUNNING);
	}

	@Test
	void withSignaturesRequiredAnUnsignedPackageIsRefusedAndASignedOneInstalls() throws Exception {
		open(true, Profile.STRICT, Profile.DEFAULT, List.of());
		refused(podmanPackage("unsigned", "--network none"), "unsigned",
			"is not signed, and security.require_signed_packages requires a signature by a key of " + keys);
		Map<String, Object> m = Packages.manifest("signed", "1", "podman", image);
		m.put("create_args", "--privileged --network host");
		Path pkg = OpenSsl.signedDcp(dir.resolve("signed.tar.gz"), Json.write(m), "image.tar", image, keys.resolve("ops.key"));
		// Signed, it gets the "default" profile, which allows what "strict" would refuse.
		ContainerReport r = parts.installer().install(pkg, true, s -> { });
		assertThat(r.status()).isEqualTo(ContainerStatus.RUNNING);
	}
}
