package cc.container.dist;

import static org.assertj.core.api.Assertions.assertThat;

import cc.container.testing.BundleJars;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a user does to the installation's own files, each test on an installation of its own (the shipped tarball,
 * unpacked; the other tests share the built distribution, which must stay as built): the launcher's
 * {@code conf/jvm.options} edited on Windows or removed, and a shipped jar replaced under a running daemon.
 */
class DistributionCopyIT {
	static final Duration START = Duration.ofSeconds(60);
	static final String PODMAN = "cc.container.driver.podman";

	@TempDir
	Path dir;
	Path home;
	Path conf;

	/** The shipped tarball, unpacked: an installation of the test's own. */
	@BeforeEach
	void unpackTheDistribution() throws Exception {
		home = Daemon.unpackTarball(dir.resolve("unpacked"));
		conf = dir.resolve("cc-container-mng.conf");
		// Its console off: what the launcher prints is all its standard error holds.
		Files.writeString(conf, DaemonLaunchIT.localConfig("").replace("\"console\": { \"enabled\": true }", "\"console\": { \"enabled\": false }"));
	}

	/** A daemon of this installation whose socket answers; stopped again if it does not. */
	Daemon start() throws Exception {
		Daemon d = Daemon.startFrom(home, dir, dir.resolve("felix-cache"), Map.of(), "--config-file", conf.toString());
		try {
			Daemon.await("the daemon's socket", START, () -> {
				try {
					return ctl("daemon", "status").status() == 0;
				} catch (Exception e) {
					return false;
				}
			});
			return d;
		} catch (AssertionError | RuntimeException e) {
			d.close();
			throw e;
		}
	}

	CtlIT.Result ctl(String... args) throws Exception {
		return CtlIT.containerctl(home, conf, dir, args);
	}

	/** The JVM's command line: the launcher execs it, so the process the test started is the JVM. */
	static List<String> jvmArguments(Daemon d) throws Exception {
		byte[] raw = Files.readAllBytes(Path.of("/proc", Long.toString(d.process.pid()), "cmdline"));
		return Arrays.asList(new String(raw, StandardCharsets.UTF_8).split("\0"));
	}

	/** What the launcher and the daemon wrote to standard error, without the JVM's own warnings (newer JVMs give some). */
	static String launcherErrors(Daemon d) throws Exception {
		return d.stderrText().lines().filter(l -> !l.startsWith("WARNING: ")).map(l -> l + "\n").collect(java.util.stream.Collectors.joining());
	}

	@Test
	void jvmOptionsWrittenOnWindowsWithCommentsGiveTheJvmExactlyTheirOptions() throws Exception {
		Files.writeString(home.resolve("conf/jvm.options"),
			"# edited on another machine\r\n-Xmx40m\r\n\r\n   \r\n  # indented\r\n-Dcc.test.marker=yes   # why\r\n-Dcc.test.hash=a#b\r\n"
				+ "-Dcc.test.glob=*\r\n-XX:+UseSerialGC");
		try (Daemon d = start()) {
			List<String> args = jvmArguments(d);
			// A # inside an option is not a comment; a * is not a file name pattern.
			assertThat(args).contains("-Xmx40m", "-Dcc.test.marker=yes", "-Dcc.test.hash=a#b", "-Dcc.test.glob=*", "-XX:+UseSerialGC")
				.doesNotContain("-Xmx32m").noneMatch(a -> a.contains("\r") || a.contains("why") || a.contains("indented") || a.isBlank());
			assertThat(launcherErrors(d)).isEmpty();
		}
	}

	@Test
	void withoutJvmOptionsTheDaemonSaysSoOnceAndStartsOnTheJvmsDefaults() throws Exception {
		Files.delete(home.resolve("conf/jvm.options"));
		try (Daemon d = start()) {
			assertThat(jvmArguments(d)).noneMatch(a -> a.startsWith("-Xmx"));
			assertThat(launcherErrors(d)).isEqualTo("cc-containerd: " + home + "/conf/jvm.options cannot be read; the JVM's defaults are used\n");
		}
	}

	@Test
	void aShippedJarReplacedUnderARunningDaemonStopsBundleUpdatesUntilARestart() throws Exception {
		Path jar;
		try (Stream<Path> s = Files.list(home.resolve("bundle"))) {
			jar = s.filter(p -> p.getFileName().toString().startsWith(PODMAN + "-")).findFirst().orElseThrow();
		}
		Path v2 = BundleJars.rebuilt(jar, dir.resolve(PODMAN + "-9.0.1.jar"), "9.0.1");
		Daemon d = start();
		try {
			// A reinstall renames a new file into place (with its own time), the running daemon untold.
			Path staged = Files.copy(jar, home.resolve("bundle/.staged"));
			Files.setLastModifiedTime(staged, java.nio.file.attribute.FileTime.fromMillis(Files.getLastModifiedTime(jar).toMillis() + 60_000));
			Files.move(staged, jar, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
			CtlIT.Result r = ctl("bundle", "update", v2.toString());
			assertThat(r.status()).isEqualTo(1);
			assertThat(r.err()).isEqualTo("containerctl: " + jar + " was replaced since the daemon started: restart the daemon before "
				+ "updating or rolling back a bundle (nothing was changed)\n");
			assertThat(ctl("bundle", "list").out().lines()).anyMatch(l -> l.matches("\\d+ +" + PODMAN.replace(".", "\\.") + " +\\S+ +active +no"))
				.noneMatch(l -> l.contains("9.0.1"));
			assertThat(dir.resolve("upgrades/upgrades.properties")).doesNotExist();

			d.process.destroy();
			assertThat(d.waitForExit(Duration.ofSeconds(30))).isZero();
			d = start(); // closed by the finally below: start() stops a daemon that does not come up itself
			r = ctl("bundle", "update", v2.toString());
			assertThat(r.status()).as(r.err()).isZero();
			assertThat(r.out()).contains("updated " + PODMAN + " to 9.0.1 (was ").endsWith("): active\n");
		} finally {
			d.close();
		}
	}
}
