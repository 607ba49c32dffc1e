package cc.container.benchmarks;

import cc.container.testing.Sh;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Issue 6's benchmark: wall time of {@code containerctl list} and {@code containerctl start} against {@code podman ps}
 * and {@code podman start} on the same store in the same run, and the client's own start-up ({@code containerctl --help},
 * which does not contact the daemon). The Java client's start-up and {@code list} are measured beside the native
 * client's.
 *
 * <p>Usage: {@code benchmarks/ctl.sh [rounds]}
 */
public final class CtlBenchmark {
	private CtlBenchmark() {
	}

	/** Runs the benchmark. */
	public static void main(String[] args) throws Exception {
		int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 20;
		BenchDaemon.with("ctl", 10, (d, podman, work) -> {
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
			// The Java client, which the native one hands what it does not do (through env: about 1 ms more).
			rows.add(row("Java client: containerctl --help", time(rounds, () -> Sh.run("env", "CC_CTL_JVM=1", ctl, "--help"))));
			rows.add(row("Java client: containerctl list", time(rounds, () -> Sh.run("env", "CC_CTL_JVM=1", ctl, "--config-file",
				d.conf.toString(), "list"))));
			rows.add(row("podman start + stop -t 0 (baseline)", time(rounds, () -> {
				podman.podman("start", "native");
				podman.podman("stop", "-t", "0", "native");
			})));
			System.out.printf("%nWall time of one command, %d rounds after a warm-up (ms):%n", rounds);
			System.out.printf("%-50s %10s %10s %10s%n", "command", "median", "worst", "best");
			rows.forEach(System.out::println);
			d.ctl("remove", "bench");
		});
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
