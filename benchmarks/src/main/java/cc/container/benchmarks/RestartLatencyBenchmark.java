package cc.container.benchmarks;

import cc.container.api.ContainerReport;
import cc.container.api.ContainerStatus;
import cc.container.api.Supervisor;
import cc.container.api.config.ContainerConfig;
import cc.container.api.config.DaemonConfig;
import cc.container.api.config.RestartPolicy;
import cc.container.api.runtime.ContainerSpec;
import cc.container.api.runtime.RuntimeDriver;
import cc.container.config.internal.StoreConfiguration;
import cc.container.integration.Parts;
import cc.container.testing.Busybox;
import cc.container.testing.LxcBundles;
import cc.container.testing.LxcSandbox;
import cc.container.testing.PodmanSandbox;
import cc.container.testing.Sh;
import cc.container.testing.TestConfig;
import cc.container.testing.TestLogger;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Issue 4's latency benchmark: from a {@code kill -9} of a container's init to the container running again under the
 * supervisor ({@code retry_delay} 0), N tries per runtime, beside Podman's own {@code --restart=always} measured in the
 * same run (from the kill to Podman's {@code start} event of the container).
 *
 * <p>Usage: {@code benchmarks/restart-latency.sh [tries]}
 */
public final class RestartLatencyBenchmark {
	private RestartLatencyBenchmark() {
	}

	/** Runs the benchmark. */
	public static void main(String[] args) throws Exception {
		int tries = args.length > 0 ? Integer.parseInt(args[0]) : 20;
		Path work = Files.createTempDirectory("cc-bench-restart-");
		PodmanSandbox podman = new PodmanSandbox(work.resolve("podman"));
		DaemonConfig config = TestConfig.daemon(work.resolve("work"), podman, Duration.ofSeconds(30));
		LxcSandbox lxc = new LxcSandbox(config.service().lxcPath());
		List<String> rows = new ArrayList<>();
		Parts parts = null;
		try {
			Parts drivers = Parts.drivers(config, work.resolve("exec"), TestLogger.create());
			RuntimeDriver p = drivers.podman();
			RuntimeDriver l = drivers.lxc();
			StoreConfiguration store = drivers.store();
			RestartPolicy always = new RestartPolicy(true, 0, 0, 60);
			p.install(new ContainerSpec("lat-pod", "1", "--network none"),
				podman.imageArchive("localhost/bench/ticker:1", Busybox.TICKER, work.resolve("t.tar")));
			l.install(new ContainerSpec("lat-lxc", "1", ""), LxcBundles.create(work, work.resolve("t.tar.gz"), "t", Busybox.TICKER, null));
			store.put(new ContainerConfig("lat-pod", null, "1", "podman", "--network none", false, true, always));
			store.put(new ContainerConfig("lat-lxc", null, "1", "lxc", "", false, true, always));
			Files.writeString(work.resolve("boot_id"), "bench\n");
			parts = drivers.withSupervisor(config, work.resolve("boot_id"), TestLogger.create());
			Supervisor supervisor = parts.supervisor();
			supervisor.start("lat-pod");
			supervisor.start("lat-lxc");
			rows.add(row("podman", "cc-container-mng (retry_delay 0)", measure(supervisor, "lat-pod", tries)));
			rows.add(row("lxc", "cc-container-mng (retry_delay 0)", measure(supervisor, "lat-lxc", tries)));
			supervisor.stop("lat-pod", Duration.ofSeconds(1));

			// Baseline: Podman restarts its own container.
			podman.podman("run", "-d", "--name", "lat-native", "--network", "none", "--restart=always", "localhost/cc-container-mng/lat-pod:1");
			rows.add(row("podman", "podman --restart=always (baseline)", measureNative(podman, tries)));
			podman.podman("rm", "-f", "-t", "0", "lat-native");

			System.out.printf("%nCrash-to-restart latency: kill -9 of the init until the container runs again, %d tries per row:%n", tries);
			System.out.printf("%-8s %-38s %10s %10s %10s%n", "runtime", "who restarts it", "median ms", "worst ms", "best ms");
			rows.forEach(System.out::println);
		} finally {
			if (parts != null) {
				parts.close();
			}
			lxc.close();
			podman.close();
			Sh.run("rm", "-rf", work.toString());
		}
	}

	static String row(String runtime, String who, double[] ms) {
		return String.format("%-8s %-38s %10.0f %10.0f %10.0f", runtime, who, Bench.median(ms), Bench.worst(ms), ms[0]);
	}

	static double[] measure(Supervisor s, String id, int tries) throws Exception {
		double[] ms = new double[tries];
		for (int i = 0; i < tries; i++) {
			ContainerReport before = await(s, id, -1);
			long pid = before.pid();
			long t = System.nanoTime();
			Sh.run("kill", "-9", Long.toString(pid));
			await(s, id, pid);
			ms[i] = (System.nanoTime() - t) / 1e6;
			Thread.sleep(200);
		}
		Arrays.sort(ms);
		return ms;
	}

	/** Waits until the container runs with a pid other than {@code oldPid}. */
	static ContainerReport await(Supervisor s, String id, long oldPid) throws InterruptedException {
		long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
		while (System.nanoTime() < deadline) {
			Optional<ContainerReport> r = s.container(id);
			if (r.isPresent() && r.get().status() == ContainerStatus.RUNNING && r.get().pid() > 0 && r.get().pid() != oldPid) {
				return r.get();
			}
			Thread.sleep(2);
		}
		throw new IllegalStateException(id + " did not run again within 60 s");
	}

	static double[] measureNative(PodmanSandbox podman, int tries) throws Exception {
		List<String> argv = new ArrayList<>(List.of("podman"));
		argv.addAll(podman.globalArgs());
		argv.addAll(List.of("events", "--format", "{{.Status}}", "--filter", "container=lat-native", "--filter", "event=start"));
		ProcessBuilder pb = new ProcessBuilder(argv);
		pb.environment().putAll(podman.environment());
		Process events = pb.start();
		LinkedBlockingQueue<Long> starts = new LinkedBlockingQueue<>();
		Thread reader = new Thread(() -> {
			try (BufferedReader r = new BufferedReader(new InputStreamReader(events.getInputStream()))) {
				while (r.readLine() != null) {
					starts.add(System.nanoTime());
				}
			} catch (Exception e) {
				// the stream ends with the benchmark
			}
		});
		reader.setDaemon(true);
		reader.start();
		Thread.sleep(1000);
		double[] ms = new double[tries];
		try {
			for (int i = 0; i < tries; i++) {
				long pid = Long.parseLong(podman.podman("inspect", "--format", "{{.State.Pid}}", "lat-native").trim());
				starts.clear();
				long t = System.nanoTime();
				Sh.run("kill", "-9", Long.toString(pid));
				Long started = starts.poll(60, TimeUnit.SECONDS);
				if (started == null) {
					throw new IllegalStateException("podman did not restart its container within 60 s");
				}
				ms[i] = (started - t) / 1e6;
				Thread.sleep(300);
			}
		} finally {
			events.destroyForcibly();
		}
		Arrays.sort(ms);
		return ms;
	}
}
