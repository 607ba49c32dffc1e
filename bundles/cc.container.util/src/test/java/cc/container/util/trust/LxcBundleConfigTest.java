package cc.container.util.trust;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The config the privilege policy reads from an LXC bundle is the one the LXC driver installs (its rule: config and
 * rootfs/ at the top, or else in the one folder at the top), and an archive that could make them differ is refused.
 * The archives are made with tar; nothing is unpacked, and the hooks named are text only.
 */
class LxcBundleConfigTest {
	static final String HOOK = "lxc.hook.pre-start = /srv/decoy/evil\n";
	static final String PLAIN = "lxc.uts.name = plain\n";

	@TempDir
	Path dir;

	/** Runs {@code script} with sh in a fresh folder, then archives the folder's content as the bundle. */
	Path bundle(String script) throws Exception {
		Path src = Files.createDirectories(dir.resolve("src-" + System.nanoTime()));
		run(src, "sh", "-c", script);
		Path out = dir.resolve("bundle-" + System.nanoTime() + ".tar.gz");
		if (!Files.exists(src.resolve("bundle.tar.gz"))) {
			run(src, "tar", "-czf", out.toString(), ".");
		} else {
			Files.move(src.resolve("bundle.tar.gz"), out);
		}
		return out;
	}

	static void run(Path in, String... cmd) throws Exception {
		Process p = new ProcessBuilder(List.of(cmd)).directory(in.toFile()).redirectErrorStream(true).start();
		String out = new String(p.getInputStream().readAllBytes());
		assertThat(p.waitFor()).as(out).isZero();
	}

	@Test
	void aHarmlessTopConfigWithoutRootfsDoesNotHideTheFoldersOne() throws Exception {
		// The driver installs evil/ (the top is no bundle without rootfs/), so evil/config is what must be checked.
		Path b = bundle("printf '" + PLAIN + "' > config; mkdir -p evil/rootfs; printf '" + HOOK + "' > evil/config");
		assertThat(PrivilegePolicy.lxcConfig(b)).isEqualTo(HOOK);
	}

	@Test
	void theTopBundleIsReadEvenWhenItsRootfsHoldsAFileNamedConfig() throws Exception {
		Path b = bundle("printf '" + HOOK + "' > config; mkdir rootfs; head -c 2000000 /dev/zero > rootfs/config");
		assertThat(PrivilegePolicy.lxcConfig(b)).isEqualTo(HOOK);
		Path inFolder = bundle("mkdir -p app/rootfs; printf '" + HOOK + "' > app/config");
		assertThat(PrivilegePolicy.lxcConfig(inFolder)).isEqualTo(HOOK);
	}

	@Test
	void aConfigThatIsAHardLinkIsRefused() throws Exception {
		// Unpacked, a hard link is a file like any other: its text would be another member's.
		Path b = bundle("mkdir rootfs; printf '" + HOOK + "' > rootfs/notes; ln rootfs/notes config; tar -czf bundle.tar.gz rootfs config");
		assertThatThrownBy(() -> PrivilegePolicy.lxcConfig(b)).isInstanceOf(IOException.class)
			.hasMessage("its config is a hard link: a bundle's config must be a file of its own");
	}

	@Test
	void aConfigGivenTwiceIsRefused() throws Exception {
		Path b = bundle("mkdir rootfs; printf '" + PLAIN + "' > config; tar -cf b.tar config rootfs; printf '" + HOOK
			+ "' > config; tar -rf b.tar config; gzip -c b.tar > bundle.tar.gz");
		assertThatThrownBy(() -> PrivilegePolicy.lxcConfig(b)).isInstanceOf(IOException.class).hasMessage("it holds config twice");
	}

	@Test
	void aBundleTheDriverWouldNotFindHasNoConfig() throws Exception {
		assertThat(PrivilegePolicy.lxcConfig(bundle("printf '" + PLAIN + "' > config"))).isNull();
		assertThat(PrivilegePolicy.lxcConfig(bundle("mkdir -p a/rootfs b/rootfs; printf '" + HOOK + "' > a/config; printf '" + HOOK
			+ "' > b/config"))).isNull();
	}

	@Test
	void aConfigWithANulByteIsRefused() throws Exception {
		// LXC stops reading at the NUL: the keys the manager adds after it (rootfs, name, logs) would not count.
		Path b = bundle("mkdir rootfs; printf 'lxc.init.cmd = /srv/decoy/evil\\n\\000\\n' > config");
		assertThatThrownBy(() -> PrivilegePolicy.lxcConfig(b)).isInstanceOf(IOException.class)
			.hasMessage("its config holds the control character 0x00 on line 2, where LXC would read it otherwise than the manager does");
	}
}
