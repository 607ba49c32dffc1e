package cc.container.benchmarks;

import cc.container.testing.Busybox;
import cc.container.testing.PodmanSandbox;
import cc.container.testing.Sh;
import cc.container.util.json.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The built daemon ({@code distribution/target/cc-container-mng}) on a throw-away configuration under {@code work}:
 * Podman in {@code podman}'s sandbox, file log at WARNING, its bundle cache and field upgrades under {@code work}.
 */
final class BenchDaemon implements AutoCloseable {
	static final Path DIST = Path.of("distribution/target/cc-container-mng").toAbsolutePath();

	final Process process;
	final Path conf;

	private BenchDaemon(Process process, Path conf) {
		this.process = process;
		this.conf = conf;
	}

	/** What a benchmark does with its daemon. */
	interface Body {
		void run(BenchDaemon daemon, PodmanSandbox podman, Path work) throws Exception;
	}

	/**
	 * Runs {@code body} with a daemon on a fresh temporary folder and Podman sandbox, and removes them all afterwards
	 * whatever happens.
	 */
	static void with(String name, long monitorInterval, Body body) throws Exception {
		Path work = Files.createTempDirectory("cc-bench-" + name + "-");
		PodmanSandbox podman = new PodmanSandbox(work.resolve("podman"));
		BenchDaemon daemon = null;
		try {
			daemon = start(work, podman, monitorInterval);
			body.run(daemon, podman, work);
		} finally {
			if (daemon != null) {
				daemon.close();
			}
			podman.close();
			Sh.run("rm", "-rf", work.toString());
		}
	}

	/** Starts it and waits (60 s at most) for its control socket. */
	static BenchDaemon start(Path work, PodmanSandbox podman, long monitorInterval) throws Exception {
		Path conf = work.resolve("d.conf");
		Path socket = work.resolve("c.sock");
		Files.write(conf, Json.write(Map.of(
			"service", Map.of("working_path", work.resolve("w").toString(), "control_socket", socket.toString(), "monitor_interval", monitorInterval),
			"logging", Map.of("level", "WARNING", "syslog", Map.of("enabled", false), "console", Map.of("enabled", false),
				"file", Map.of("enabled", true, "path", work.resolve("d.log").toString())),
			"runtimes", Map.of("podman", Map.of("global_args", podman.globalArgs(), "env", podman.environment())))));
		ProcessBuilder pb = new ProcessBuilder(DIST.resolve("bin/cc-containerd").toString(), "--config-file", conf.toString())
			.redirectErrorStream(true).redirectOutput(work.resolve("d.out").toFile());
		pb.environment().put("CC_CONTAINERD_JAVA_OPTS",
			"-Dcc.containerd.storage=" + work.resolve("cache") + " -Dcc.containerd.upgrades=" + work.resolve("upgrades"));
		BenchDaemon d = new BenchDaemon(pb.start(), conf);
		long deadline = System.nanoTime() + 60_000_000_000L;
		while (!Files.exists(socket) && System.nanoTime() < deadline) {
			Thread.sleep(100);
		}
		return d;
	}

	/**
	 * A package {@code bench} of the busybox ticker for Podman, made with {@code containerctl dcp build}; {@code extra}
	 * is added to its manifest (for example a {@code registration_defaults} member, with its leading comma).
	 */
	static String tickerPackage(PodmanSandbox podman, Path work, String extra) throws Exception {
		Path image = podman.imageArchive("localhost/bench/t:1", Busybox.TICKER, work.resolve("t.tar"));
		Path m = work.resolve("m.json");
		Files.writeString(m, "{\"package_id\": \"bench\", \"version\": 1, \"runtime\": \"podman\", \"device_types\": [\"b\"],"
			+ " \"create_args\": \"--network none\"" + extra + "}");
		return Sh.run(ctlPath(), "dcp", "build", "--manifest", m.toString(), "--payload", image.toString(), "--output-dir", work.toString()).trim();
	}

	/** {@code bin/containerctl}. */
	static String ctlPath() {
		return DIST.resolve("bin/containerctl").toString();
	}

	/** Runs {@code containerctl --config-file <conf> args}; its standard output. */
	String ctl(String... args) throws Exception {
		List<String> cmd = new ArrayList<>(List.of(ctlPath(), "--config-file", conf.toString()));
		cmd.addAll(List.of(args));
		return Sh.run(cmd.toArray(String[]::new));
	}

	@Override
	public void close() throws InterruptedException {
		process.destroy();
		process.waitFor();
	}
}
