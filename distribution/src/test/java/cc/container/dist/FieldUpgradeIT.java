package cc.container.dist;

import static org.assertj.core.api.Assertions.assertThat;

import cc.container.testing.Await;
import cc.container.testing.BundleJars;
import cc.container.testing.Busybox;
import cc.container.testing.LxcBundles;
import cc.container.testing.LxcSandbox;
import cc.container.testing.PodmanSandbox;
import cc.container.testing.Sh;
import cc.container.util.json.Json;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Field upgrade of the driver bundles of the built daemon through {@code bin/containerctl} only, with a Podman and an
 * LXC container running: rebuilt drivers replace the shipped ones without touching the containers, a broken one rolls
 * itself back, the upgrade survives a daemon restart, and a rollback puts the shipped driver back.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FieldUpgradeIT {
	static final Duration WAIT = Duration.ofSeconds(90);
	static final String PODMAN = "cc.container.driver.podman";
	static final String LXC = "cc.container.driver.lxc";

	@TempDir
	static Path dir;
	static PodmanSandbox podman;
	static LxcSandbox lxc;
	static Path conf;
	static Daemon daemon;
	static String shipped;

	static CtlIT.Result ctl(String... args) throws Exception {
		return CtlIT.containerctl(Daemon.DIST, conf, dir, args);
	}

	static Path shippedJar(String bsn) throws Exception {
		try (Stream<Path> s = Files.list(Daemon.DIST.resolve("bundle"))) {
			return s.filter(p -> p.getFileName().toString().startsWith(bsn + "-")).findFirst().orElseThrow();
		}
	}

	static long pid(String id) throws Exception {
		Map<?, ?> m = (Map<?, ?>) Json.parse(ctl("status", id, "--json").out().getBytes(StandardCharsets.UTF_8));
		return m.get("pid") == null ? 0 : ((Number) m.get("pid")).longValue();
	}

	static long restarts(String id) throws Exception {
		Map<?, ?> m = (Map<?, ?>) Json.parse(ctl("status", id, "--json").out().getBytes(StandardCharsets.UTF_8));
		return ((Number) ((Map<?, ?>) m.get("restarts")).get("total")).longValue();
	}

	static void awaitRunning(String id, long pid, long restarts) throws Exception {
		Await.until(id + " running with pid " + pid + " after " + restarts + " restarts", WAIT, () -> {
			try {
				long now = pid(id);
				return now > 0 && (pid == 0 || now == pid) && restarts(id) == restarts
					&& ctl("status", id).out().contains("status: running");
			} catch (Exception e) {
				return false;
			}
		});
	}

	static void startDaemon(String... extra) throws Exception {
		List<String> args = new java.util.ArrayList<>(List.of("--config-file", conf.toString()));
		args.addAll(List.of(extra));
		daemon = Daemon.start(dir, args.toArray(String[]::new));
		Await.until("the daemon's socket", WAIT, () -> {
			try {
				return ctl("daemon", "status").status() == 0;
			} catch (Exception e) {
				return false;
			}
		});
	}

	@BeforeAll
	static void daemonWithContainers() throws Exception {
		Path work = Files.createDirectories(dir.resolve("work"));
		podman = new PodmanSandbox(dir.resolve("podman"));
		lxc = new LxcSandbox(work.resolve("installed/lxc"));
		conf = Daemon.writeConfig(dir, "ctl.sock", "INFO", podman);
		Path image = podman.imageArchive("localhost/up/ticker:1", Busybox.TICKER, dir.resolve("ticker.tar"));
		Path bundle = LxcBundles.create(dir, dir.resolve("bundle.tar.gz"), "b", Busybox.TICKER, null);
		startDaemon();
		String restart = "\"registration_defaults\": { \"autostart\": true, \"restart\": { \"enabled\": true, \"max_retries\": 0,"
			+ " \"retry_delay\": 0, \"window\": 60 } }";
		for (String[] c : new String[][] { { "up-pod", "podman", ", \"create_args\": \"--network none\"", image.toString() },
			{ "up-lxc", "lxc", "", bundle.toString() } }) {
			Path m = dir.resolve(c[0] + ".json");
			Files.writeString(m, "{ \"package_id\": \"" + c[0] + "\", \"version\": \"1\", \"runtime\": \"" + c[1]
				+ "\", \"device_types\": [\"test\"], " + restart + c[2] + " }");
			Path out = Files.createDirectories(dir.resolve("pkg-" + c[0]));
			CtlIT.Result r = ctl("dcp", "build", "--manifest", m.toString(), "--payload", c[3], "--output-dir", out.toString());
			assertThat(r.status()).as(r.err()).isZero();
			r = ctl("install", r.out().trim());
			assertThat(r.status()).as(r.err()).isZero();
		}
		shipped = ((Map<?, ?>) ((List<?>) Json.parse(ctl("bundle", "list", "--json").out().getBytes(StandardCharsets.UTF_8))).stream()
			.filter(b -> ((Map<?, ?>) b).get("symbolic_name").equals(PODMAN)).findFirst().orElseThrow()).get("version").toString();
	}

	@AfterAll
	static void stop() throws Exception {
		if (daemon != null) {
			daemon.close();
		}
		lxc.close();
		podman.close();
	}

	@Test
	@Order(1)
	void bundleListShowsTheShippedBundles() throws Exception {
		CtlIT.Result r = ctl("bundle", "list");
		assertThat(r.status()).as(r.err()).isZero();
		List<String> lines = r.out().lines().toList();
		assertThat(lines.get(0)).matches("ID +SYMBOLIC-NAME +VERSION +STATE +UPGRADED");
		for (String bsn : List.of(PODMAN, LXC, "cc.container.supervisor", "cc.container.upgrade", "org.apache.felix.scr")) {
			assertThat(lines).anyMatch(l -> l.matches("\\d+ +" + bsn.replace(".", "\\.") + " +\\S+ +active +no"));
		}
		List<?> json = (List<?>) Json.parse(ctl("bundle", "list", "--json").out().getBytes(StandardCharsets.UTF_8));
		assertThat(json).allSatisfy(o -> assertThat(((Map<?, ?>) o).keySet()).map(Object::toString).containsExactly("id", "symbolic_name",
			"version", "state", "upgraded", "shipped_version", "replaced"));
	}

	@Test
	@Order(2)
	void jarsThatCannotReplaceABundleAreRefusedInOneLine() throws Exception {
		long pod = pid("up-pod");
		Path other = BundleJars.withHeaders(shippedJar(PODMAN), dir.resolve("other.jar"), Map.of("Bundle-SymbolicName", "com.example.other"));
		CtlIT.Result r = ctl("bundle", "update", other.toString());
		assertThat(r.status()).isEqualTo(4);
		assertThat(r.err()).isEqualTo("containerctl: no bundle of the daemon is named com.example.other (bundle list shows them); nothing was changed\n");
		Path text = Files.writeString(dir.resolve("notes.jar"), "not a jar");
		r = ctl("bundle", "update", text.toString());
		assertThat(r.status()).isEqualTo(1);
		assertThat(r.err()).startsWith("containerctl: " + text + " is not a jar (").endsWith("); nothing was changed\n").hasLineCount(1);
		r = ctl("bundle", "rollback", PODMAN);
		assertThat(r.status()).isEqualTo(1);
		assertThat(r.err()).isEqualTo("containerctl: " + PODMAN + " runs the version shipped with the daemon (" + shipped
			+ "); there is nothing to roll back to\n");
		assertThat(ctl("bundle", "frobnicate").status()).isEqualTo(2);
		assertThat(pid("up-pod")).isEqualTo(pod);
	}

	@Test
	@Order(3)
	void rebuiltDriversReplaceTheShippedOnesWhileTheirContainersRun() throws Exception {
		for (String[] d : new String[][] { { PODMAN, "up-pod" }, { LXC, "up-lxc" } }) {
			long pid = pid(d[1]);
			assertThat(pid).isPositive();
			Path v2 = BundleJars.rebuilt(shippedJar(d[0]), dir.resolve(d[0] + "-9.0.1.jar"), "9.0.1");
			CtlIT.Result r = ctl("bundle", "update", v2.toString());
			assertThat(r.status()).as(r.err()).isZero();
			assertThat(r.out()).isEqualTo("checking...\nupdating...\nverifying...\nupdated " + d[0] + " to 9.0.1 (was " + shipped + "): active\n");
			assertThat(ctl("bundle", "list").out().lines()).anyMatch(l -> l.matches("\\d+ +" + d[0].replace(".", "\\.")
				+ " +9\\.0\\.1 +active +yes \\(shipped " + shipped.replace(".", "\\.") + "\\)"));
			awaitRunning(d[1], pid, 0);
			Sh.run("kill", "-9", Long.toString(pid));
			awaitRunning(d[1], 0, 1);
			assertThat(pid(d[1])).isNotEqualTo(pid);
		}
	}

	@Test
	@Order(4)
	void aBrokenDriverRollsItselfBackToTheUpgradeBeforeIt() throws Exception {
		long pid = pid("up-pod");
		Path broken = BundleJars.brokenComponents(shippedJar(PODMAN), dir.resolve("broken.jar"), "9.0.2");
		CtlIT.Result r = ctl("bundle", "update", broken.toString(), "--timeout", "10");
		assertThat(r.status()).isEqualTo(1);
		assertThat(r.out()).isEqualTo("checking...\nupdating...\nverifying...\nrolling back...\n");
		assertThat(r.err()).isEqualTo("containerctl: " + PODMAN + " 9.0.2 did not come up (its component " + PODMAN
			+ ".internal.PodmanDriver failed to activate); 9.0.1 was put back\n");
		assertThat(ctl("bundle", "list").out().lines()).anyMatch(l -> l.matches("\\d+ +" + PODMAN.replace(".", "\\.") + " +9\\.0\\.1 +active +yes .*"));
		awaitRunning("up-pod", pid, 1);
	}

	@Test
	@Order(5)
	void upgradesSurviveADaemonRestartAndRollBackToTheShippedDriver() throws Exception {
		long pod = pid("up-pod");
		long lxcPid = pid("up-lxc");
		daemon.process.destroy();
		assertThat(daemon.waitForExit(Duration.ofSeconds(30))).isZero();
		startDaemon("--shell");
		for (String bsn : List.of(PODMAN, LXC)) {
			assertThat(ctl("bundle", "list").out().lines()).anyMatch(l -> l.matches("\\d+ +" + bsn.replace(".", "\\.") + " +9\\.0\\.1 +active +yes .*"));
		}
		awaitRunning("up-pod", pod, 1);
		awaitRunning("up-lxc", lxcPid, 1);
		// The same listing in the Gogo shell.
		try (OutputStream in = daemon.process.getOutputStream()) {
			in.write("container:bundle list\n".getBytes(StandardCharsets.UTF_8));
			in.flush();
			Await.until("the shell's bundle list", WAIT, () -> Daemon.fileContains(daemon.stdout, "org.apache.felix.scr"));
		}
		assertThat(Files.readString(daemon.stdout)).containsPattern(PODMAN.replace(".", "\\.") + " +9\\.0\\.1 +active +yes");

		CtlIT.Result r = ctl("bundle", "rollback", PODMAN);
		assertThat(r.status()).as(r.err()).isZero();
		assertThat(r.out()).endsWith("rolled back " + PODMAN + " to " + shipped + " (shipped): active\n");
		awaitRunning("up-pod", pod, 1);
		assertThat(Files.readString(dir.resolve("upgrades/upgrades.properties"))).doesNotContain(PODMAN).contains(LXC + "=");
		try (Stream<Path> s = Files.list(dir.resolve("upgrades"))) {
			assertThat(s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".jar"))).singleElement().asString().startsWith(LXC + "-9.0.1-");
		}
	}
}
