package cc.container.dist;

import static org.assertj.core.api.Assertions.assertThat;

import cc.container.testing.Sh;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The distribution tarball's {@code install.sh} run into a staging root ({@code --destdir}), as a device image build
 * runs it: the layout of docs/operations.md, an edited configuration never overwritten, field upgrades kept, units that
 * systemd accepts, and an uninstall that leaves the data.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class InstallScriptIT {
	static final String PREFIX = "/opt/cc-container-mng";

	@TempDir
	static Path dir;
	static Path unpacked;
	static Path root;

	static CtlIT.Result sh(String... args) throws Exception {
		List<String> cmd = new ArrayList<>(List.of("sh", unpacked.resolve("install.sh").toString()));
		cmd.addAll(List.of(args));
		return CtlIT.exec(cmd, dir);
	}

	@BeforeAll
	static void unpack() throws Exception {
		unpacked = Daemon.unpackTarball(dir.resolve("unpacked"));
		root = dir.resolve("root");
	}

	@Test
	@Order(1)
	void installsTheDocumentedLayout() throws Exception {
		assertThat(Files.isExecutable(unpacked.resolve("install.sh"))).as("install.sh is executable in the tarball").isTrue();
		CtlIT.Result r = sh("--destdir", root.toString());
		assertThat(r.status()).as(r.err()).isZero();
		assertThat(r.out()).contains("installed cc-container-mng in " + root + PREFIX);
		Path home = root.resolve(PREFIX.substring(1));
		for (String f : List.of("bin/cc-containerd", "bin/containerctl", "lib/launcher.jar", "lib/felix.jar", "lib/util.jar", "conf/jvm.options",
			"conf/cc-container-mng.conf", "share/doc/README.md", "share/doc/operations.md", "install.sh")) {
			assertThat(home.resolve(f)).as(f).isRegularFile();
		}
		try (Stream<Path> s = Files.list(home.resolve("bundle"))) {
			assertThat(s.map(p -> p.getFileName().toString())).anyMatch(n -> n.startsWith("cc.container.driver.podman-"))
				.anyMatch(n -> n.startsWith("cc.container.upgrade-"));
		}
		for (String l : List.of("cc-containerd", "containerctl")) {
			Path link = root.resolve("usr/bin/" + l);
			assertThat(Files.isSymbolicLink(link)).as(l + " is a link").isTrue();
			assertThat(Files.readSymbolicLink(link)).isEqualTo(Path.of(PREFIX, "bin", l));
		}
		assertThat(root.resolve("etc/cc-container-mng.conf")).hasSameTextualContentAs(unpacked.resolve("conf/cc-container-mng.conf"));
		assertThat(root.resolve("usr/share/bash-completion/completions/containerctl")).hasSameTextualContentAs(
			unpacked.resolve("share/bash-completion/containerctl"));
		assertThat(Files.getPosixFilePermissions(home.resolve("bin/cc-containerd"))).contains(java.nio.file.attribute.PosixFilePermission.OTHERS_EXECUTE);
		// The installed launchers run from where they were put.
		CtlIT.Result help = CtlIT.exec(List.of(home.resolve("bin/cc-containerd").toString(), "--help"), dir);
		assertThat(help.status()).as(help.err()).isZero();
		assertThat(help.out()).contains("--stop-managed-containers");
		assertThat(CtlIT.exec(List.of(home.resolve("bin/containerctl").toString(), "--help"), dir).out()).contains("bundle update <jar>");
	}

	static Map<String, Map<String, List<String>>> unit(Path file) throws Exception {
		Map<String, Map<String, List<String>>> sections = new LinkedHashMap<>();
		Map<String, List<String>> current = null;
		for (String line : Files.readAllLines(file)) {
			String l = line.strip();
			if (l.isEmpty() || l.startsWith("#")) {
				continue;
			}
			if (l.startsWith("[")) {
				assertThat(l).as("a section header in " + file).matches("\\[(Unit|Service|Install)\\]");
				current = sections.computeIfAbsent(l.substring(1, l.length() - 1), k -> new LinkedHashMap<>());
				continue;
			}
			assertThat(current).as("a key before any section in " + file).isNotNull();
			int eq = l.indexOf('=');
			assertThat(eq).as("key=value: " + l).isPositive();
			current.computeIfAbsent(l.substring(0, eq), k -> new ArrayList<>()).add(l.substring(eq + 1));
		}
		return sections;
	}

	@Test
	@Order(2)
	void theUnitsAreWhatSystemdNeeds() throws Exception {
		Path units = root.resolve("lib/systemd/system");
		Set<String> known = Set.of("Description", "Documentation", "After", "Before", "Wants", "Type", "ExecStartPre", "ExecStart", "ExecStop", "ExecReload", "KillMode",
			"Restart", "RestartSec", "RestartPreventExitStatus", "TimeoutStopSec", "RemainAfterExit", "WantedBy", "NotifyAccess", "WatchdogSec");
		Map<String, Map<String, List<String>>> daemon = unit(units.resolve("cc-containerd.service"));
		Map<String, Map<String, List<String>>> shutdown = unit(units.resolve("cc-containerd-shutdown.service"));
		for (Map<String, Map<String, List<String>>> u : List.of(daemon, shutdown)) {
			u.values().forEach(s -> assertThat(known).containsAll(s.keySet()));
			assertThat(u.get("Install").get("WantedBy")).containsExactly("multi-user.target");
		}
		Map<String, List<String>> service = daemon.get("Service");
		assertThat(service.get("ExecStart")).containsExactly("/usr/bin/cc-containerd --config-file /etc/cc-container-mng.conf");
		// The class archive is made before the daemon starts when none fits; its failure does not stop the start.
		assertThat(service.get("ExecStartPre")).containsExactly("-/usr/bin/cc-containerd --make-class-archive --if-stale");
		assertThat(service.get("KillMode")).containsExactly("process");
		assertThat(service.get("Restart")).containsExactly("on-failure");
		// systemd restarts a daemon that stops pinging its watchdog (a hung JVM, a stalled supervision loop).
		assertThat(service.get("Type")).containsExactly("notify");
		assertThat(service.get("WatchdogSec")).containsExactly("60");
		assertThat(shutdown.get("Service").get("ExecStop"))
			.containsExactly("/usr/bin/cc-containerd --config-file /etc/cc-container-mng.conf --stop-managed-containers");
		assertThat(shutdown.get("Service").get("RemainAfterExit")).containsExactly("yes");
		// Stopped after the daemon at shutdown: ordered before it at start.
		assertThat(shutdown.get("Unit").get("Before")).containsExactly("cc-containerd.service");

	}

	@Test
	@Order(2)
	void systemdVerifiesTheUnits() throws Exception {
		Path analyze = Stream.of("/usr/bin/systemd-analyze", "/bin/systemd-analyze").map(Path::of).filter(Files::isExecutable).findFirst().orElse(null);
		org.junit.jupiter.api.Assumptions.assumeTrue(analyze != null, "systemd-analyze is not installed: the units are checked by their parse only");
		Path units = root.resolve("lib/systemd/system");
		// systemd checks the units inside the staging root: it needs the system's own units and the programs they run.
		Path systemUnits = Files.createDirectories(root.resolve("usr/lib/systemd/system"));
		Sh.run("cp", "-a", "/usr/lib/systemd/system/.", systemUnits.toString());
		Files.createDirectories(root.resolve("bin"));
		for (String program : List.of("true", "kill")) {
			if (!Files.exists(root.resolve("bin/" + program))) {
				Files.copy(Path.of("/bin/" + program), root.resolve("bin/" + program));
			}
		}
		CtlIT.Result r = CtlIT.exec(List.of(analyze.toString(), "verify", "--root=" + root, units.resolve("cc-containerd.service").toString(),
			units.resolve("cc-containerd-shutdown.service").toString()), dir);
		assertThat(r.status()).as(r.err()).isZero();
		assertThat(r.out() + r.err()).as("systemd-analyze verify says nothing").isBlank();
	}

	@Test
	@Order(3)
	void aReinstallKeepsAnEditedConfigurationAndTheFieldUpgrades() throws Exception {
		Path home = root.resolve(PREFIX.substring(1));
		Path conf = root.resolve("etc/cc-container-mng.conf");
		Files.writeString(conf, "{ \"version\": 1, \"service\": { \"working_path\": \"/data/containers\" } }\n");
		Path upgrade = Files.createDirectories(home.resolve("upgrades")).resolve("upgrades.properties");
		Files.writeString(upgrade, "cc.container.driver.podman=cc.container.driver.podman-9.0.1-abc.jar\n");
		// A jar the installed version shipped and the new one no longer does: listed by the previous install.
		Path stale = home.resolve("bundle/cc.container.dropped-0.9.0.jar");
		Files.writeString(stale, "a jar the new version no longer ships");
		Path manifest = home.resolve("share/cc-container-mng/installed-files");
		assertThat(Files.readString(manifest)).contains(PREFIX + "/bin/cc-containerd\n", "/usr/bin/containerctl\n");
		Files.writeString(manifest, PREFIX + "/bundle/cc.container.dropped-0.9.0.jar\n", java.nio.file.StandardOpenOption.APPEND);
		// A file of someone else's in the prefix is not the installer's to remove.
		Path foreign = home.resolve("bundle/README.local");
		Files.writeString(foreign, "the integrator's notes");
		Path jvm = home.resolve("conf/jvm.options");
		Files.writeString(jvm, Files.readString(jvm).replace("-Xmx32m", "-Xmx48m"));

		CtlIT.Result r = sh("--destdir", root.toString());
		assertThat(r.status()).as(r.err()).isZero();
		assertThat(r.out()).contains("kept the existing /etc/cc-container-mng.conf", "kept the edited " + PREFIX + "/conf/jvm.options");
		assertThat(Files.readString(conf)).contains("/data/containers");
		assertThat(upgrade).hasContent("cc.container.driver.podman=cc.container.driver.podman-9.0.1-abc.jar");
		assertThat(stale).doesNotExist();
		assertThat(foreign).hasContent("the integrator's notes");
		Files.delete(foreign);
		assertThat(Files.readString(jvm)).contains("-Xmx48m");
		assertThat(home.resolve("conf/jvm.options.shipped")).hasSameTextualContentAs(unpacked.resolve("conf/jvm.options"));
		// Options nobody edited, as an older version shipped them: the new version's replace them.
		String older = Files.readString(unpacked.resolve("conf/jvm.options")).replace("-XX:+ExitOnOutOfMemoryError\n", "");
		Files.writeString(jvm, older);
		Files.writeString(home.resolve("conf/jvm.options.shipped"), older);
		r = sh("--destdir", root.toString());
		assertThat(r.status()).as(r.err()).isZero();
		assertThat(r.out()).doesNotContain("kept the edited");
		assertThat(jvm).hasSameTextualContentAs(unpacked.resolve("conf/jvm.options"));
		assertThat(home.resolve("conf/jvm.options.shipped")).hasSameTextualContentAs(unpacked.resolve("conf/jvm.options"));
		try (Stream<Path> s = Files.list(home)) {
			assertThat(s.map(p -> p.getFileName().toString())).noneMatch(n -> n.contains("-install") || n.contains(".install"));
		}
	}

	@Test
	@Order(4)
	void badOptionsAreOneSentenceAndChangeNothing() throws Exception {
		CtlIT.Result r = sh("--prefix", "relative/path", "--destdir", root.toString());
		assertThat(r.status()).isEqualTo(2);
		assertThat(r.err()).isEqualTo("install.sh: --prefix must be an absolute path, not \"relative/path\"\n");
		r = sh("--frobnicate");
		assertThat(r.status()).isEqualTo(2);
		assertThat(r.err()).isEqualTo("install.sh: unknown option \"--frobnicate\" (install.sh --help lists the options)\n");
		// A purge removes the containers through the daemon; without one it refuses before removing anything.
		r = sh("--uninstall", "--purge", "--destdir", root.toString());
		assertThat(r.status()).isEqualTo(2);
		assertThat(r.err()).startsWith("install.sh: --purge removes every managed container through the daemon, which is not running;");
		assertThat(Files.isSymbolicLink(root.resolve("usr/bin/containerctl"))).isTrue();
		assertThat(root.resolve(PREFIX.substring(1) + "/bin/cc-containerd")).exists();
	}

	@Test
	@Order(5)
	void anUninstallLeavesTheDataAndTheConfiguration() throws Exception {
		Path home = root.resolve(PREFIX.substring(1));
		CtlIT.Result r = sh("--uninstall", "--destdir", root.toString());
		assertThat(r.status()).as(r.err()).isZero();
		assertThat(r.out()).contains("containers, their data, /etc/cc-container-mng.conf and field upgrades stay");
		for (String gone : List.of("usr/bin/cc-containerd", "usr/bin/containerctl", "usr/share/bash-completion/completions/containerctl",
			"lib/systemd/system/cc-containerd.service", "lib/systemd/system/cc-containerd-shutdown.service")) {
			assertThat(Files.exists(root.resolve(gone), java.nio.file.LinkOption.NOFOLLOW_LINKS)).as(gone).isFalse();
		}
		try (Stream<Path> s = Files.list(home)) {
			assertThat(s.map(p -> p.getFileName().toString())).containsExactly("upgrades");
		}
		assertThat(Files.readString(root.resolve("etc/cc-container-mng.conf"))).contains("/data/containers");
	}

	@Test
	@Order(6)
	void aSharedPrefixKeepsEverythingThatIsNotTheManagers() throws Exception {
		Path shared = dir.resolve("shared-root");
		Path local = shared.resolve("usr/local");
		Map<Path, String> others = new LinkedHashMap<>();
		for (String f : List.of("bin/other-tool", "lib/libother.so", "share/doc/other/README", "conf/other.conf", "etc/x")) {
			Path p = local.resolve(f);
			Files.createDirectories(p.getParent());
			Files.writeString(p, "someone else's " + f);
			others.put(p, "someone else's " + f);
		}
		CtlIT.Result r = sh("--prefix", "/usr/local", "--destdir", shared.toString());
		assertThat(r.status()).as(r.err()).isZero();
		assertThat(local.resolve("bin/cc-containerd")).isRegularFile();
		r = sh("--prefix", "/usr/local", "--destdir", shared.toString());
		assertThat(r.status()).as("a reinstall: " + r.err()).isZero();
		r = sh("--uninstall", "--prefix", "/usr/local", "--destdir", shared.toString());
		assertThat(r.status()).as(r.err()).isZero();
		others.forEach((p, text) -> assertThat(p).as(p.toString()).hasContent(text));
		assertThat(local.resolve("bin/cc-containerd")).doesNotExist();
		assertThat(local.resolve("bundle")).doesNotExist();
		assertThat(local.resolve("share/cc-container-mng")).doesNotExist();
		// A file of another package where the manager would put one: refused, nothing written.
		Files.createDirectories(local.resolve("lib"));
		Files.writeString(local.resolve("lib/felix.jar"), "another package's felix");
		r = sh("--prefix", "/usr/local", "--destdir", shared.toString());
		assertThat(r.status()).isEqualTo(2);
		assertThat(r.err()).isEqualTo("install.sh: /usr/local/lib/felix.jar is there already and was not installed by install.sh; "
			+ "give the manager a --prefix of its own\n");
		assertThat(local.resolve("lib/felix.jar")).hasContent("another package's felix");
		assertThat(local.resolve("bin/cc-containerd")).doesNotExist();
	}

	@Test
	@Order(7)
	void aPurgeRemovesTheContainersAndOnlyTheManagersOwnFiles() throws Exception {
		Path droot = dir.resolve("purge-root");
		CtlIT.Result r = sh("--destdir", droot.toString());
		assertThat(r.status()).as(r.err()).isZero();
		// The installed daemon runs on a configuration inside the staging root (relative paths: its own folder).
		Path conf = droot.resolve("etc/cc-container-mng.conf");
		Files.writeString(conf, """
			{ "version": 1, "service": { "working_path": "../var/cc", "control_socket": "../run/ctl.sock", "monitor_interval": 1 },
			  "logging": { "level": "INFO", "syslog": { "enabled": false }, "console": { "enabled": false },
			               "file": { "enabled": true, "path": "../var/log/cc.log" } } }
			""");
		Path work = droot.resolve("var/cc");
		Path others = Files.createDirectories(work.resolve("other-data"));
		Files.writeString(others.resolve("canary"), "not the manager's");
		Path home = droot.resolve(PREFIX.substring(1));
		Process daemon = new ProcessBuilder(home.resolve("bin/cc-containerd").toString(), "--config-file", conf.toString())
			.redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(dir.resolve("purge-daemon.err").toFile()).start();
		try {
			cc.container.testing.Await.until("the purge root's daemon", java.time.Duration.ofSeconds(60),
				() -> Files.exists(droot.resolve("run/ctl.sock")));
			Path bundle = cc.container.testing.LxcBundles.create(dir, dir.resolve("purge-bundle.tar.gz"), "p",
				cc.container.testing.Busybox.TICKER, null);
			byte[] payload = Files.readAllBytes(bundle);
			Path pkg = cc.container.testing.Packages.dcp(dir.resolve("purge.tar.gz"),
				cc.container.testing.Packages.manifest("purged", "1", "lxc", payload), "rootfs.tar.gz", payload);
			CtlIT.Result in = CtlIT.exec(List.of(home.resolve("bin/containerctl").toString(), "--config-file", conf.toString(), "install",
				pkg.toString()), dir);
			assertThat(in.status()).as(in.err()).isZero();
			Files.createDirectories(work.resolve("remote/downloads")); // what remote management keeps there when it is on
			r = sh("--uninstall", "--purge", "--destdir", droot.toString());
			assertThat(r.status()).as(r.err()).isZero();
			assertThat(r.out()).contains("purged cc-container-mng");
			assertThat(Sh.run("lxc-ls", "-P", work.resolve("installed/lxc").toString()).trim()).isEmpty();
			assertThat(others.resolve("canary")).hasContent("not the manager's");
			for (String own : List.of("cc-containers.conf", "state.json", "installed", "staging", "run", "remote")) {
				assertThat(Files.exists(work.resolve(own), java.nio.file.LinkOption.NOFOLLOW_LINKS)).as(own).isFalse();
			}
			assertThat(conf).doesNotExist();
		} finally {
			daemon.destroy();
			daemon.waitFor();
		}
	}
}
