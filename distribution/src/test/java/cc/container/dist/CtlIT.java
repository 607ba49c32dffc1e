package cc.container.dist;

import static org.assertj.core.api.Assertions.assertThat;

import cc.container.testing.Await;
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
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every command of SPEC section 7 through the built {@code bin/containerctl} only, against the built daemon driving
 * real Podman and LXC; then the same commands in the daemon's Gogo shell.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CtlIT {
	static final Duration WAIT = Duration.ofSeconds(90);

	@TempDir
	static Path dir;
	static PodmanSandbox podman;
	static LxcSandbox lxc;
	static Path work;
	static Path conf;
	static Path socket;
	static Daemon daemon;
	static Path podV1;
	static Path podV2;
	static Path podBroken;
	static Path lxcV1;
	static Path crasher;

	record Result(int status, String out, String err) {
	}

	static Result ctl(String... args) throws Exception {
		return containerctl(Daemon.DIST, conf, dir, args);
	}

	/** {@code containerctl --config-file <conf> <args>} of the installation in {@code home}; its output goes through {@code tmp}. */
	static Result containerctl(Path home, Path conf, Path tmp, String... args) throws Exception {
		List<String> cmd = new ArrayList<>(List.of(home.resolve("bin/containerctl").toString(), "--config-file", conf.toString()));
		cmd.addAll(List.of(args));
		return exec(cmd, tmp);
	}

	static Result exec(List<String> cmd) throws Exception {
		return exec(cmd, dir);
	}

	/** Runs {@code cmd} with no input; its output goes through files in {@code tmp}. */
	static Result exec(List<String> cmd, Path tmp) throws Exception {
		return exec(cmd, tmp, Map.of());
	}

	/** The same with {@code env} added to the environment. */
	static Result exec(List<String> cmd, Path tmp, Map<String, String> env) throws Exception {
		Path out = Files.createTempFile(tmp, "out", ".txt");
		Path err = Files.createTempFile(tmp, "err", ".txt");
		ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile())
			.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
		pb.environment().putAll(env);
		Process p = pb.start();
		if (!p.waitFor(180, TimeUnit.SECONDS)) {
			p.destroyForcibly();
			throw new AssertionError("timed out: " + cmd);
		}
		Result r = new Result(p.exitValue(), Files.readString(out), Files.readString(err));
		Files.delete(out);
		Files.delete(err);
		return r;
	}

	static Path manifest(String id, String version, String runtime, String extra) throws Exception {
		Path m = dir.resolve(id + "-" + version + ".json");
		Files.writeString(m, "{ \"package_id\": \"" + id + "\", \"version\": \"" + version + "\", \"runtime\": \"" + runtime + "\","
			+ " \"device_types\": [\"test\"], \"registration_defaults\": { \"autostart\": true,"
			+ " \"restart\": { \"enabled\": true, \"max_retries\": 0, \"retry_delay\": 0, \"window\": 60 } }" + extra + " }");
		return m;
	}

	static Path build(Path manifest, Path payload, String name) throws Exception {
		Path outDir = Files.createDirectories(dir.resolve("pkgs-" + name));
		Result r = ctl("dcp", "build", "--manifest", manifest.toString(), "--payload", payload.toString(), "--output-dir", outDir.toString());
		assertThat(r.status()).as(r.err()).isZero();
		return Path.of(r.out().trim());
	}

	@BeforeAll
	static void daemon() throws Exception {
		work = Files.createDirectories(dir.resolve("work"));
		podman = new PodmanSandbox(dir.resolve("podman"));
		lxc = new LxcSandbox(work.resolve("installed/lxc"));
		socket = dir.resolve("ctl.sock");
		conf = Daemon.writeConfig(dir, socket.getFileName().toString(), "INFO", podman);
		Path ticker = podman.imageArchive("localhost/ctl/ticker:1", Busybox.TICKER, dir.resolve("ticker.tar"));
		Path failing = podman.imageArchive("localhost/ctl/failing:1", Busybox.EXIT_AT_ONCE, dir.resolve("failing.tar"));
		Path bundle = LxcBundles.create(dir, dir.resolve("bundle.tar.gz"), "b", Busybox.TICKER, null);
		String args = ", \"create_args\": \"--network none\"";
		podV1 = build(manifest("ctl-pod", "1", "podman", args), ticker, "v1");
		podV2 = build(manifest("ctl-pod", "2", "podman", args), ticker, "v2");
		podBroken = build(manifest("ctl-pod", "3", "podman", args), failing, "v3");
		lxcV1 = build(manifest("ctl-lxc", "1", "lxc", ""), bundle, "lxc");
		crasher = build(manifest("ctl-crash", "1", "podman", args), failing, "crash");
		daemon = Daemon.start(dir, "--config-file", conf.toString());
		Await.until("the control socket", WAIT, () -> Files.exists(socket));
	}

	@AfterAll
	static void stop() throws Exception {
		if (daemon != null) {
			daemon.close();
		}
		lxc.close();
		podman.close();
	}

	@SuppressWarnings("unchecked")
	static Map<String, Object> jsonObject(String s) throws Exception {
		return (Map<String, Object>) Json.parse(s.getBytes(StandardCharsets.UTF_8));
	}

	@Test
	@Order(1)
	void installListAndStatus() throws Exception {
		Result r = ctl("install", podV1.toString());
		assertThat(r.status()).as(r.err()).isZero();
		assertThat(r.out()).contains("verifying...", "loading...", "starting...").endsWith("installed ctl-pod 1: running\n");
		r = ctl("install", lxcV1.toString(), "--no-start");
		assertThat(r.out()).endsWith("installed ctl-lxc 1: stopped\n");
		assertThat(ctl("start", "ctl-lxc").out()).startsWith("ctl-lxc: running (pid ");
		assertThat(ctl("install", podV1.toString()).err()).isEqualTo("containerctl: ctl-pod is already installed; use update to replace it\n");

		r = ctl("list");
		assertThat(r.status()).isZero();
		List<String> lines = r.out().lines().toList();
		assertThat(lines.get(0)).matches("ID +NAME +RUNTIME +VERSION +STATUS +UPTIME +RESTARTS +AUTOSTART");
		assertThat(lines).anyMatch(l -> l.matches("ctl-pod +- +podman +1 +running +\\S+ +0 +yes"));
		assertThat(lines).anyMatch(l -> l.matches("ctl-lxc +- +lxc +1 +running +\\S+ +0 +yes"));

		List<?> list = (List<?>) Json.parse(ctl("list", "--json").out().getBytes(StandardCharsets.UTF_8));
		assertThat(list).hasSize(2);
		Map<String, Object> pod = jsonObject(ctl("status", "ctl-pod", "--json").out());
		assertThat(pod).containsKeys("id", "friendly_name", "runtime", "version", "desired", "status", "pid", "started_at", "exited_at",
			"exit_code", "restarts", "stats", "history");
		assertThat(pod.get("status")).isEqualTo("running");
		assertThat(((Number) pod.get("pid")).longValue()).isEqualTo(Long.parseLong(podman.podman("inspect", "--format", "{{.State.Pid}}", "ctl-pod").trim()));
		assertThat(ctl("status", "ctl-lxc").out()).contains("status: running", "runtime: lxc", "restarts.total: 0");
	}

	@Test
	@Order(2)
	void startStopRestart() throws Exception {
		long pid = ((Number) jsonObject(ctl("status", "ctl-pod", "--json").out()).get("pid")).longValue();
		assertThat(ctl("stop", "ctl-pod", "-t", "1").out()).isEqualTo("ctl-pod: stopped\n");
		assertThat(podman.podman("inspect", "--format", "{{.State.Status}}", "ctl-pod").trim()).isEqualTo("exited");
		assertThat(ctl("start", "ctl-pod").out()).startsWith("ctl-pod: running (pid ");
		Result r = ctl("restart", "ctl-pod", "-t", "1");
		assertThat(r.out()).startsWith("ctl-pod: running (pid ");
		assertThat(((Number) jsonObject(ctl("status", "ctl-pod", "--json").out()).get("pid")).longValue()).isNotEqualTo(pid);
		assertThat(ctl("stop", "ctl-lxc", "-t", "1").out()).isEqualTo("ctl-lxc: stopped\n");
		assertThat(lxc.state("ctl-lxc")).isEqualTo("STOPPED");
		assertThat(ctl("start", "ctl-lxc").status()).isZero();
	}

	@Test
	@Order(3)
	void logsAndFollow() throws Exception {
		Await.until("ticks in the logs", WAIT, () -> {
			try {
				return ctl("logs", "ctl-pod", "--tail", "2").out().contains("tick");
			} catch (Exception e) {
				return false;
			}
		});
		assertThat(ctl("logs", "ctl-pod", "--tail", "2").out().lines()).hasSize(2);
		assertThat(ctl("logs", "ctl-lxc", "--tail", "50").out()).contains("started");
		Path out = dir.resolve("follow.txt");
		Process f = new ProcessBuilder(Daemon.DIST.resolve("bin/containerctl").toString(), "--config-file", conf.toString(), "logs", "ctl-pod",
			"--tail", "0", "-f").redirectOutput(out.toFile()).redirectErrorStream(true).start();
		Await.until("a followed tick", WAIT, () -> Daemon.fileContains(out, "tick"));
		Sh.run("kill", "-INT", Long.toString(f.pid())); // Ctrl-C
		assertThat(f.waitFor(10, TimeUnit.SECONDS)).isTrue();
		assertThat(ctl("daemon", "status").status()).isZero();
	}

	@Test
	@Order(4)
	void configGetAndSet() throws Exception {
		assertThat(ctl("config", "get", "ctl-pod").out()).contains("autostart = true", "restart.max_retries = 0", "restart.window = 60");
		assertThat(ctl("config", "set", "ctl-pod", "restart.max_retries", "5").out()).isEqualTo("ctl-pod: restart.max_retries = 5\n");
		assertThat(ctl("config", "get", "ctl-pod", "restart.max_retries").out()).isEqualTo("5\n");
		assertThat(ctl("config", "set", "ctl-pod", "friendly_name", "My Pod").status()).isZero();
		assertThat(Files.readString(work.resolve("cc-containers.conf"))).contains("\"max_retries\" : 5", "\"friendly_name\" : \"My Pod\"");
		Result bad = ctl("config", "set", "ctl-pod", "restart.window", "0");
		assertThat(bad.status()).isEqualTo(2);
		assertThat(bad.err()).isEqualTo("containerctl: restart.window takes a whole number from 1 to 604800, not \"0\" (containerctl --help lists the commands)\n");
	}

	@Test
	@Order(5)
	void statsHistoryAndDaemon() throws Exception {
		Await.until("statistics", WAIT, () -> {
			try {
				return jsonObject(ctl("stats", "--json").out()).get("ctl-pod") != null;
			} catch (Exception e) {
				return false;
			}
		});
		assertThat(ctl("stats").out().lines().findFirst().orElseThrow()).matches("ID +CPU % +MEM +LIMIT +NET RX/TX +BLOCK R/W +PIDS +SAMPLED");
		long pid = ((Number) jsonObject(ctl("status", "ctl-pod", "--json").out()).get("pid")).longValue();
		Sh.run("kill", "-9", Long.toString(pid));
		Await.until("a history entry", WAIT, () -> {
			try {
				return ctl("history", "ctl-pod").out().contains("died");
			} catch (Exception e) {
				return false;
			}
		});
		assertThat(ctl("history", "ctl-pod", "--json").out()).contains("\"signal\" : \"KILL\"");
		Map<String, Object> d = jsonObject(ctl("daemon", "status", "--json").out());
		assertThat(d.get("pid")).isEqualTo(daemon.process.pid());
		assertThat(ctl("daemon", "log-level", "DEBUG").out()).isEqualTo("log level: DEBUG\n");
		assertThat(ctl("daemon", "log-level", "LOUD").status()).isEqualTo(2);
		assertThat(ctl("daemon", "log-level", "INFO").status()).isZero();
	}

	@Test
	@Order(6)
	void updateRollbackAndRemove() throws Exception {
		Result r = ctl("update", podV2.toString());
		assertThat(r.status()).as(r.err()).isZero();
		assertThat(r.out()).endsWith("updated ctl-pod to 2: running\n");
		assertThat(ctl("config", "get", "ctl-pod", "restart.max_retries").out()).isEqualTo("5\n");
		r = ctl("update", podBroken.toString());
		assertThat(r.status()).isEqualTo(1);
		assertThat(r.err()).startsWith("containerctl: version 3 of ctl-pod failed (").endsWith("version 2 was put back and runs again\n");
		assertThat(ctl("update", podV2.toString()).err()).contains("is not newer than the installed 2");
		assertThat(ctl("remove", "ctl-lxc").out()).isEqualTo("removed ctl-lxc\n");
		assertThat(work.resolve("installed/lxc/ctl-lxc")).doesNotExist();
		assertThat(ctl("status", "ctl-lxc").status()).isEqualTo(4);
	}

	@Test
	@Order(7)
	void badUsageAndUnknownContainersAreOneLine() throws Exception {
		String[][] usage = { { "status" }, { "start" }, { "stop", "ctl-pod", "-t" }, { "stop", "ctl-pod", "-t", "x" }, { "install" },
			{ "update" }, { "remove" }, { "logs" }, { "config" }, { "config", "get" }, { "config", "set", "ctl-pod", "nope", "1" },
			{ "history" }, { "daemon" }, { "daemon", "frob" }, { "list", "--frob" }, { "frobnicate" }, { "dcp", "build" } };
		for (String[] u : usage) {
			Result r = ctl(u);
			assertThat(r.status()).as(String.join(" ", u)).isEqualTo(2);
			assertThat(r.err().lines()).as(String.join(" ", u)).hasSize(1);
		}
		for (String cmd : new String[] { "status", "start", "stop", "restart", "remove", "logs", "history" }) {
			Result r = ctl(cmd, "no-such-container");
			assertThat(r.status()).as(cmd).isEqualTo(4);
			assertThat(r.err().lines()).hasSize(1);
		}
		assertThat(ctl("install", dir.resolve("missing.tar.gz").toString()).status()).isEqualTo(1);
		assertThat(ctl("--help").out()).contains("list [--json]", "config get <id> [<key>]");
		Result noDaemon = exec(List.of(Daemon.DIST.resolve("bin/containerctl").toString(), "--socket", dir.resolve("none.sock").toString(), "list"));
		assertThat(noDaemon.status()).isEqualTo(3);
		assertThat(noDaemon.err()).isEqualTo("containerctl: the daemon cannot be reached at " + dir.resolve("none.sock") + " (is cc-containerd running?)\n");
		// The package and fleet tools run without a daemon, and so does their help.
		for (String cmd : List.of("dcp build", "fleet send")) {
			List<String> line = new ArrayList<>(List.of(Daemon.DIST.resolve("bin/containerctl").toString(), "--socket", dir.resolve("none.sock").toString()));
			line.addAll(List.of(cmd.split(" ")));
			line.add("--help");
			Result help = exec(line);
			assertThat(help.status()).as(cmd + ": " + help.err()).isZero();
			assertThat(help.out()).startsWith("usage: containerctl " + cmd + " ");
		}
		Result noPath = exec(List.of(Daemon.DIST.resolve("bin/containerctl").toString(), "--socket"));
		assertThat(noPath.status()).isEqualTo(2);
		assertThat(noPath.err()).isEqualTo("containerctl: --socket needs a path (containerctl --help lists the commands)\n");
	}

	@Test
	@Order(8)
	void onlyRootMayUseTheSocket() throws Exception {
		assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(socket))).isEqualTo("rw-------");
		try {
			Sh.run("id", "cctest");
		} catch (IllegalStateException e) {
			Sh.run("useradd", "--no-create-home", "--shell", "/usr/sbin/nologin", "cctest");
		}
		// Give the user a way to the socket's folder, so that only the socket's own mode stands in the way.
		Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
		Result r = exec(List.of("runuser", "-u", "cctest", "--", Daemon.DIST.resolve("bin/containerctl").toString(), "--socket",
			socket.toString(), "list"));
		assertThat(r.status()).as(r.err()).isEqualTo(5);
		assertThat(r.err()).startsWith("containerctl: not permitted");
	}

	@Test
	@Order(9)
	void fiftyClientsAtOnceWhileAContainerCrashLoops() throws Exception {
		assertThat(ctl("install", crasher.toString()).status()).isIn(0, 1);
		ExecutorService pool = Executors.newFixedThreadPool(50);
		try {
			List<Future<Result>> all = new ArrayList<>();
			for (int i = 0; i < 50; i++) {
				String[] cmd = switch (i % 3) {
					case 0 -> new String[] { "list" };
					case 1 -> new String[] { "status", "ctl-pod", "--json" };
					default -> new String[] { "logs", "ctl-pod", "--tail", "5" };
				};
				all.add(pool.submit((Callable<Result>) () -> ctl(cmd)));
			}
			for (Future<Result> f : all) {
				Result r = f.get(180, TimeUnit.SECONDS);
				assertThat(r.status()).as(r.err()).isZero();
			}
		} finally {
			pool.shutdownNow();
		}
		Map<String, Object> crash = jsonObject(ctl("status", "ctl-crash", "--json").out());
		assertThat(((Map<?, ?>) crash.get("restarts")).get("total")).isNotEqualTo(0L);
		assertThat(ctl("remove", "ctl-crash").status()).isZero();
		assertThat(ctl("daemon", "status").status()).isZero();
	}

	@Test
	@Order(9)
	void theNativeClientAnswersAsTheJavaOneDoes() throws Exception {
		Path nativeClient = Daemon.DIST.resolve("lib/ctl/containerctl-native");
		boolean compiler = new ProcessBuilder("sh", "-c", "command -v cc").start().waitFor() == 0;
		assertThat(Files.isExecutable(nativeClient)).as("the native client is built where there is a C compiler").isEqualTo(compiler);
		org.junit.jupiter.api.Assumptions.assumeTrue(compiler, "no C compiler here: containerctl is the Java client alone");
		String ctl = Daemon.DIST.resolve("bin/containerctl").toString();
		// A configuration whose socket is written with JSON escapes, relative to the file's folder, after a decoy key.
		Path escaped = dir.resolve("escaped.conf");
		Files.writeString(escaped, "{\"control_socket\": \"" + dir.resolve("decoy.sock") + "\", \"service\": {\"working_path\": \"" + work
			+ "\", \"control_socket\": \"sub/..\\/" + socket.getFileName().toString().replace(".", "\\u002e") + "\"}, \"x\": [1.5e3, {}]}");
		// Keys given twice: the daemon's reader refuses the file, so both clients take the default socket.
		Path twice = dir.resolve("twice.conf");
		Files.writeString(twice, "{\"service\": {\"control_socket\": \"" + socket + "\", \"control_socket\": \"" + socket + "\"}}");
		List<List<String>> lines = List.of(List.of("--config-file", twice.toString(), "daemon", "status"),List.of("--config-file", conf.toString(), "list"), List.of("--config-file", conf.toString(), "list", "--json"),
			List.of("--config-file", escaped.toString(), "config", "get", "ctl-pod"), List.of("--socket", socket.toString(), "history", "ctl-pod"),
			List.of("--socket", socket.toString(), "status", "no-such-container"), List.of("--socket", socket.toString(), "frobnicate"),
			List.of("--socket", socket.toString(), "stop", "ctl-pod", "-t"), List.of("--socket", socket.toString(), "install", "missing-package.tar.gz"),
			List.of("--socket", dir.resolve("none.sock").toString(), "list"), List.of("--help"), List.of("--socket", socket.toString()),
			List.of("--socket", socket.toString(), "dcp", "build"));
		for (List<String> line : lines) {
			List<String> cmd = new ArrayList<>(List.of(ctl));
			cmd.addAll(line);
			Result viaJava = exec(cmd, dir, Map.of("CC_CTL_JVM", "1"));
			// A JVM that cannot start, where the native client answers alone: what answers is the native client.
			boolean handedOn = line.contains("dcp") || line.contains(twice.toString()) || line.size() < 3 && !line.contains("--help");
			Result viaNative = exec(cmd, dir, handedOn ? Map.of() : Map.of("JAVA_HOME", "/nonexistent"));
			if (line.contains("list") && !line.get(1).endsWith("none.sock")) {
				// Statistics and uptimes move between the two runs: the same shape, the same containers.
				assertThat(viaNative.status()).as(viaNative + " against " + viaJava).isEqualTo(viaJava.status()).isZero();
				assertThat(viaNative.err()).isEqualTo(viaJava.err());
				assertThat(viaNative.out().lines().count()).isEqualTo(viaJava.out().lines().count());
				assertThat(viaNative.out()).contains("ctl-pod");
			} else {
				assertThat(viaNative).as(String.join(" ", line)).isEqualTo(viaJava);
			}
		}
		// A daemon older than the native client cannot read its request and closes without a word: the Java client is
		// asked then (here it cannot start, which shows it was asked).
		Path old = dir.resolve("old-daemon.sock");
		try (var server = java.nio.channels.ServerSocketChannel.open(java.net.StandardProtocolFamily.UNIX)) {
			server.bind(java.net.UnixDomainSocketAddress.of(old));
			Thread closer = new Thread(() -> {
				try (var ch = server.accept()) {
					ch.read(java.nio.ByteBuffer.allocate(1 << 16)); // the request, which it cannot read: no "args"
				} catch (java.io.IOException e) {
					// closed
				}
			});
			closer.start();
			Result r = exec(List.of(ctl, "--socket", old.toString(), "list"), dir, Map.of("JAVA_HOME", "/nonexistent"));
			assertThat(r.err()).contains("/nonexistent/bin/java");
			closer.join(10_000);
		}
		// Relative paths go as typed and the daemon makes them absolute against the client's folder.
		assertThat(exec(List.of(ctl, "--socket", socket.toString(), "install", "missing-package.tar.gz"), dir, Map.of("JAVA_HOME", "/nonexistent"))
			.err()).contains(Path.of("missing-package.tar.gz").toAbsolutePath().toString());
	}

	@Test
	@Order(10)
	void theGogoShellGivesTheSameAnswers() throws Exception {
		String list = ctl("list", "--json").out();
		String config = ctl("config", "get", "ctl-pod").out();
		daemon.process.destroy();
		assertThat(daemon.waitForExit(Duration.ofSeconds(30))).isZero();
		daemon = Daemon.start(dir, "--config-file", conf.toString(), "--shell");
		Await.until("the control socket again", WAIT, () -> {
			try {
				return ctl("daemon", "status").status() == 0;
			} catch (Exception e) {
				return false;
			}
		});
		try (OutputStream in = daemon.process.getOutputStream()) {
			in.write("container:config get ctl-pod\ncontainer:list --json\n".getBytes(StandardCharsets.UTF_8));
			in.flush();
			Await.until("the shell's answers", WAIT, () -> Daemon.fileContains(daemon.stdout, "\"history\""));
		}
		String shell = Files.readString(daemon.stdout);
		assertThat(shell).contains(config.strip());
		List<?> before = (List<?>) Json.parse(list.getBytes(StandardCharsets.UTF_8));
		for (Object o : before) {
			Map<?, ?> c = (Map<?, ?>) o;
			assertThat(shell).contains("\"id\" : \"" + c.get("id") + "\"", "\"version\" : \"" + c.get("version") + "\"");
		}
	}
}
