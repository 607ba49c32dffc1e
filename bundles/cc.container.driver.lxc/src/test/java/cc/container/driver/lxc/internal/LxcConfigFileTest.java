package cc.container.driver.lxc.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The rewrite of a bundle's LXC config for its home on the device: what it pins, keeps and refuses. */
class LxcConfigFileTest {
	@Test
	void configRewritePinsTheHostPathsAndKeepsTheAuthorsOtherLines() throws Exception {
		String rewritten = LxcConfigFile.rewrite("lxc.utsname = old\n# comment\nlxc.rootfs = /old/rootfs\nlxc.console.size = 64GB\nlxc.cap.drop = sys_admin\n",
			Path.of("/w/installed/lxc/app"), "app");
		assertThat(rewritten).isEqualTo("lxc.uts.name = app\n# comment\nlxc.rootfs.path = dir:/w/installed/lxc/app/rootfs\n"
			+ "lxc.console.size = 1024KB\nlxc.cap.drop = sys_admin\n# added by cc-container-mng\n"
			+ "lxc.console.logfile = /w/installed/lxc/app/console.log\nlxc.log.file = /w/installed/lxc/app/lxc-start.log\nlxc.console.rotate = 1\n");
	}

	@Test
	void aPinnedKeyIsPinnedEveryTimeItAppears() throws Exception {
		String rewritten = LxcConfigFile.rewrite("lxc.rootfs.path = dir:/a/rootfs\nlxc.console.logfile = /x\nlxc.rootfs.path = dir:/a/rootfs\n"
			+ "lxc.console.logfile = /decoy/shadow\nlxc.logfile = /decoy/passwd\nlxc.log.file = /decoy/group\n", Path.of("/w/app"), "app");
		assertThat(rewritten.lines().filter(l -> l.startsWith("lxc.rootfs.path"))).containsExactly("lxc.rootfs.path = dir:/w/app/rootfs");
		assertThat(rewritten.lines().filter(l -> l.startsWith("lxc.console.logfile"))).containsExactly("lxc.console.logfile = /w/app/console.log");
		assertThat(rewritten.lines().filter(l -> l.startsWith("lxc.log"))).containsExactly("lxc.log.file = /w/app/lxc-start.log");
		assertThat(rewritten).doesNotContain("/decoy", "/x");
	}

	@Test
	void aConfigNamingAnotherRootFileSystemIsRefused() {
		assertThatThrownBy(() -> LxcConfigFile.rewrite("lxc.rootfs.path = dir:/a/rootfs\nlxc.rootfs.path = dir:/decoy\n", Path.of("/w/app"), "app"))
			.hasMessage("the LXC config names two root file systems (\"dir:/a/rootfs\" and \"dir:/decoy\"); the manager installs the bundle's rootfs/ folder only");
		assertThatThrownBy(() -> LxcConfigFile.rewrite("lxc.rootfs.path = overlayfs:/lower:/upper\n", Path.of("/w/app"), "app"))
			.hasMessage("the LXC config's lxc.rootfs.path names a root file system that is not a folder (\"overlayfs:/lower:/upper\"); the manager installs the bundle's rootfs/ folder only");
		assertThatThrownBy(() -> LxcConfigFile.rewrite("lxc.rootfs = /dev/sda1\nlxc.rootfs = /dev/sdb1\n", Path.of("/w/app"), "app"))
			.isInstanceOf(LxcConfigFile.Refused.class);
	}

	@Test
	void aRenameKeepsTheConsoleSizeTheInstallSet() throws Exception {
		String installed = LxcConfigFile.rewrite("lxc.uts.name = x\n", Path.of("/w/app"), "app", 256 << 10);
		assertThat(LxcConfigFile.consoleSize(installed)).isEqualTo(256 << 10);
		assertThat(LxcConfigFile.rewrite(installed, Path.of("/w/app.old"), "app.old", LxcConfigFile.consoleSize(installed)))
			.contains("lxc.console.size = 256KB\n");
		assertThat(LxcConfigFile.consoleSize("lxc.uts.name = x\n")).isEqualTo(LxcConfigFile.CONSOLE_SIZE);
		assertThat(LxcConfigFile.consoleSize("lxc.console.size = 9GB\n")).isEqualTo(LxcConfigFile.CONSOLE_SIZE);
	}

	@Test
	void aConfigWithANulByteIsRefused() {
		// LXC stops reading a config at a NUL: the keys pinned after it would not count.
		assertThatThrownBy(() -> LxcConfigFile.rewrite("lxc.uts.name = x\n\0\n", Path.of("/w/app"), "app"))
			.isInstanceOf(LxcConfigFile.Refused.class).hasMessageContaining("the control character 0x00 on line 2");
	}
}
