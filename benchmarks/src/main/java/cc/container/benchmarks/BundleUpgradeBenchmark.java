package cc.container.benchmarks;

import cc.container.testing.BundleJars;
import cc.container.testing.Sh;
import cc.container.util.json.Json;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Issue 7's benchmark: a field upgrade of the Podman driver of the built daemon with a container running. Measures the
 * wall time of {@code containerctl bundle update} and {@code bundle rollback} (against {@code containerctl daemon status}
 * in the same run, the cost of any containerctl round trip), checks that the container kept its pid, and measures the
 * daemon's resident memory and class loaders before and after the cycles, to show that replaced versions are released.
 *
 * <p>Usage: {@code benchmarks/bundle-upgrade.sh [cycles]}
 */
public final class BundleUpgradeBenchmark {
	private BundleUpgradeBenchmark() {
	}

	/** Runs the benchmark. */
	public static void main(String[] args) throws Exception {
		int cycles = args.length > 0 ? Integer.parseInt(args[0]) : 10;
		BenchDaemon.with("upgrade", 1, (d, podman, work) -> {
			String pkg = BenchDaemon.tickerPackage(podman, work, ", \"registration_defaults\": { \"autostart\": true }");
			d.ctl("install", pkg);
			long pidBefore = pid(d);
			Path shipped;
			try (Stream<Path> s = Files.list(BenchDaemon.DIST.resolve("bundle"))) {
				shipped = s.filter(p -> p.getFileName().toString().startsWith("cc.container.driver.podman-")).findFirst().orElseThrow();
			}
			Path v2 = BundleJars.rebuilt(shipped, work.resolve("podman-9.0.1.jar"), "9.0.1");
			long daemonPid = d.process.pid();
			Thread.sleep(3000);
			String[] before = memory(daemonPid);

			double[] status = Bench.time(cycles, () -> d.ctl("daemon", "status"));
			double[] update = new double[cycles];
			double[] rollback = new double[cycles];
			for (int i = 0; i < cycles; i++) {
				long t = System.nanoTime();
				d.ctl("bundle", "update", v2.toString());
				update[i] = (System.nanoTime() - t) / 1e6;
				t = System.nanoTime();
				d.ctl("bundle", "rollback", "cc.container.driver.podman");
				rollback[i] = (System.nanoTime() - t) / 1e6;
			}
			java.util.Arrays.sort(update);
			java.util.Arrays.sort(rollback);
			Thread.sleep(3000);
			String[] after = memory(daemonPid);
			long pidAfter = pid(d);

			System.out.printf("%nField upgrade of cc.container.driver.podman with one Podman container running, %d update+rollback cycles:%n", cycles);
			System.out.printf("%-58s %10s %10s %10s%n", "command (wall ms)", "median", "worst", "best");
			System.out.println(row("containerctl daemon status (baseline round trip)", status));
			System.out.println(row("containerctl bundle update <rebuilt driver>", update));
			System.out.println(row("containerctl bundle rollback cc.container.driver.podman", rollback));
			System.out.printf("update / baseline: %.1f x (includes the %d s confirmation wait)%n", Bench.median(update) / Bench.median(status), 2);
			System.out.printf("container pid before %d, after %d cycles %d: %s%n", pidBefore, cycles, pidAfter,
				pidBefore == pidAfter ? "unchanged" : "CHANGED");
			System.out.printf("daemon after start-up:  RSS %s kB, class loaders %s, classes %s%n", before[0], before[1], before[2]);
			System.out.printf("daemon after %2d cycles: RSS %s kB, class loaders %s, classes %s%n", cycles, after[0], after[1], after[2]);
			d.ctl("remove", "bench");
		});
	}

	static String row(String what, double[] ms) {
		return String.format("%-58s %10.0f %10.0f %10.0f", what, Bench.median(ms), Bench.worst(ms), ms[0]);
	}

	static long pid(BenchDaemon d) throws Exception {
		Map<?, ?> m = (Map<?, ?>) Json.parse(d.ctl("status", "bench", "--json").getBytes(StandardCharsets.UTF_8));
		return m.get("pid") == null ? 0 : ((Number) m.get("pid")).longValue();
	}

	/** RSS (kB), class loaders and loaded classes of {@code pid}, after a full collection. */
	static String[] memory(long pid) throws Exception {
		String p = Long.toString(pid);
		Sh.run("jcmd", p, "GC.run");
		String rss = Files.readAllLines(Path.of("/proc/" + p + "/status")).stream().filter(l -> l.startsWith("VmRSS:"))
			.map(l -> l.replaceAll("[^0-9]", "")).findFirst().orElse("?");
		String loaders = "?";
		String classes = "?";
		for (String l : Sh.run("jcmd", p, "VM.classloader_stats").split("\n")) {
			String[] f = l.trim().split("\\s+");
			if (f.length >= 3 && f[0].equals("Total")) {
				loaders = f[2];
				classes = f.length > 3 ? f[3] : "?";
			}
		}
		return new String[] { rss, loaders, classes };
	}
}
