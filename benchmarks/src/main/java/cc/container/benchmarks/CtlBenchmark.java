package cc.container.benchmarks;

import cc.container.testing.Busybox;
import cc.container.testing.PodmanSandbox;
import cc.container.testing.Sh;
import cc.container.util.json.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Issue 6's benchmark: wall time of {@code containerctl list} and {@code containerctl start} against {@code podman ps}
 * and {@code podman start} on the same store in the same run, and the client's own start-up ({@code containerctl --help},
 * which does not contact the daemon).
 *
 * <p>Usage: {@code benchmarks/ctl.sh [rounds]}
 */
public final class CtlBenchmark {
	private CtlBenchmark() {
	}

	/** Runs the benchmark. */
	public static void main(String[] args) throws Exception {
		int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 20;
		Path work = Files.createTempDirectory("cc-bench-ctl-");
		PodmanSandbox podman = new PodmanSandbox(work.resolve("podman"));
		BenchDaemon daemon = null;
		try {
			daemon = BenchDaemon.start(work, podman, 10);
			BenchDaemon d = daemon;
			String ctl = BenchDaemon.ctlPath();
			String pkg = BenchDaemon.tickerPackage(podman, work, "");
			d.ctl("install", pkg, "--no-start");
			podman.podman("create", "--name", "native", "--network", "none", "localhost/cc-container-mng/bench:1");
			List<String> rows = new ArrayList<>();
			rows.add(row("containerctl --help (client start-up, no daemon)", time(rounds, () -> Sh.run(ctl, "--help"))));
			rows.add(row("containerctl list", time(rounds, () -> d.ctl("list"))));
			rows.add(row("podman ps -a (baseline)", time(rounds, () -> podman.podman("ps", "-a"))));
			rows.add(row("containerctl start + stop -t 0", time(rounds, () -> {
				d.ctl("start", "bench");
				d.ctl("stop", "bench", "-t", "0");
			})));
			rows.add(row("podman start + stop -t 0 (baseline)", time(rounds, () -> {
				podman.podman("start", "native");
				podman.podman("stop", "-t", "0", "native");
			})));
			System.out.printf("%nWall time of one command, %d rounds after a warm-up (ms):%n", rounds);
			System.out.printf("%-50s %10s %10s %10s%n", "command", "median", "worst", "best");
			rows.forEach(System.out::println);
			d.ctl("remove", "bench");
		} finally {
			if (daemon != null) {
				daemon.close();
			}
			podman.close();
			Sh.run("rm", "-rf", work.toString());
		}
	}

	static String row(String what, double[] ms) {
		return String.format("%-50s %10.0f %10.0f %10.0f", what, Bench.median(ms), Bench.worst(ms), ms[0]);
	}

	static double[] time(int rounds, Bench.Task task) throws Exception {
		double[] ms = Bench.time(rounds, task);
		Arrays.sort(ms);
		return ms;
	}
}
