package cc.container.benchmarks;

import cc.container.api.config.DaemonConfig;
import cc.container.api.runtime.ContainerSpec;
import cc.container.api.runtime.RuntimeDriver;
import cc.container.driver.lxc.internal.LxcDriver;
import cc.container.driver.podman.internal.PodmanDriver;
import cc.container.exec.internal.CommandRunnerImpl;
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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Issue 4's resource benchmark: the built daemon supervising N idle containers (half Podman, half LXC) at
 * {@code monitor_interval} 10 s for a while: its resident memory at the end and its CPU seconds, extrapolated to an hour,
 * beside the same daemon supervising no container in the same run. The CPU of the runtime tools it starts is counted
 * apart (children's CPU time of the daemon).
 *
 * <p>Usage: {@code benchmarks/daemon-idle.sh [containers] [seconds] [warm-up seconds]}: the measured stretch begins
 * once every container runs and the warm-up has passed (15 s by default; the JVM's compiler still works for minutes
 * after a start, so a steady state wants a few).
 */
public final class DaemonIdleBenchmark {
	/** How long the daemon runs, once its containers run, before it is measured. */
	static int warmUpSeconds = 15;

	private DaemonIdleBenchmark() {
	}

	/** Runs the benchmark. */
	public static void main(String[] args) throws Exception {
		int n = args.length > 0 ? Integer.parseInt(args[0]) : 20;
		int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 120;
		warmUpSeconds = args.length > 2 ? Integer.parseInt(args[2]) : warmUpSeconds;
		Path dist = Path.of("distribution/target/cc-container-mng").toAbsolutePath();
		Path work = Files.createTempDirectory("cc-bench-idle-");
		PodmanSandbox podman = new PodmanSandbox(work.resolve("podman"));
		DaemonConfig config = TestConfig.daemon(work.resolve("work"), podman, Duration.ofSeconds(60));
		LxcSandbox lxc = new LxcSandbox(config.service().lxcPath());
		try {
			String[] empty = run(dist, work, "empty", podman, seconds, List.of());
			List<Object> entries = installIdle(work, podman, config, n, Map.of());
			String[] full = run(dist, work, "full", podman, seconds, entries);
			System.out.printf("%nThe daemon over %d s at monitor_interval 10, %d s after its containers ran (RSS at the end; CPU seconds "
				+ "extrapolated to one hour):%n", seconds, warmUpSeconds);
			System.out.println(HEADER);
			System.out.println(empty[0]);
			System.out.println(full[0].replace("%N%", Integer.toString(n)));
			System.out.println();
			System.out.println("no container:");
			System.out.println(empty[1]);
			System.out.println(n + " idle containers:");
			System.out.println(full[1]);
		} finally {
			lxc.close();
			podman.close();
			Sh.run("rm", "-rf", work.toString());
		}
	}

	/**
	 * Installs {@code n} idle busybox containers, half Podman and half LXC, in {@code config}'s runtimes; returns their
	 * entries of {@code cc-containers.conf} (autostart, a restart policy, and {@code extra} in each).
	 */
	static List<Object> installIdle(Path work, PodmanSandbox podman, DaemonConfig config, int n, Map<String, Object> extra) throws Exception {
		CommandRunnerImpl runner = new CommandRunnerImpl(work.resolve("exec"), s -> { });
		RuntimeDriver p = PodmanDriver.standalone(runner, () -> config, TestLogger.create());
		RuntimeDriver l = LxcDriver.standalone(runner, () -> config, TestLogger.create());
		Path image = podman.imageArchive("localhost/bench/idle:1", Busybox.TICKER.replace("sleep 1", "sleep 3600"), work.resolve("i.tar"));
		Path bundle = LxcBundles.create(work, work.resolve("i.tar.gz"), "i", Busybox.TICKER.replace("sleep 1", "sleep 3600"), null);
		List<Object> entries = new ArrayList<>();
		for (int i = 0; i < n; i++) {
			boolean pod = i % 2 == 0;
			String id = (pod ? "idle-pod-" : "idle-lxc-") + i;
			if (pod) {
				p.install(new ContainerSpec(id, "1", "--network none"), image);
			} else {
				l.install(new ContainerSpec(id, "1", ""), bundle);
			}
			Map<String, Object> e = new LinkedHashMap<>();
			e.put("id", id);
			e.put("runtime", pod ? "podman" : "lxc");
			e.put("version", "1");
			if (pod) {
				e.put("create_args", "--network none");
			}
			e.put("autostart", true);
			e.put("restart", Map.of("enabled", true, "max_retries", 3L, "retry_delay", 1L, "window", 60L));
			e.putAll(extra);
			entries.add(e);
		}
		return entries;
	}

	/** The columns of {@link #run}'s row. */
	static final String HEADER = String.format("%-40s %8s %14s %16s %8s %10s", "what", "RSS MB", "daemon CPU s/h", "tools' CPU s/h", "threads",
		"tasks/h");

	static String[] run(Path dist, Path work, String name, PodmanSandbox podman, int seconds, List<Object> containers) throws Exception {
		return run(dist, work, name, podman, seconds, containers,
			containers.isEmpty() ? "no container (baseline)" : containers.size() + " idle containers (half each runtime)");
	}

	/**
	 * Runs the built daemon on {@code containers} and measures it: RSS at the end, its CPU and its children's (the tools
	 * it ran, once they ended) per hour, its threads, and the tasks started on the machine per hour (processes and threads,
	 * as the kernel counts them in /proc/stat: the daemon's, the tools' and their own threads; a quiet machine is
	 * assumed).
	 */
	static String[] run(Path dist, Path work, String name, PodmanSandbox podman, int seconds, List<Object> containers, String label)
		throws Exception {
		return run(dist, work, name, podman, seconds, containers, label, Map.of(), () -> { });
	}

	/** What a benchmark does beside a measured daemon. */
	interface Beside {
		void run() throws Exception;
	}

	/**
	 * The same with {@code extra} sections in the daemon configuration, and {@code during} run while the daemon is
	 * measured (in the benchmark's own process, whose CPU is not counted).
	 */
	static String[] run(Path dist, Path work, String name, PodmanSandbox podman, int seconds, List<Object> containers, String label,
		Map<String, Object> extra, Beside during) throws Exception {
		Path wp = work.resolve("work");
		Files.createDirectories(wp);
		Files.write(wp.resolve("cc-containers.conf"), Json.write(Map.of("containers", containers)));
		Files.deleteIfExists(wp.resolve("state.json"));
		Path conf = work.resolve(name + ".conf");
		Map<String, Object> tree = new LinkedHashMap<>(Map.of(
			"service", Map.of("working_path", wp.toString(), "monitor_interval", 10L, "control_socket", work.resolve("c.sock").toString()),
			"logging", Map.of("level", "WARNING", "syslog", Map.of("enabled", false), "console", Map.of("enabled", false),
				"file", Map.of("enabled", true, "path", work.resolve(name + ".log").toString())),
			"runtimes", Map.of("podman", Map.of("global_args", podman.globalArgs(), "env", podman.environment()))));
		tree.putAll(extra);
		Files.write(conf, Json.write(tree));
		ProcessBuilder pb = new ProcessBuilder(dist.resolve("bin/cc-containerd").toString(), "--config-file", conf.toString())
			.redirectErrorStream(true).redirectOutput(work.resolve(name + ".out").toFile());
		// BENCH_DAEMON_JAVA_OPTS adds JVM options to the measured daemon (a profiler's, for instance).
		pb.environment().put("CC_CONTAINERD_JAVA_OPTS", "-Dcc.containerd.storage=" + work.resolve(name + "-cache") + " "
			+ System.getenv().getOrDefault("BENCH_DAEMON_JAVA_OPTS", "").replace("%NAME%", name));
		Process d = pb.start();
		try {
			// Let it start and start its containers, then measure a steady stretch.
			long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
			while (System.nanoTime() < deadline && !allRunning(wp, containers.size())) {
				Thread.sleep(200);
			}
			Thread.sleep(warmUpSeconds * 1000L);
			long[] before = cpu(d.pid());
			Map<String, Long> threadsBefore = threadCpu(d.pid());
			long forksBefore = forks();
			long end = System.nanoTime() + seconds * 1_000_000_000L;
			during.run();
			Thread.sleep(Math.max(0, (end - System.nanoTime()) / 1_000_000));
			long[] after = cpu(d.pid());
			Map<String, Long> threadsAfter = threadCpu(d.pid());
			double tasks = (forks() - forksBefore) * 3600.0 / seconds;
			double hz = 100.0;
			double self = (after[0] - before[0]) / hz * 3600.0 / seconds;
			double kids = (after[1] - before[1]) / hz * 3600.0 / seconds;
			String rss = Sh.run("ps", "-o", "rss=", "-p", Long.toString(d.pid())).trim();
			String threads = Sh.run("ps", "-o", "nlwp=", "-p", Long.toString(d.pid())).trim();
			return new String[] { String.format("%-40s %8.1f %14.1f %16.1f %8s %10.0f", label, Long.parseLong(rss) / 1024.0, self, kids, threads,
				tasks), byThread(threadsBefore, threadsAfter, after[0] - before[0], seconds) };
		} finally {
			d.destroy();
			d.waitFor();
		}
	}

	/** The CPU ticks of each of a process's threads, by "name (tid)". */
	static Map<String, Long> threadCpu(long pid) throws Exception {
		Map<String, Long> out = new LinkedHashMap<>();
		try (var tasks = Files.list(Path.of("/proc/" + pid + "/task"))) {
			for (Path t : tasks.toList()) {
				try {
					String stat = Files.readString(t.resolve("stat"));
					String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
					String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
					out.put(name + " (" + t.getFileName() + ")", Long.parseLong(f[11]) + Long.parseLong(f[12]));
				} catch (java.io.IOException e) {
					// the thread ended meanwhile
				}
			}
		}
		return out;
	}

	/** Where the daemon's CPU went, by thread, per hour: the busiest first, and what threads that ended took. */
	static String byThread(Map<String, Long> before, Map<String, Long> after, long total, int seconds) {
		Map<String, Long> used = new LinkedHashMap<>();
		long live = 0;
		for (Map.Entry<String, Long> e : after.entrySet()) {
			long d = e.getValue() - before.getOrDefault(e.getKey(), 0L);
			live += d;
			used.merge(e.getKey().replaceAll(" \\(\\d+\\)$", "").replaceAll("-\\d+$", "-N"), d, Long::sum);
		}
		used.put("(threads that ended meanwhile)", Math.max(0, total - live));
		StringBuilder b = new StringBuilder("  daemon CPU s/h by thread:");
		used.entrySet().stream().filter(e -> e.getValue() > 0).sorted((x, y) -> Long.compare(y.getValue(), x.getValue())).limit(10)
			.forEach(e -> b.append(String.format("%n    %-36s %6.1f", e.getKey(), e.getValue() / 100.0 * 3600.0 / seconds)));
		return b.toString();
	}

	@SuppressWarnings("unchecked")
	static boolean allRunning(Path wp, int n) {
		try {
			Map<String, Object> doc = (Map<String, Object>) Json.parse(Files.readAllBytes(wp.resolve("state.json")));
			List<Object> list = (List<Object>) doc.get("containers");
			return list.size() == n && list.stream().allMatch(o -> "running".equals(((Map<String, Object>) o).get("status")));
		} catch (Exception e) {
			return false;
		}
	}

	/** The tasks (processes and threads) started on the machine since it booted. */
	static long forks() throws Exception {
		for (String line : Files.readAllLines(Path.of("/proc/stat"))) {
			if (line.startsWith("processes ")) {
				return Long.parseLong(line.substring("processes ".length()).trim());
			}
		}
		return 0;
	}

	/** utime+stime and cutime+cstime of a process, in clock ticks. */
	static long[] cpu(long pid) throws Exception {
		String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
		String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
		return new long[] { Long.parseLong(f[11]) + Long.parseLong(f[12]), Long.parseLong(f[13]) + Long.parseLong(f[14]) };
	}
}
