package cc.container.benchmarks;

import cc.container.api.config.DaemonConfig;
import cc.container.api.runtime.ContainerSpec;
import cc.container.api.runtime.RuntimeDriver;
import cc.container.integration.Parts;
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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Issue 14's benchmark: the built daemon supervising N containers (half each runtime, each serving HTTP on its
 * loopback) without health checks (the baseline), with a TCP check every 10 s (no process), and with a command check
 * every 10 s (a process each), in the same run: its memory, CPU, threads, and the processes started.
 *
 * <p>Usage: {@code benchmarks/health-checks.sh [containers] [seconds]}
 */
public final class HealthCheckBenchmark {
	static final String SERVER = "#!/bin/sh\ntrap 'exit 0' TERM\nifconfig lo up 2>/dev/null\nmkdir -p /www && echo ok > /www/index.html\n"
		+ "httpd -p 8080 -h /www\nwhile true; do sleep 3600 & wait; done\n";

	private HealthCheckBenchmark() {
	}

	/** Runs the benchmark. */
	public static void main(String[] args) throws Exception {
		int n = args.length > 0 ? Integer.parseInt(args[0]) : 20;
		int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 120;
		Path dist = Path.of("distribution/target/cc-container-mng").toAbsolutePath();
		Path work = Files.createTempDirectory("cc-bench-health-");
		PodmanSandbox podman = new PodmanSandbox(work.resolve("podman"));
		DaemonConfig config = TestConfig.daemon(work.resolve("work"), podman, Duration.ofSeconds(60));
		LxcSandbox lxc = new LxcSandbox(config.service().lxcPath());
		List<String> rows = new ArrayList<>();
		try (Parts drivers = Parts.drivers(config, work.resolve("exec"), TestLogger.create())) {
			Path image = podman.imageArchive("localhost/bench/server:1", SERVER, work.resolve("s.tar"));
			Path bundle = LxcBundles.create(work, work.resolve("s.tar.gz"), "s", SERVER, null);
			for (int i = 0; i < n; i++) {
				boolean pod = i % 2 == 0;
				RuntimeDriver d = pod ? drivers.podman() : drivers.lxc();
				d.install(new ContainerSpec(id(i), "1", pod ? "--network none" : ""), pod ? image : bundle);
			}
			for (String kind : new String[] { "none", "tcp", "command" }) {
				List<Object> entries = new ArrayList<>();
				for (int i = 0; i < n; i++) {
					boolean pod = i % 2 == 0;
					Map<String, Object> e = new LinkedHashMap<>();
					e.put("id", id(i));
					e.put("runtime", pod ? "podman" : "lxc");
					e.put("version", "1");
					if (pod) {
						e.put("create_args", "--network none");
					}
					e.put("autostart", true);
					e.put("restart", Map.of("enabled", true, "max_retries", 3L, "retry_delay", 1L, "window", 60L));
					if (kind.equals("tcp")) {
						e.put("health", Map.of("type", "tcp", "port", 8080L, "interval", 10L));
					} else if (kind.equals("command")) {
						e.put("health", Map.of("type", "command", "command", "true", "interval", 10L));
					}
					entries.add(e);
				}
				String label = n + " containers, " + (kind.equals("none") ? "no health check (baseline)" : kind + " check every 10 s");
				rows.add(DaemonIdleBenchmark.run(dist, work, kind, podman, seconds, entries, label)[0]);
			}
			System.out.printf("%nThe daemon over %d s at monitor_interval 10 (RSS at the end; CPU and processes per hour):%n", seconds);
			System.out.println(DaemonIdleBenchmark.HEADER);
			rows.forEach(System.out::println);
		} finally {
			lxc.close();
			podman.close();
			Sh.run("rm", "-rf", work.toString());
		}
	}

	static String id(int i) {
		return (i % 2 == 0 ? "probe-pod-" : "probe-lxc-") + i;
	}
}
