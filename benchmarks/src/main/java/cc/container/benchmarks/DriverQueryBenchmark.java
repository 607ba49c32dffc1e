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
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Issue 3's benchmark: with N running containers per runtime, the wall time and process count of one status +
 * statistics query of all of them through the driver, against the naive way (one query per container) in the same run.
 *
 * <p>Usage: {@code benchmarks/driver-query.sh [containers] [rounds]}
 */
public final class DriverQueryBenchmark {
	private DriverQueryBenchmark() {
	}

	/** Runs the benchmark. */
	public static void main(String[] args) throws Exception {
		int n = args.length > 0 ? Integer.parseInt(args[0]) : 20;
		int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 10;
		Path work = Files.createTempDirectory("cc-bench-query-");
		PodmanSandbox podman = new PodmanSandbox(work.resolve("podman"));
		LxcSandbox lxc = new LxcSandbox(work.resolve("work/installed/lxc"));
		List<String> rows = new ArrayList<>();
		try {
			DaemonConfig config = TestConfig.daemon(work.resolve("work"), podman, Duration.ofSeconds(60));
			Bench.CountingRunner runner = new Bench.CountingRunner(new CommandRunnerImpl(work.resolve("exec"), s -> { }));
			RuntimeDriver p = PodmanDriver.standalone(runner, () -> config, TestLogger.create());
			RuntimeDriver l = LxcDriver.standalone(runner, () -> config, TestLogger.create());
			Path image = podman.imageArchive("localhost/bench/ticker:1", Busybox.TICKER, work.resolve("ticker.tar"));
			Path bundle = LxcBundles.create(work, work.resolve("ticker.tar.gz"), "ticker", Busybox.TICKER, null);
			System.out.printf("Starting %d Podman and %d LXC containers...%n", n, n);
			for (int i = 0; i < n; i++) {
				p.install(new ContainerSpec("bench-pod-" + i, "1", "--network none"), image);
				p.start("bench-pod-" + i);
				l.install(new ContainerSpec("bench-lxc-" + i, "1", ""), bundle);
				l.start("bench-lxc-" + i);
			}
			if (p.states().values().stream().filter(s -> s.running()).count() != n
				|| l.states().values().stream().filter(s -> s.running()).count() != n) {
				throw new IllegalStateException("not every container runs");
			}
			List<String> pg = podman.globalArgs();
			Map<String, String> env = podman.environment();
			rows.add(measure("podman", "driver: states() + stats()", rounds, runner, () -> {
				p.states();
				p.stats();
			}));
			rows.add(measure("podman", "naive: inspect + stats per container", rounds, runner, () -> {
				for (int i = 0; i < n; i++) {
					runner.processes.incrementAndGet();
					Sh.run(null, env, cmd("podman", pg, "inspect", "bench-pod-" + i));
					runner.processes.incrementAndGet();
					Sh.run(null, env, cmd("podman", pg, "stats", "--no-stream", "--format", "json", "bench-pod-" + i));
				}
			}));
			String lp = lxc.lxcPath().toString();
			rows.add(measure("lxc", "driver: states() + stats()", rounds, runner, () -> {
				l.states();
				l.stats();
			}));
			rows.add(measure("lxc", "naive: lxc-info per container", rounds, runner, () -> {
				for (int i = 0; i < n; i++) {
					runner.processes.incrementAndGet();
					Sh.run("lxc-info", "-P", lp, "-n", "bench-lxc-" + i);
				}
			}));
			System.out.printf("%nOne status + statistics query of %d running containers per runtime, %d rounds (after a warm-up):%n", n, rounds);
			System.out.printf("%-8s %-40s %10s %10s %10s%n", "runtime", "how", "median ms", "worst ms", "processes");
			rows.forEach(System.out::println);
			for (int i = 0; i < n; i++) {
				p.remove("bench-pod-" + i);
				l.remove("bench-lxc-" + i);
			}
		} finally {
			lxc.close();
			podman.close();
			Sh.run("rm", "-rf", work.toString());
		}
	}

	static List<String> cmd(String tool, List<String> global, String... args) {
		List<String> c = new ArrayList<>();
		c.add(tool);
		c.addAll(global);
		c.addAll(List.of(args));
		return c;
	}

	static String measure(String runtime, String how, int rounds, Bench.CountingRunner runner, Bench.Task task) throws Exception {
		task.run(); // warm-up
		runner.processes.set(0);
		double[] ms = Bench.time(rounds, task);
		double perQuery = runner.processes.get() / (double) (rounds + 1);
		return String.format("%-8s %-40s %10.1f %10.1f %10.1f", runtime, how, Bench.median(ms), Bench.worst(ms), perQuery);
	}
}
