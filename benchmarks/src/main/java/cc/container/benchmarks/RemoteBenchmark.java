package cc.container.benchmarks;

import cc.container.api.config.DaemonConfig;
import cc.container.api.config.DrmSettings;
import cc.container.testing.LxcSandbox;
import cc.container.testing.Mosquitto;
import cc.container.testing.PodmanSandbox;
import cc.container.testing.Sh;
import cc.container.testing.TestConfig;
import cc.container.util.json.Json;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;

/**
 * Issue 16's scale figures: one real daemon supervising N idle containers (half each runtime) with telemetry of every
 * metric every second, connected to a real Mosquitto, beside D-1 simulated devices speaking the documented topics
 * (docs/remote.md: a retained birth and states, N telemetry messages a second, answers to commands). Reports the
 * daemon's CPU and memory with remote management on against the same daemon with it off (the baseline, in the same
 * run), the publish rate the broker carries, and the fleet tool's round trip ({@code containerctl fleet send}) for one
 * command to all D devices.
 *
 * <p>Usage: {@code benchmarks/remote.sh [containers] [devices] [seconds]}
 */
public final class RemoteBenchmark {
	static final String PREFIX = "bench";

	private RemoteBenchmark() {
	}

	/** Runs the benchmark. */
	public static void main(String[] args) throws Exception {
		int n = args.length > 0 ? Integer.parseInt(args[0]) : 20;
		int devices = args.length > 1 ? Integer.parseInt(args[1]) : 20;
		int seconds = args.length > 2 ? Integer.parseInt(args[2]) : 60;
		Path dist = Path.of("distribution/target/cc-container-mng").toAbsolutePath();
		Path work = Files.createTempDirectory("cc-bench-remote-");
		PodmanSandbox podman = new PodmanSandbox(work.resolve("podman"));
		DaemonConfig config = TestConfig.daemon(work.resolve("work"), podman, Duration.ofSeconds(60));
		LxcSandbox lxc = new LxcSandbox(config.service().lxcPath());
		Mosquitto broker = new Mosquitto(work.resolve("broker"));
		List<MqttClient> simulated = new ArrayList<>();
		ScheduledExecutorService clock = Executors.newSingleThreadScheduledExecutor();
		try {
			Map<String, Object> drm = Map.of("drm", Map.of("enabled", true, "stats_sample_interval_s", 1L, "stats_list_of_metrics",
				DrmSettings.METRICS));
			List<Object> entries = DaemonIdleBenchmark.installIdle(work, podman, config, n, drm);
			String off = DaemonIdleBenchmark.run(dist, work, "off", podman, seconds, entries, n + " containers, remote management off (baseline)")[0];

			for (int i = 1; i < devices; i++) {
				simulated.add(simulatedDevice(broker, "sim-" + i, n));
			}
			clock.scheduleAtFixedRate(() -> simulated.forEach(c -> telemetry(c, n)), 1, 1, TimeUnit.SECONDS);
			MqttClient counter = client(broker, "counter");
			AtomicLong telemetry = new AtomicLong();
			AtomicLong fromDaemon = new AtomicLong();
			counter.subscribe(PREFIX + "/+/containers/+/telemetry", 0, (t, m) -> {
				telemetry.incrementAndGet();
				if (t.startsWith(PREFIX + "/dev-0/")) {
					fromDaemon.incrementAndGet();
				}
			});
			Path pw = work.resolve("password");
			Files.writeString(pw, Mosquitto.PASSWORD + "\n");
			Map<String, Object> remote = new LinkedHashMap<>();
			remote.put("enabled", true);
			remote.put("broker", broker.tcpUri());
			remote.put("client_id", "dev-0");
			remote.put("username", Mosquitto.USER);
			remote.put("password_file", pw.toString());
			remote.put("topic_prefix", PREFIX);
			double[] rate = new double[2];
			double[] roundTrip = new double[5];
			String on = DaemonIdleBenchmark.run(dist, work, "on", podman, seconds, entries, n + " containers, remote on, 1 s telemetry each",
				Map.of("remote", remote), () -> {
					long t0 = System.nanoTime();
					long all0 = telemetry.get();
					long own0 = fromDaemon.get();
					Thread.sleep(Math.min(20, seconds / 2) * 1000L);
					double s = (System.nanoTime() - t0) / 1e9;
					rate[0] = (telemetry.get() - all0) / s;
					rate[1] = (fromDaemon.get() - own0) / s;
					List<String> ids = new ArrayList<>(List.of("dev-0"));
					simulated.forEach(c -> ids.add(c.getClientId()));
					for (int r = 0; r < roundTrip.length; r++) {
						long t = System.nanoTime();
						Sh.run(dist.resolve("bin/containerctl").toString(), "fleet", "send", "--broker", broker.tcpUri(), "--username", Mosquitto.USER,
							"--password-file", pw.toString(), "--prefix", PREFIX, "--devices", String.join(",", ids), "--command", "list", "--timeout", "30");
						roundTrip[r] = (System.nanoTime() - t) / 1e6;
					}
				})[0];
			Arrays.sort(roundTrip);
			System.out.printf("%nThe daemon over %d s (RSS at the end; CPU seconds extrapolated to one hour), %d devices on one Mosquitto:%n", seconds,
				devices);
			System.out.println(DaemonIdleBenchmark.HEADER);
			System.out.println(off);
			System.out.println(on);
			System.out.printf("%ntelemetry messages through the broker: %.0f/s (the daemon's: %.1f/s, for %d containers at 1 s)%n", rate[0], rate[1], n);
			System.out.printf("containerctl fleet send --command list to %d devices, all answers back: median %.0f ms, worst %.0f ms (5 rounds)%n",
				devices, roundTrip[2], roundTrip[4]);
		} finally {
			clock.shutdownNow();
			for (MqttClient c : simulated) {
				try {
					c.disconnectForcibly(1000);
					c.close();
				} catch (Exception e) {
					// going anyway
				}
			}
			broker.close();
			lxc.close();
			podman.close();
			Sh.run("rm", "-rf", work.toString());
		}
	}

	static MqttClient client(Mosquitto broker, String id) throws Exception {
		MqttClient c = new MqttClient(broker.tcpUri(), id, new MemoryPersistence());
		MqttConnectOptions o = new MqttConnectOptions();
		o.setUserName(Mosquitto.USER);
		o.setPassword(Mosquitto.PASSWORD.toCharArray());
		o.setMaxInflight(1000);
		c.connect(o);
		return c;
	}

	/** A device that speaks the documented topics: birth, retained states, and answers to commands. */
	static MqttClient simulatedDevice(Mosquitto broker, String id, int containers) throws Exception {
		MqttClient c = client(broker, id);
		String base = PREFIX + "/" + id;
		c.publish(base + "/status", bytes(Map.of("online", true, "device", id, "labels", List.of("sim"))), 1, true);
		for (int i = 0; i < containers; i++) {
			c.publish(base + "/containers/c" + i + "/state", bytes(Map.of("id", "c" + i, "status", "running")), 1, true);
		}
		c.subscribe(base + "/commands", 1, (t, m) -> {
			Object req = Json.parse(m.getPayload());
			String corr = String.valueOf(((Map<?, ?>) req).get("id"));
			Map<String, Object> a = new LinkedHashMap<>();
			a.put("id", corr);
			a.put("device", id);
			a.put("status", 0L);
			a.put("output", "");
			a.put("error", "");
			new Thread(() -> {
				try {
					c.publish(base + "/responses/" + corr, bytes(a), 1, false);
				} catch (Exception e) {
					// the benchmark counts what comes
				}
			}).start();
		});
		return c;
	}

	static void telemetry(MqttClient c, int containers) {
		String base = PREFIX + "/" + c.getClientId();
		for (int i = 0; i < containers; i++) {
			try {
				c.publish(base + "/containers/c" + i + "/telemetry", bytes(Map.of("container", "c" + i, "metrics", Map.of("cpu", 0.1, "mem", 1L << 20))), 1,
					false);
			} catch (Exception e) {
				// the benchmark counts what comes
			}
		}
	}

	static byte[] bytes(Map<String, Object> m) {
		return Json.writeCompact(m).getBytes(StandardCharsets.UTF_8);
	}
}
