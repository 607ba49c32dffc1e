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
		Path dist = Path.of("distribution/target/cc-container-mng").toAbsolutePath();
		Path work = Files.createTempDirectory("cc-bench-ctl-");
		PodmanSandbox podman = new PodmanSandbox(work.resolve("podman"));
		Process daemon = null;
		try {
			Path conf = work.resolve("d.conf");
			Files.write(conf, Json.write(Map.of(
				"service", Map.of("working_path", work.resolve("w").toString(), "control_socket", work.resolve("c.sock").toString()),
				"logging", Map.of("level", "WARNING", "syslog", Map.of("enabled", false), "console", Map.of("enabled", false),
					"file", Map.of("enabled", true, "path", work.resolve("d.log").toString())),
				"runtimes", Map.of("podman", Map.of("global_args", podman.globalArgs(), "env", podman.environment())))));
			ProcessBuilder pb = new ProcessBuilder(dist.resolve("bin/cc-containerd").toString(), "--config-file", conf.toString())
				.redirectErrorStream(true).redirectOutput(work.resolve("d.out").toFile());
			pb.environment().put("CC_CONTAINERD_JAVA_OPTS", "-Dcc.containerd.storage=" + work.resolve("cache"));
			daemon = pb.start();
			String ctl = dist.resolve("bin/containerctl").toString();
			long deadline = System.nanoTime() + 60_000_000_000L;
			while (!Files.exists(work.resolve("c.sock")) && System.nanoTime() < deadline) {
				Thread.sleep(100);
			}
			Path image = podman.imageArchive("localhost/bench/t:1", Busybox.TICKER, work.resolve("t.tar"));
			Path m = work.resolve("m.json");
			Files.writeString(m, "{\"package_id\": \"bench\", \"version\": 1, \"runtime\": \"podman\", \"device_types\": [\"b\"], \"create_args\": \"--network none\"}");
			String pkg = Sh.run(ctl, "dcp", "build", "--manifest", m.toString(), "--payload", image.toString(), "--output-dir", work.toString()).trim();
			Sh.run(ctl, "--config-file", conf.toString(), "install", pkg, "--no-start");
			podman.podman("create", "--name", "native", "--network", "none", "localhost/cc-container-mng/bench:1");
			List<String> rows = new ArrayList<>();
			rows.add(row("containerctl --help (client start-up, no daemon)", time(rounds, () -> Sh.run(ctl, "--help"))));
			rows.add(row("containerctl list", time(rounds, () -> Sh.run(ctl, "--config-file", conf.toString(), "list"))));
			rows.add(row("podman ps -a (baseline)", time(rounds, () -> podman.podman("ps", "-a"))));
			rows.add(row("containerctl start + stop -t 0", time(rounds, () -> {
				Sh.run(ctl, "--config-file", conf.toString(), "start", "bench");
				Sh.run(ctl, "--config-file", conf.toString(), "stop", "bench", "-t", "0");
			})));
			rows.add(row("podman start + stop -t 0 (baseline)", time(rounds, () -> {
				podman.podman("start", "native");
				podman.podman("stop", "-t", "0", "native");
			})));
			System.out.printf("%nWall time of one command, %d rounds after a warm-up (ms):%n", rounds);
			System.out.printf("%-50s %10s %10s %10s%n", "command", "median", "worst", "best");
			rows.forEach(System.out::println);
			Sh.run(ctl, "--config-file", conf.toString(), "remove", "bench");
		} finally {
			if (daemon != null) {
				daemon.destroy();
				daemon.waitFor();
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
