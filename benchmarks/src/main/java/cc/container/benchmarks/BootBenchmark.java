package cc.container.benchmarks;

import cc.container.api.config.DaemonConfig;
import cc.container.api.runtime.ContainerSpec;
import cc.container.integration.Parts;
import cc.container.testing.Busybox;
import cc.container.testing.LxcBundles;
import cc.container.testing.LxcSandbox;
import cc.container.testing.PodmanSandbox;
import cc.container.testing.Sh;
import cc.container.testing.TestConfig;
import cc.container.testing.TestLogger;
import cc.container.util.json.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Issue 15's start-up figures: the built daemon from its start until its control socket answers (against a JVM that
 * prints one line, the floor of any Java program), and a device's boot: from the daemon's start until its N autostart
 * containers (half each runtime) run, against starting the same containers by hand, all at once in parallel, in the
 * same run.
 *
 * <p>Usage: {@code benchmarks/boot.sh [containers] [rounds]}
 */
public final class BootBenchmark {
	private BootBenchmark() {
	}

	/** Runs the benchmark. */
	public static void main(String[] args) throws Exception {
		int n = args.length > 0 ? Integer.parseInt(args[0]) : 20;
		int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
		Path dist = Path.of("distribution/target/cc-container-mng").toAbsolutePath();
		Path work = Files.createTempDirectory("cc-bench-boot-");
		PodmanSandbox podman = new PodmanSandbox(work.resolve("podman"));
		DaemonConfig config = TestConfig.daemon(work.resolve("work"), podman, Duration.ofSeconds(60));
		LxcSandbox lxc = new LxcSandbox(config.service().lxcPath());
		List<String> rows = new ArrayList<>();
		try (Parts drivers = Parts.drivers(config, work.resolve("exec"), TestLogger.create())) {
			Path hello = Files.createDirectories(work.resolve("hello"));
			Files.writeString(hello.resolve("Hello.java"), "public class Hello { public static void main(String[] a) { System.out.println(\"hi\"); } }");
			Sh.run("javac", "-d", hello.toString(), hello.resolve("Hello.java").toString());
			double[] jvm = new double[rounds];
			double[] socket = new double[rounds];
			for (int r = 0; r < rounds; r++) {
				long t = System.nanoTime();
				Sh.run("java", "-Xshare:auto", "-XX:TieredStopAtLevel=1", "-cp", hello.toString(), "Hello");
				jvm[r] = (System.nanoTime() - t) / 1e6;
				socket[r] = startUntilSocket(dist, work, List.of());
			}
			rows.add(String.format("%-58s %10.0f", "a JVM that prints one line (the floor)", Bench.median(sorted(jvm))));
			rows.add(String.format("%-58s %10.0f", "daemon start -> control socket answers", Bench.median(sorted(socket))));

			Path image = podman.imageArchive("localhost/bench/boot:1", Busybox.TICKER.replace("sleep 1", "sleep 3600"), work.resolve("b.tar"));
			Path bundle = LxcBundles.create(work, work.resolve("b.tar.gz"), "b", Busybox.TICKER.replace("sleep 1", "sleep 3600"), null);
			List<Object> entries = new ArrayList<>();
			List<String> ids = new ArrayList<>();
			for (int i = 0; i < n; i++) {
				boolean pod = i % 2 == 0;
				String id = (pod ? "boot-pod-" : "boot-lxc-") + i;
				ids.add(id);
				(pod ? drivers.podman() : drivers.lxc()).install(new ContainerSpec(id, "1", pod ? "--network none" : ""), pod ? image : bundle);
				Map<String, Object> e = new LinkedHashMap<>();
				e.put("id", id);
				e.put("runtime", pod ? "podman" : "lxc");
				e.put("version", "1");
				if (pod) {
					e.put("create_args", "--network none");
				}
				e.put("autostart", true);
				entries.add(e);
			}
			double[] byHand = new double[rounds];
			double[] daemon = new double[rounds];
			for (int r = 0; r < rounds; r++) {
				stopAll(drivers, ids);
				long t = System.nanoTime();
				List<Process> ps = new ArrayList<>();
				for (String id : ids) {
					List<String> argv = new ArrayList<>();
					if (id.startsWith("boot-pod")) {
						argv.add("podman");
						argv.addAll(podman.globalArgs());
						argv.addAll(List.of("start", id));
					} else {
						argv.addAll(List.of("lxc-start", "-P", lxc.lxcPath().toString(), "-n", id));
					}
					ProcessBuilder pb = new ProcessBuilder(argv).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD);
					pb.environment().putAll(podman.environment());
					ps.add(pb.start());
				}
				for (Process p : ps) {
					p.waitFor();
				}
				awaitAllRunning(podman, lxc, ids);
				byHand[r] = (System.nanoTime() - t) / 1e6;
				stopAll(drivers, ids);
				daemon[r] = bootUntilRunning(dist, work, podman, lxc, entries, ids);
			}
			stopAll(drivers, ids);
			rows.add(String.format("%-58s %10.0f", n + " containers started by hand, all at once (baseline)", Bench.median(sorted(byHand))));
			rows.add(String.format("%-58s %10.0f   %.2f x", "boot: daemon start -> its " + n + " autostart containers run", Bench.median(sorted(daemon)),
				Bench.median(sorted(daemon)) / Bench.median(sorted(byHand))));
			System.out.printf("%nStart-up, median of %d rounds (ms):%n", rounds);
			rows.forEach(System.out::println);
			System.out.printf("%nThe last boot round, from the daemon's log (ms after its start):%n");
			milestones(work.resolve("boot.log"), bootStarted).forEach(System.out::println);
		} finally {
			lxc.close();
			podman.close();
			Sh.run("rm", "-rf", work.toString());
		}
	}

	/** When the last boot round's daemon was started. */
	static java.time.Instant bootStarted;

	/**
	 * The moments of a boot the daemon's log tells, after {@code start}: its first line (the framework and the logging
	 * bundle up), the supervisor's start, each driver's arrival, the first and the last autostart.
	 */
	static List<String> milestones(Path log, java.time.Instant start) throws Exception {
		List<String> out = new ArrayList<>();
		String first = null;
		String firstStart = null;
		String lastStart = null;
		int starts = 0;
		for (String line : Files.readAllLines(log)) {
			if (line.length() < 24 || !Character.isDigit(line.charAt(0))) {
				continue;
			}
			String at = line.substring(0, 24);
			long ms;
			try {
				ms = java.time.Duration.between(start, java.time.Instant.parse(at)).toMillis();
			} catch (java.time.format.DateTimeParseException e) {
				continue;
			}
			String what = line.substring(24).strip();
			if (first == null) {
				first = String.format("%6d  first log line: %s", ms, what);
				out.add(first);
			} else if (what.contains("First start of the daemon") || what.contains("driver is available") || what.contains("can reach the daemon")) {
				out.add(String.format("%6d  %s", ms, what));
			} else if (what.contains("started (autostart)")) {
				starts++;
				lastStart = String.format("%6d  autostart %d: %s", ms, starts, what);
				if (firstStart == null) {
					firstStart = lastStart;
					out.add(firstStart);
				}
			}
		}
		if (lastStart != null && lastStart != firstStart) {
			out.add(lastStart);
		}
		return out;
	}

	static double[] sorted(double[] a) {
		double[] c = a.clone();
		Arrays.sort(c);
		return c;
	}

	static void stopAll(Parts drivers, List<String> ids) throws Exception {
		for (String id : ids) {
			(id.startsWith("boot-pod") ? drivers.podman() : drivers.lxc()).stop(id, Duration.ZERO);
		}
	}

	/**
	 * Waits until the runtimes themselves list every container as running (their tools, not a driver: the drivers of
	 * this JVM watch only what they started).
	 */
	static void awaitAllRunning(PodmanSandbox podman, LxcSandbox lxc, List<String> ids) throws Exception {
		long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
		while (System.nanoTime() < deadline) {
			if (allRunningNow(podman, lxc, ids)) {
				return;
			}
			Thread.sleep(20);
		}
		throw new IllegalStateException("the containers did not all run within 120 s");
	}

	/** Whether the runtimes' tools list every container as running. */
	static boolean allRunningNow(PodmanSandbox podman, LxcSandbox lxc, List<String> ids) throws Exception {
		Set<String> running = new HashSet<>(Arrays.asList(podman.podman("ps", "--format", "{{.Names}}").split("\n")));
		running.addAll(Arrays.asList(Sh.run("lxc-ls", "-P", lxc.lxcPath().toString(), "--running", "-1").split("\n")));
		return running.containsAll(ids);
	}

	/**
	 * The sinks of the shipped configuration (syslog and the console at their levels, the log file at INFO), with the
	 * system logger's socket and the file in {@code work}: nobody listens on that socket, so its lines are dropped after
	 * they were made, as on a device without a system logger.
	 */
	static Map<String, Object> shippedLogging(Path work, String file) {
		return Map.of("level", "ERROR", "syslog", Map.of("enabled", true, "level", "INFO", "path", work.resolve("syslog.sock").toString()),
			"console", Map.of("enabled", true), "file", Map.of("enabled", true, "level", "INFO", "path", work.resolve(file).toString()));
	}

	/** Starts the daemon on a fresh working path and measures until its socket answers; stops it. */
	static double startUntilSocket(Path dist, Path work, List<Object> containers) throws Exception {
		Path wp = Files.createDirectories(work.resolve("socket-work"));
		Path conf = work.resolve("socket.conf");
		Path sock = work.resolve("s.sock");
		Files.write(conf, Json.write(Map.of("service", Map.of("working_path", wp.toString(), "control_socket", sock.toString()),
			"logging", shippedLogging(work, "socket.log"))));
		ProcessBuilder pb = new ProcessBuilder(dist.resolve("bin/cc-containerd").toString(), "--config-file", conf.toString())
			.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD);
		pb.environment().put("CC_CONTAINERD_JAVA_OPTS", "-Dcc.containerd.storage=" + work.resolve("socket-cache"));
		long t = System.nanoTime();
		Process d = pb.start();
		try {
			long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
			while (System.nanoTime() < deadline) {
				if (Files.exists(sock) && answers(sock)) {
					return (System.nanoTime() - t) / 1e6;
				}
				Thread.sleep(2);
			}
			throw new IllegalStateException("the control socket did not answer within 60 s");
		} finally {
			d.destroy();
			d.waitFor();
		}
	}

	static boolean answers(Path sock) {
		try (var ch = java.nio.channels.SocketChannel.open(java.net.UnixDomainSocketAddress.of(sock))) {
			java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
			int status = cc.container.util.control.ControlClient.run(ch, List.of("daemon", "status"), false, new java.io.PrintStream(out),
				new java.io.PrintStream(new java.io.ByteArrayOutputStream()), "");
			return status == 0;
		} catch (Exception e) {
			return false;
		}
	}

	/** Starts the daemon as after a boot (no state.json) and measures until every container runs; stops it. */
	static double bootUntilRunning(Path dist, Path work, PodmanSandbox podman, LxcSandbox lxc, List<Object> entries, List<String> ids)
		throws Exception {
		Path wp = work.resolve("work");
		Files.write(wp.resolve("cc-containers.conf"), Json.write(Map.of("containers", entries)));
		Files.deleteIfExists(wp.resolve("state.json"));
		Path conf = work.resolve("boot.conf");
		Files.deleteIfExists(work.resolve("boot.log"));
		Files.write(conf, Json.write(Map.of(
			"service", Map.of("working_path", wp.toString(), "monitor_interval", 10L, "control_socket", work.resolve("b.sock").toString()),
			"logging", shippedLogging(work, "boot.log"),
			"runtimes", Map.of("podman", Map.of("global_args", podman.globalArgs(), "env", podman.environment())))));
		ProcessBuilder pb = new ProcessBuilder(dist.resolve("bin/cc-containerd").toString(), "--config-file", conf.toString())
			.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD);
		pb.environment().put("CC_CONTAINERD_JAVA_OPTS", "-Dcc.containerd.storage=" + work.resolve("boot-cache"));
		long t = System.nanoTime();
		bootStarted = java.time.Instant.now();
		Process d = pb.start();
		try {
			// The daemon's state.json is watched (a file read every 10 ms), not the runtimes' tools: asking them as often
			// would take a core from the daemon while it starts. The tools confirm once it says so.
			long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
			while (!DaemonIdleBenchmark.allRunning(wp, ids.size())) {
				if (System.nanoTime() > deadline) {
					throw new IllegalStateException("the daemon did not run its containers within 120 s");
				}
				Thread.sleep(10);
			}
			double ms = (System.nanoTime() - t) / 1e6;
			if (!allRunningNow(podman, lxc, ids)) {
				awaitAllRunning(podman, lxc, ids); // the daemon said so too early: the tools' word counts
				ms = (System.nanoTime() - t) / 1e6;
			}
			return ms;
		} finally {
			d.destroy();
			d.waitFor();
		}
	}
}
