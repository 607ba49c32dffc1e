package cc.container.dist;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The distribution's launcher, started as a user starts it. */
class DaemonLaunchIT {
	static final Duration START = Duration.ofSeconds(30);

	@TempDir
	Path dir;

	Path config(String json) throws Exception {
		Path f = dir.resolve("cc-container-mng.conf");
		Files.writeString(f, json);
		return f;
	}

	static String localConfig(String extraService) {
		return """
			{ "version": 1,
			  "service": { "working_path": "work", "monitor_interval": 5, "control_socket": "run/ctl.sock" %s },
			  "logging": { "level": "INFO", "syslog": { "enabled": false }, "console": { "enabled": true },
			               "file": { "enabled": true, "path": "log/cc-containerd.log" } } }
			""".formatted(extraService);
	}

	@Test
	void startsOnALocalConfigurationLogsAndStopsCleanlyOnSigterm() throws Exception {
		Path conf = config(localConfig(""));
		try (Daemon d = Daemon.start(dir, "--config-file", conf.toString())) {
			Path log = dir.resolve("log/cc-containerd.log");
			Daemon.await("the configuration to be loaded", START,
				() -> Daemon.fileContains(log, "Daemon configuration loaded from " + conf));
			Daemon.await("the containers configuration to be read", START,
				() -> Daemon.fileContains(log, "0 managed container(s) configured in " + dir.resolve("work/cc-containers.conf")));
			assertThat(d.process.isAlive()).isTrue();
			Daemon.await("both drivers to be up", START, () -> Daemon.fileContains(log, "The lxc driver is available")
				&& Daemon.fileContains(log, "The podman driver is available"));
			// The shipped jars are read where they lie: none is copied into the bundle cache.
			try (var files = Files.walk(dir.resolve("felix-cache"))) {
				assertThat(files.filter(p -> p.getFileName().toString().endsWith(".jar"))).isEmpty();
			}
			d.process.destroy(); // SIGTERM, as systemd stops it
			assertThat(d.waitForExit(Duration.ofSeconds(20))).isZero();
			// A clean start and stop alarms nobody: not one error line (Felix SCR logs one, for example, for a public
			// constructor of a component whose parameters it cannot give).
			assertThat(Files.readAllLines(log)).noneMatch(line -> line.contains(" ERROR "));
			// Nor on its console (the log's console sink, and what Felix itself prints: "ERROR: ...").
			assertThat(Files.readString(d.stdout) + d.stderrText()).doesNotContain("ERROR");
		}
	}

	@Test
	void theClassArchiveIsMadeOnceAndServesFelixAndTheBundles() throws Exception {
		Path archive = dir.resolve("archive/cc-containerd.jsa");
		Files.createDirectories(archive.getParent());
		Map<String, String> env = Map.of("CC_CONTAINERD_ARCHIVE", archive.toString());
		String cc = Daemon.DIST.resolve("bin/cc-containerd").toString();
		CtlIT.Result made = CtlIT.exec(List.of(cc, "--make-class-archive"), dir, env);
		assertThat(made.status()).as(made.err()).isZero();
		assertThat(made.out()).isEqualTo("cc-containerd: class archive " + archive + " made for this JVM\n");
		// Made for this JVM and these jars: asked again, nothing is done.
		java.nio.file.attribute.FileTime at = Files.getLastModifiedTime(archive);
		assertThat(CtlIT.exec(List.of(cc, "--make-class-archive", "--if-stale"), dir, env).status()).isZero();
		assertThat(Files.getLastModifiedTime(archive)).isEqualTo(at);
		// The daemon maps it: the framework's classes and the bundles' (their class loaders are Felix's) come from it.
		Path classes = dir.resolve("classes.txt");
		Path conf = config(localConfig(""));
		Map<String, String> logged = Map.of("CC_CONTAINERD_ARCHIVE", archive.toString(), "CC_CONTAINERD_JAVA_OPTS",
			"-Xlog:class+load=info:file=" + classes);
		try (Daemon d = Daemon.start(dir, dir.resolve("felix-cache"), logged, "--config-file", conf.toString())) {
			Path log = dir.resolve("log/cc-containerd.log");
			Daemon.await("the containers configuration to be read", START,
				() -> Daemon.fileContains(log, "0 managed container(s) configured in " + dir.resolve("work/cc-containers.conf")));
			d.process.destroy();
			assertThat(d.waitForExit(Duration.ofSeconds(20))).isZero();
		}
		assertThat(Files.readString(classes)).contains("org.apache.felix.framework.Felix source: shared objects file (top)",
			"cc.container.config.internal.StoreConfiguration source: shared objects file (top)");
		// Made for something else (another JVM, other jars): made again.
		Files.writeString(archive.resolveSibling("cc-containerd.jsa.id"), "another JVM\n");
		assertThat(CtlIT.exec(List.of(cc, "--make-class-archive", "--if-stale"), dir, env).status()).isZero();
		assertThat(Files.readString(archive.resolveSibling("cc-containerd.jsa.id"))).isNotEqualTo("another JVM\n");
		// A damaged archive is ignored: the daemon starts as without one.
		Files.write(archive, new byte[] { 1, 2, 3 });
		Files.deleteIfExists(dir.resolve("log/cc-containerd.log"));
		try (Daemon d = Daemon.start(dir, dir.resolve("felix-cache"), env, "--config-file", conf.toString())) {
			Daemon.await("the containers configuration to be read", START, () -> Daemon.fileContains(dir.resolve("log/cc-containerd.log"),
				"0 managed container(s) configured in " + dir.resolve("work/cc-containers.conf")));
			d.process.destroy();
			assertThat(d.waitForExit(Duration.ofSeconds(20))).isZero();
		}
	}

	@Test
	void invalidConfigurationStopsTheDaemonWithOneClearLine() throws Exception {
		Path conf = config("{ \"service\": { \"monitor_interval\": 0 } }");
		try (Daemon d = Daemon.start(dir, "--config-file", conf.toString())) {
			assertThat(d.waitForExit(START)).isEqualTo(2);
			assertThat(d.stderrText()).contains(
				"cc-containerd: " + conf + ": service.monitor_interval: must be a whole number from 1 to 3600, got 0");
		}
	}

	@Test
	void malformedConfigurationNamesLineAndColumn() throws Exception {
		Path conf = config("{\n  \"service\": {\n    \"monitor_interval\": 10,\n  }\n}\n");
		try (Daemon d = Daemon.start(dir, "--config-file", conf.toString())) {
			assertThat(d.waitForExit(START)).isEqualTo(2);
			assertThat(d.stderrText()).contains("cc-containerd: " + conf + ": malformed JSON at line 4, column 3:");
		}
	}

	@Test
	void missingConfigurationFileIsNamed() throws Exception {
		Path conf = dir.resolve("nowhere.conf");
		try (Daemon d = Daemon.start(dir, "--config-file", conf.toString())) {
			assertThat(d.waitForExit(START)).isEqualTo(2);
			assertThat(d.stderrText()).contains("cc-containerd: " + conf + ": the file does not exist");
		}
	}

	@Test
	void invalidContainersConfigurationStopsTheDaemon() throws Exception {
		Path conf = config(localConfig(""));
		Files.createDirectories(dir.resolve("work"));
		Files.writeString(dir.resolve("work/cc-containers.conf"), "{\"containers\": [{\"id\": \"a b\", \"runtime\": \"lxc\"}]}");
		try (Daemon d = Daemon.start(dir, "--config-file", conf.toString())) {
			assertThat(d.waitForExit(START)).isEqualTo(2);
			assertThat(d.stderrText()).contains(dir.resolve("work/cc-containers.conf") + ": containers[0].id: \"a b\" is not a valid id");
		}
	}

	@Test
	void unknownOptionPrintsUsageAndExitsWithTwo() throws Exception {
		try (Daemon d = Daemon.start(dir, "--frobnicate")) {
			assertThat(d.waitForExit(START)).isEqualTo(2);
			assertThat(d.stderrText()).contains("cc-containerd: unknown option \"--frobnicate\"",
				"usage: cc-containerd [--config-file PATH]");
		}
	}

	@Test
	void aMistypedClassArchiveOptionIsRefusedAndMakesNothing() throws Exception {
		Path archive = dir.resolve("cds/daemon.jsa");
		Files.createDirectories(archive.getParent());
		try (Daemon d = Daemon.start(dir, dir.resolve("cache"), Map.of("CC_CONTAINERD_ARCHIVE", archive.toString()),
			"--make-class-archive", "--if-stal")) {
			assertThat(d.waitForExit(START)).isEqualTo(2);
			assertThat(d.stderrText()).contains("cc-containerd: --make-class-archive takes only --if-stale, not \"--if-stal\"");
		}
		try (var files = Files.list(archive.getParent())) {
			assertThat(files).isEmpty();
		}
	}

	@Test
	void shellOnTheConsoleDoesNotStopTheDaemonWhenItsInputEnds() throws Exception {
		Path conf = config(localConfig(""));
		try (Daemon d = Daemon.start(dir, "--config-file", conf.toString(), "--shell")) {
			Path log = dir.resolve("log/cc-containerd.log");
			Daemon.await("the configuration to be loaded", START, () -> Daemon.fileContains(log, "Daemon configuration loaded"));
			try (OutputStream in = d.process.getOutputStream()) {
				in.write("lb\n".getBytes());
			}
			Daemon.await("the shell to answer", START, () -> Daemon.fileContains(d.stdout, "cc.container.config"));
			// The shell has now read the end of its input; the daemon must outlive it and still answer.
			String status = cc.container.testing.Sh.run(Daemon.DIST.resolve("bin/containerctl").toString(), "--config-file", conf.toString(),
				"daemon", "status");
			assertThat(status).contains("pid");
			assertThat(d.process.isAlive()).as("daemon alive after its console input ended").isTrue();
		}
	}

	@Test
	void onATerminalTheShellEditsLines() throws Exception {
		Path conf = config(localConfig(""));
		String session = "cc-it-" + ProcessHandle.current().pid();
		String daemonCmd = "CC_CONTAINERD_JAVA_OPTS=-Dcc.containerd.storage=" + dir.resolve("felix-cache") + " "
			+ Daemon.DIST.resolve("bin/cc-containerd") + " --shell --config-file " + conf + " 2>/dev/null";
		cc.container.testing.Sh.run("tmux", "new-session", "-d", "-s", session, "-x", "160", "-y", "50", daemonCmd);
		try {
			Path log = dir.resolve("log/cc-containerd.log");
			Daemon.await("the daemon to start", START, () -> Daemon.fileContains(log, "containerctl can reach the daemon"));
			Daemon.await("the prompt", START, () -> cc.container.testing.Sh.run("tmux", "capture-pane", "-t", session, "-p").contains("g!"));
			cc.container.testing.Sh.run("tmux", "send-keys", "-t", session, "container:daemon status", "Enter");
			Daemon.await("the command's answer", START,
				() -> cc.container.testing.Sh.run("tmux", "capture-pane", "-t", session, "-p").contains("log_level: INFO"));
			// The up arrow recalls it: only a line editor with history does that (a plain terminal sends ^[[A).
			cc.container.testing.Sh.run("tmux", "send-keys", "-t", session, "Up", "Enter");
			Daemon.await("the recalled command's answer", START, () -> cc.container.testing.Sh.run("tmux", "capture-pane", "-t", session, "-p", "-S", "-")
				.split("log_level: INFO", -1).length == 3);
		} finally {
			cc.container.testing.Sh.run("tmux", "kill-session", "-t", session);
			Daemon.await("the daemon to end", START,
				() -> ProcessHandle.allProcesses().noneMatch(p -> p.info().commandLine().orElse("").contains(conf.toString())));
		}
	}
}
