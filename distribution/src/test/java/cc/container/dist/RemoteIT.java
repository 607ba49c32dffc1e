package cc.container.dist;

import static org.assertj.core.api.Assertions.assertThat;

import cc.container.testing.Await;
import cc.container.testing.BundleJars;
import cc.container.testing.Busybox;
import cc.container.testing.Decoy;
import cc.container.testing.LxcBundles;
import cc.container.testing.LxcSandbox;
import cc.container.testing.Mosquitto;
import cc.container.testing.Packages;
import cc.container.testing.PodmanSandbox;
import cc.container.testing.Sh;
import cc.container.util.json.Json;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Remote management against a real Mosquitto on loopback and the built daemon with real Podman and LXC containers:
 * birth and retained states, telemetry exactly as each container's drm block asks, every command end to end (install
 * from a URL this test serves, refused and malformed ones), the broker away for 30 s while a container crashes, an
 * upgrade of the remote bundle while connected, and the broker's authentication (TLS with a password, TLS with a
 * client certificate, a wrong password refused).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RemoteIT {
	static final Duration WAIT = Duration.ofSeconds(90);
	static final String PREFIX = "fleet-test";
	static final String DEVICE = "dev-1";
	static final long BUFFER = 4096;

	@TempDir
	static Path dir;
	static Mosquitto broker;
	static PodmanSandbox podman;
	static LxcSandbox lxc;
	static Path conf;
	static Daemon daemon;
	static HttpServer http;
	static Path served;
	/** The "host file" a hostile URL points at: a canary under the test's folder, never one of the machine's. */
	static Decoy decoy;
	/** What {@code /stall.tar.gz} waits for before it answers, and whether a download reached it. */
	static final AtomicReference<CountDownLatch> stalled = new AtomicReference<>(new CountDownLatch(0));
	static final AtomicBoolean stallEntered = new AtomicBoolean();

	/** One message a subscriber received. */
	record Msg(String topic, String payload, boolean retained, Instant at) {
		@SuppressWarnings("unchecked")
		Map<String, Object> json() {
			try {
				return (Map<String, Object>) Json.parse(payload.getBytes(StandardCharsets.UTF_8));
			} catch (Json.SyntaxException e) {
				throw new AssertionError(e);
			}
		}
	}

	/** A fleet-side client subscribed to everything under the prefix. */
	static final class Subscriber implements AutoCloseable {
		final MqttClient client;
		final List<Msg> got = new CopyOnWriteArrayList<>();

		Subscriber(String uri) throws Exception {
			this(uri, "test-" + UUID.randomUUID(), true);
		}

		/** A subscriber; with {@code clean} false its session (and what the broker keeps for it) outlives a disconnection. */
		Subscriber(String uri, String id, boolean clean) throws Exception {
			client = new MqttClient(uri, id, new MemoryPersistence());
			MqttConnectOptions o = new MqttConnectOptions();
			o.setCleanSession(clean);
			o.setAutomaticReconnect(!clean);
			o.setMaxReconnectDelay(2000); // back at once when the broker is
			o.setUserName(Mosquitto.USER);
			o.setPassword(Mosquitto.PASSWORD.toCharArray());
			client.connect(o);
			client.subscribe(PREFIX + "/#", 1, (t, m) -> got.add(new Msg(t, new String(m.getPayload(), StandardCharsets.UTF_8), m.isRetained(),
				Instant.now())));
		}

		List<Msg> on(String topic) {
			return got.stream().filter(m -> m.topic().equals(topic)).toList();
		}

		/** Sends a command and waits for its answer. */
		Map<String, Object> command(String device, List<String> args) throws Exception {
			String id = "c" + UUID.randomUUID().toString().substring(0, 8);
			Map<String, Object> req = new LinkedHashMap<>();
			req.put("id", id);
			req.put("args", args);
			client.publish(PREFIX + "/" + device + "/commands", Json.writeCompact(req).getBytes(StandardCharsets.UTF_8), 1, false);
			String topic = PREFIX + "/" + device + "/responses/" + id;
			Await.until("the answer to " + args, WAIT, () -> !on(topic).isEmpty());
			return on(topic).get(0).json();
		}

		@Override
		public void close() throws Exception {
			if (client.isConnected()) {
				client.disconnect();
			}
			client.close();
		}
	}

	static String topic(String... levels) {
		return PREFIX + "/" + DEVICE + "/" + String.join("/", levels);
	}

	@SuppressWarnings("unchecked")
	static Path remoteConfig(Path d, Map<String, Object> remote) throws Exception {
		Path c = Daemon.writeConfig(d, "ctl.sock", "DEBUG", podman);
		Map<String, Object> tree = new LinkedHashMap<>((Map<String, Object>) Json.parse(Files.readAllBytes(c)));
		tree.put("remote", remote);
		Files.write(c, Json.write(tree));
		return c;
	}

	static Map<String, Object> remote(String uri, String clientId) throws Exception {
		Path pw = dir.resolve("password");
		Files.writeString(pw, Mosquitto.PASSWORD + "\n");
		Map<String, Object> r = new LinkedHashMap<>();
		r.put("enabled", true);
		r.put("broker", uri);
		r.put("client_id", clientId);
		r.put("username", Mosquitto.USER);
		r.put("password_file", pw.toString());
		r.put("topic_prefix", PREFIX);
		r.put("keep_alive", 5L);
		return r;
	}

	static CtlIT.Result ctl(String... args) throws Exception {
		return CtlIT.containerctl(Daemon.DIST, conf, dir, args);
	}

	@SuppressWarnings("unchecked")
	static Map<String, Object> status(String id) throws Exception {
		return (Map<String, Object>) Json.parse(ctl("status", id, "--json").out().getBytes(StandardCharsets.UTF_8));
	}

	static Path pkg(String id, String runtime, Map<String, Object> drm) throws Exception {
		byte[] payload = Files.readAllBytes(runtime.equals("podman") ? dir.resolve("ticker.tar") : dir.resolve("b.tar.gz"));
		Map<String, Object> m = Packages.manifest(id, "1", runtime, payload);
		m.remove("drm");
		Map<String, Object> rd = new LinkedHashMap<>();
		rd.put("autostart", true);
		rd.put("monitor", true);
		rd.put("restart", Map.of("enabled", true, "max_retries", 5L, "window", 60L, "retry_delay", 0L));
		if (drm != null) {
			rd.put("drm", drm);
		}
		m.put("registration_defaults", rd);
		return Packages.dcp(dir.resolve(id + ".tar.gz"), m, runtime.equals("podman") ? "image.tar" : "rootfs.tar.gz", payload);
	}

	@BeforeAll
	static void start() throws Exception {
		broker = new Mosquitto(dir.resolve("broker"));
		podman = new PodmanSandbox(dir.resolve("podman"));
		lxc = new LxcSandbox(dir.resolve("work/installed/lxc"));
		podman.imageArchive("localhost/rm/ticker:1", Busybox.TICKER, dir.resolve("ticker.tar"));
		LxcBundles.create(dir, dir.resolve("b.tar.gz"), "b", Busybox.TICKER, null);
		Map<String, Object> r = remote(broker.tcpUri(), DEVICE);
		r.put("buffer_size", BUFFER);
		r.put("allow_http_downloads", true); // the test's server is plain HTTP
		r.put("labels", List.of("site=lab", "test"));
		// Back within 2 s of the broker (the outage test): a fleet keeps the default minute.
		r.put("reconnect_max_delay", 2L);
		conf = remoteConfig(dir, r);
		daemon = Daemon.start(dir, "--config-file", conf.toString());
		Await.until("the control socket", WAIT, () -> Files.exists(dir.resolve("ctl.sock")));
		assertThat(ctl("install", pkg("rm-pod", "podman", Map.of("enabled", true, "stats_sample_interval_s", 1L,
			"stats_list_of_metrics", List.of("cpu", "mem"))).toString()).status()).isZero();
		assertThat(ctl("install", pkg("rm-lxc", "lxc", Map.of("enabled", true, "stats_sample_interval_s", 2L,
			"stats_list_of_metrics", List.of("uptime", "net/rx", "disk/read"))).toString()).status()).isZero();
		assertThat(ctl("install", pkg("rm-quiet", "podman", null).toString()).status()).isZero();
		served = pkg("rm-url", "podman", null);
		decoy = new Decoy(dir.resolve("decoy"));
		http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
		http.createContext("/moved", x -> {
			x.getResponseHeaders().add("Location", decoy.canary().toUri().toString());
			x.sendResponseHeaders(302, -1);
			x.close();
		});
		http.createContext("/stall.tar.gz", x -> {
			stallEntered.set(true);
			try {
				stalled.get().await(WAIT.toSeconds(), TimeUnit.SECONDS);
			} catch (InterruptedException e) {
				Thread.currentThread().interrupt();
			}
			x.sendResponseHeaders(503, -1);
			x.close();
		});
		http.createContext("/", x -> {
			Path f = x.getRequestURI().getPath().equals("/rm-url.tar.gz") ? served : null;
			if (f == null) {
				x.sendResponseHeaders(404, -1);
			} else {
				x.sendResponseHeaders(200, Files.size(f));
				try (var out = x.getResponseBody()) {
					Files.copy(f, out);
				}
			}
			x.close();
		});
		http.start();
	}

	@AfterAll
	static void stop() throws Exception {
		if (http != null) {
			http.stop(0);
		}
		if (daemon != null) {
			for (String id : List.of("rm-pod", "rm-lxc", "rm-quiet", "rm-url")) {
				ctl("remove", id);
			}
			daemon.close();
		}
		if (broker != null) {
			broker.close();
		}
		lxc.close();
		podman.close();
	}

	@Test
	@Order(1)
	void theBirthAndEachContainersStateAreRetained() throws Exception {
		Await.until("three running containers", WAIT, () -> List.of("rm-pod", "rm-lxc", "rm-quiet").stream().allMatch(id -> {
			try {
				return "running".equals(status(id).get("status"));
			} catch (Exception e) {
				return false;
			}
		}));
		// The device tells a change within a second: "running" may reach a first subscriber live, not retained.
		try (Subscriber first = new Subscriber(broker.tcpUri())) {
			Await.until("each container's state told as running", WAIT, () -> List.of("rm-pod", "rm-lxc", "rm-quiet").stream()
				.allMatch(id -> first.on(topic("containers", id, "state")).stream().anyMatch(m -> "running".equals(m.json().get("status")))));
		}
		// A subscriber that comes afterwards gets the birth and each state from the broker, retained.
		try (Subscriber s = new Subscriber(broker.tcpUri())) {
			Await.until("the retained birth and states", WAIT, () -> !s.on(topic("status")).isEmpty()
				&& List.of("rm-pod", "rm-lxc", "rm-quiet").stream().allMatch(id -> s.on(topic("containers", id, "state")).stream()
					.anyMatch(m -> m.retained() && "running".equals(m.json().get("status")))));
			Map<String, Object> birth = s.on(topic("status")).get(0).json();
			assertThat(s.on(topic("status")).get(0).retained()).isTrue();
			assertThat(birth).containsEntry("online", true).containsEntry("device", DEVICE).containsKeys("version", "boot_id", "bundles");
			assertThat(birth.get("labels")).isEqualTo(List.of("site=lab", "test"));
			assertThat(new ArrayList<Object>(((Map<?, ?>) birth.get("bundles")).keySet())).contains("cc.container.remote", "cc.container.supervisor");
			Map<String, Object> state = s.on(topic("containers", "rm-pod", "state")).get(0).json();
			assertThat(state).containsEntry("id", "rm-pod").containsEntry("runtime", "podman").containsKeys("pid", "restarts", "history", "drm")
				.doesNotContainKey("stats");
		}
	}

	@Test
	@Order(2)
	void telemetryIsWhatEachDrmBlockAsksForAndNothingForAContainerWithout() throws Exception {
		try (Subscriber s = new Subscriber(broker.tcpUri())) {
			Thread.sleep(9000);
			List<Msg> pod = s.on(topic("containers", "rm-pod", "telemetry"));
			List<Msg> lx = s.on(topic("containers", "rm-lxc", "telemetry"));
			assertThat(s.on(topic("containers", "rm-quiet", "telemetry"))).isEmpty();
			assertThat(pod).hasSizeBetween(6, 11);
			assertThat(lx).hasSizeBetween(3, 6);
			for (Msg m : pod) {
				assertThat(m.retained()).isFalse();
				assertThat(m.json()).containsEntry("container", "rm-pod").containsKey("at");
				assertThat(new ArrayList<Object>(((Map<?, ?>) m.json().get("metrics")).keySet())).containsExactly("cpu", "mem");
				assertThat(((Number) ((Map<?, ?>) m.json().get("metrics")).get("mem")).longValue()).isPositive();
			}
			for (Msg m : lx) {
				assertThat(new ArrayList<Object>(((Map<?, ?>) m.json().get("metrics")).keySet())).containsExactly("uptime", "net/rx", "disk/read");
			}
			// Samples do not drift: each is due an interval after the previous one was due, so the mean gap is the interval
			// even when a late tick makes one gap longer and the next shorter.
			assertThat(meanGapMs(pod)).isBetween(850.0, 1250.0);
			assertThat(meanGapMs(lx)).isBetween(1700.0, 2400.0);
		}
	}

	static double meanGapMs(List<Msg> ms) {
		Instant first = Instant.parse((String) ms.get(0).json().get("at"));
		Instant last = Instant.parse((String) ms.get(ms.size() - 1).json().get("at"));
		return Duration.between(first, last).toMillis() / (double) (ms.size() - 1);
	}

	@Test
	@Order(3)
	void eachCommandRunsAsContainerctlWouldAndABadOneChangesNothing() throws Exception {
		try (Subscriber s = new Subscriber(broker.tcpUri())) {
			Map<String, Object> a = s.command(DEVICE, List.of("list"));
			assertThat(a).containsEntry("status", 0L).containsEntry("device", DEVICE);
			assertThat((String) a.get("output")).contains("rm-pod", "rm-lxc", "rm-quiet");
			assertThat(s.command(DEVICE, List.of("status", "rm-quiet", "--json")).get("output").toString()).contains("\"id\" : \"rm-quiet\"");
			assertThat(s.command(DEVICE, List.of("stop", "rm-quiet", "-t", "0"))).containsEntry("status", 0L);
			assertThat(status("rm-quiet")).containsEntry("status", "stopped");
			assertThat(s.command(DEVICE, List.of("start", "rm-quiet"))).containsEntry("status", 0L);
			assertThat(status("rm-quiet")).containsEntry("status", "running");
			long pid = ((Number) status("rm-quiet").get("pid")).longValue();
			assertThat(s.command(DEVICE, List.of("restart", "rm-quiet", "-t", "0"))).containsEntry("status", 0L);
			assertThat(((Number) status("rm-quiet").get("pid")).longValue()).isNotEqualTo(pid);
			assertThat(s.command(DEVICE, List.of("config", "set", "rm-quiet", "autostart", "false"))).containsEntry("status", 0L);
			assertThat(s.command(DEVICE, List.of("config", "get", "rm-quiet", "autostart")).get("output").toString().strip()).isEqualTo("false");
			assertThat(s.command(DEVICE, List.of("bundle", "list")).get("output").toString()).contains("cc.container.remote");
			assertThat(s.command(DEVICE, List.of("start", "no-such"))).containsEntry("status", 4L);

			String before = Files.readString(dir.resolve("work/cc-containers.conf"));
			String bundlesBefore = ctl("bundle", "list").out();
			Map<String, Object> refused = s.command(DEVICE, List.of("bundle", "update", dir.resolve("x.jar").toString()));
			assertThat(refused).containsEntry("status", 2L);
			assertThat((String) refused.get("error")).startsWith("\"bundle update\" may not be run remotely");
			assertThat(s.command(DEVICE, List.of("logs", "rm-pod", "-f")).get("error").toString()).startsWith("logs --follow may not be run remotely");
			s.client.publish(PREFIX + "/" + DEVICE + "/commands", "{not json".getBytes(StandardCharsets.UTF_8), 1, false);
			Await.until("the answer to a malformed request", WAIT, () -> !s.on(topic("responses", "unknown")).isEmpty());
			assertThat(s.on(topic("responses", "unknown")).get(0).json()).containsEntry("status", 2L);
			assertThat((String) s.on(topic("responses", "unknown")).get(0).json().get("error")).startsWith("the request is not JSON");
			// Larger than a command may be: refused unread.
			String big = "{\"id\":\"big\",\"args\":[\"status\",\"" + "x".repeat(70 << 10) + "\"]}";
			s.client.publish(PREFIX + "/" + DEVICE + "/commands", big.getBytes(StandardCharsets.UTF_8), 1, false);
			Await.until("the answer to an oversized request", WAIT, () -> s.on(topic("responses", "unknown")).size() == 2);
			assertThat(s.on(topic("responses", "unknown")).get(1).json()).containsEntry("status", 2L)
				.containsEntry("error", "the request is larger than 65536 bytes; it was not read");
			// A command published retained by mistake: the broker hands it on at once (as a live message, which runs), and
			// again at the device's every connection (as a retained one, which must not run again: see the outage test).
			s.client.publish(PREFIX + "/" + DEVICE + "/commands", "{\"id\":\"kept\",\"args\":[\"status\",\"rm-quiet\"]}"
				.getBytes(StandardCharsets.UTF_8), 1, true);
			Await.until("the live answer to the retained command", WAIT, () -> !s.on(topic("responses", "kept")).isEmpty());
			Map<String, Object> path = s.command(DEVICE, List.of("install", served.toString()));
			assertThat(path).containsEntry("status", 2L);
			assertThat((String) path.get("error")).startsWith("install takes its package by --url");
			assertThat((String) s.command(DEVICE, List.of("install", "--url", decoy.canary().toUri().toString())).get("error"))
				.startsWith("--url must be an https:// URL");
			assertThat(Files.readString(dir.resolve("work/cc-containers.conf"))).isEqualTo(before);
			assertThat(ctl("bundle", "list").out()).isEqualTo(bundlesBefore);

			String url = "http://127.0.0.1:" + http.getAddress().getPort();
			Map<String, Object> moved = s.command(DEVICE, List.of("install", "--url", url + "/moved"));
			assertThat(moved).containsEntry("status", 1L);
			assertThat((String) moved.get("error")).contains("the server redirected to " + decoy.canary().toUri() + "; give the package's own URL");
			assertThat(decoy.intact()).isTrue();
			assertThat(dir.resolve("work/remote/downloads")).isEmptyDirectory();
			Map<String, Object> missing = s.command(DEVICE, List.of("install", "--url", url + "/nothing.tar.gz"));
			assertThat(missing).containsEntry("status", 1L);
			assertThat((String) missing.get("error")).contains("the server answered 404");
			Map<String, Object> installed = s.command(DEVICE, List.of("install", "--url", url + "/rm-url.tar.gz"));
			assertThat(installed.get("status")).as(installed.toString()).isEqualTo(0L);
			assertThat(status("rm-url")).containsEntry("status", "running");
			assertThat(dir.resolve("work/remote/downloads")).isEmptyDirectory();
			assertThat(s.command(DEVICE, List.of("remove", "rm-url"))).containsEntry("status", 0L);
			assertThat(ctl("status", "rm-url").status()).isEqualTo(4);

			// One command at a time, 16 waiting: while a download stalls, the 17th waiting is told the device is busy.
			stalled.set(new CountDownLatch(1));
			s.client.publish(PREFIX + "/" + DEVICE + "/commands", "{\"id\":\"slow\",\"args\":[\"install\",\"--url\",\"%s/stall.tar.gz\"]}"
				.formatted(url).getBytes(StandardCharsets.UTF_8), 1, false);
			Await.until("the download the device makes", WAIT, () -> stallEntered.get());
			for (int i = 0; i < 17; i++) {
				s.client.publish(PREFIX + "/" + DEVICE + "/commands", "{\"id\":\"q%d\",\"args\":[\"status\",\"rm-quiet\"]}".formatted(i)
					.getBytes(StandardCharsets.UTF_8), 1, false);
			}
			Await.until("the busy answer", WAIT, () -> !s.on(topic("responses", "q16")).isEmpty());
			assertThat(s.on(topic("responses", "q16")).get(0).json()).containsEntry("status", 1L)
				.containsEntry("error", "the device is busy with 16 commands; send this one again later");
			assertThat(s.on(topic("responses", "q0"))).as("a waiting command runs only after the one before").isEmpty();
			stalled.get().countDown();
			Await.until("the 16 waiting commands' answers", WAIT, () -> java.util.stream.IntStream.range(0, 16)
				.allMatch(i -> !s.on(topic("responses", "q" + i)).isEmpty()));
			for (int i = 0; i < 16; i++) {
				assertThat(s.on(topic("responses", "q" + i)).get(0).json()).containsEntry("status", 0L);
			}
			assertThat(s.on(topic("responses", "slow")).get(0).json()).containsEntry("status", 1L);
		}
	}

	@Test
	@Order(4)
	void withTheBrokerAwaySupervisionGoesOnAndWhatWasKeptArrivesInOrder() throws Exception {
		long podBefore = ((Number) ((Map<?, ?>) status("rm-pod").get("restarts")).get("total")).longValue();
		// Subscribed before the broker goes, with a session the broker keeps: whatever the device sends once the broker
		// is back, and whichever of the two reconnects first, reaches it.
		Subscriber s = new Subscriber(broker.tcpUri(), "fleet-watcher", false);
		Instant away = Instant.now();
		broker.close();
		Path outbox = dir.resolve("work/remote/outbox.jsonl");
		long largest = 0;
		// 25 s away, then a crash, then 5 s more: 30 s in all, the bound of 4 KiB overrun by telemetry.
		while (Duration.between(away, Instant.now()).toSeconds() < 25) {
			largest = Math.max(largest, Files.size(outbox));
			Thread.sleep(200);
		}
		long pid = ((Number) status("rm-pod").get("pid")).longValue();
		Sh.run("kill", "-9", Long.toString(pid));
		Await.until("rm-pod restarted with the broker away", WAIT, () -> {
			try {
				Map<String, Object> st = status("rm-pod");
				return "running".equals(st.get("status")) && ((Number) ((Map<?, ?>) st.get("restarts")).get("total")).longValue() > podBefore;
			} catch (Exception e) {
				return false;
			}
		});
		while (Duration.between(away, Instant.now()).toSeconds() < 30) {
			largest = Math.max(largest, Files.size(outbox));
			Thread.sleep(200);
		}
		Instant back = Instant.now();
		broker.restart();
		assertThat(largest).as("the buffer's bound").isLessThanOrEqualTo(BUFFER);
		try (s) {
			// The device tries again within 2 s (reconnect_max_delay), the subscriber too. The crash's event outlives the
			// bound, which drops telemetry first.
			awaitOrTell("the buffer-dropped notice and the crash's event", () -> s.on(topic("events")).stream()
				.anyMatch(m -> "history".equals(m.json().get("type")) && "rm-pod".equals(m.json().get("container")))
				&& s.on(topic("events")).stream().anyMatch(m -> "buffer-dropped".equals(m.json().get("type"))), s);
			Map<String, Object> dropped = s.on(topic("events")).stream().filter(m -> "buffer-dropped".equals(m.json().get("type"))).findFirst()
				.orElseThrow().json();
			assertThat(((Number) dropped.get("count")).longValue()).isPositive();
			awaitOrTell("telemetry from while the broker was away", () -> s.on(topic("containers", "rm-pod", "telemetry")).stream()
				.anyMatch(m -> Instant.parse((String) m.json().get("at")).isBefore(back)), s);
			List<Instant> ats = new ArrayList<>();
			for (Msg m : s.on(topic("containers", "rm-pod", "telemetry"))) {
				Instant at = Instant.parse((String) m.json().get("at"));
				if (at.isAfter(away) && !ats.contains(at)) {
					ats.add(at); // at least once: a batch sent again repeats what came, it never reorders
				}
			}
			assertThat(ats).isSorted();
			assertThat(ats.get(0)).isBefore(back);
			// The state told after the crash, in order: the last one kept shows the restart.
			List<Msg> states = s.on(topic("containers", "rm-pod", "state"));
			assertThat(states).isNotEmpty();
			Map<?, ?> restarts = (Map<?, ?>) states.get(states.size() - 1).json().get("restarts");
			assertThat(((Number) restarts.get("total")).longValue()).isGreaterThan(podBefore);
			// The retained command of the commands test came again with the connection, retained: it did not run again.
			Thread.sleep(3000);
			assertThat(s.on(topic("responses", "kept"))).isEmpty();
			assertThat(Daemon.fileContains(dir.resolve("cc-containerd.log"), "a retained message on " + topic("commands") + " is ignored")).isTrue();
			s.client.publish(PREFIX + "/" + DEVICE + "/commands", new byte[0], 1, true); // cleared
		}
	}

	/** Waits as {@link Await#until} does; when it times out, says what the device logged of its link and what it holds. */
	static void awaitOrTell(String what, java.util.function.BooleanSupplier condition, Subscriber s) throws IOException {
		try {
			Await.until(what, WAIT, condition);
		} catch (AssertionError e) {
			StringBuilder b = new StringBuilder(e.getMessage()).append("\nthe device's log of its link:\n");
			for (String line : Files.readAllLines(dir.resolve("cc-containerd.log"))) {
				if (line.contains("Remote management") || line.contains("remote")) {
					b.append("  ").append(line).append('\n');
				}
			}
			Path outbox = dir.resolve("work/remote/outbox.jsonl");
			b.append("its buffer: ").append(Files.exists(outbox) ? Files.size(outbox) + " bytes" : "none").append('\n');
			b.append("the subscriber is ").append(s.client.isConnected() ? "connected" : "not connected").append(" and got:\n");
			for (Msg m : s.got) {
				b.append("  ").append(m.at()).append(' ').append(m.topic()).append(' ')
					.append(m.payload(), 0, Math.min(160, m.payload().length())).append('\n');
			}
			throw new AssertionError(b.toString(), e);
		}
	}

	@Test
	@Order(5)
	void anUpgradeOfTheRemoteBundleReconnectsAndTheContainersDoNotNotice() throws Exception {
		Map<String, Long> pids = new HashMap<>();
		for (String id : List.of("rm-pod", "rm-lxc")) {
			pids.put(id, ((Number) status(id).get("pid")).longValue());
		}
		try (Subscriber s = new Subscriber(broker.tcpUri())) {
			Await.until("the retained birth", WAIT, () -> !s.on(topic("status")).isEmpty());
			int births = s.on(topic("status")).size();
			Path v2 = BundleJars.rebuilt(FieldUpgradeIT.shippedJar("cc.container.remote"), dir.resolve("remote-9.0.1.jar"), "9.0.1");
			CtlIT.Result r = ctl("bundle", "update", v2.toString());
			assertThat(r.status()).as(r.err()).isZero();
			Await.until("a new birth from the new bundle", WAIT, () -> s.on(topic("status")).stream().skip(births)
				.anyMatch(m -> Boolean.TRUE.equals(m.json().get("online")) && "9.0.1".equals(((Map<?, ?>) m.json().get("bundles")).get("cc.container.remote"))));
			assertThat(s.command(DEVICE, List.of("list"))).containsEntry("status", 0L);
		}
		for (String id : List.of("rm-pod", "rm-lxc")) {
			assertThat(((Number) status(id).get("pid")).longValue()).as(id).isEqualTo(pids.get(id));
		}
		assertThat(ctl("bundle", "rollback", "cc.container.remote").status()).isZero();
	}

	/** Starts a daemon with no container on {@code remote}; returns its log once {@code until} holds or 20 s passed. */
	static String tryDaemon(String name, Map<String, Object> remote, String clientId, boolean expectBirth) throws Exception {
		Path d = Files.createDirectories(dir.resolve(name));
		Path c = remoteConfig(d, remote);
		try (Subscriber s = new Subscriber(broker.tcpUri())) {
			Daemon other = Daemon.start(d, "--config-file", c.toString());
			try {
				String birthTopic = PREFIX + "/" + clientId + "/status";
				if (expectBirth) {
					Await.until(name + "'s birth", WAIT, () -> s.on(birthTopic).stream().anyMatch(m -> Boolean.TRUE.equals(m.json().get("online"))));
				} else {
					Await.until(name + " to say why it cannot connect", WAIT, () -> Daemon.fileContains(d.resolve("cc-containerd.log"), "Remote management: cannot connect"));
					assertThat(s.on(birthTopic)).isEmpty();
				}
				return Files.readString(d.resolve("cc-containerd.log"));
			} finally {
				other.close();
			}
		}
	}

	@Test
	@Order(6)
	void tlsWithAPasswordAndWithAClientCertificateConnectAndAWrongPasswordIsRefused() throws Exception {
		Map<String, Object> tls = remote(broker.tlsUri(), "dev-tls");
		tls.put("ca_file", broker.caFile().toString());
		tryDaemon("tls-password", tls, "dev-tls", true);

		Map<String, Object> cert = new LinkedHashMap<>();
		cert.put("enabled", true);
		cert.put("broker", broker.tlsCertUri());
		cert.put("client_id", "dev-cert");
		cert.put("topic_prefix", PREFIX);
		cert.put("ca_file", broker.caFile().toString());
		cert.put("cert_file", broker.clientCert().toString());
		cert.put("key_file", broker.clientKey().toString());
		tryDaemon("tls-cert", cert, "dev-cert", true);

		Map<String, Object> otherCa = remote(broker.tlsUri(), "dev-other-ca");
		otherCa.put("ca_file", broker.clientCert().toString()); // a certificate that signed nothing the broker shows
		assertThat(tryDaemon("tls-other-ca", otherCa, "dev-other-ca", false)).contains("certification path");

		Path wrong = dir.resolve("bad-password.txt");
		Files.writeString(wrong, "not-the-password\n");
		Map<String, Object> bad = remote(broker.tcpUri(), "dev-wrong");
		bad.put("password_file", wrong.toString());
		String log = tryDaemon("wrong-password", bad, "dev-wrong", false);
		// Mosquitto answers a wrong password with "not authorised" (MQTT 3.1.1's return code 5).
		assertThat(log).contains("the broker refused this device (not authorised: a wrong user name, password or certificate)");
	}

	static CtlIT.Result fleet(String... args) throws Exception {
		Path pw = dir.resolve("password");
		List<String> cmd = new ArrayList<>(List.of(Daemon.DIST.resolve("bin/containerctl").toString(), "fleet"));
		cmd.addAll(List.of(args));
		cmd.addAll(List.of("--broker", broker.tcpUri(), "--username", Mosquitto.USER, "--password-file", pw.toString(), "--prefix", PREFIX));
		return CtlIT.exec(cmd, dir);
	}

	@Test
	@Order(7)
	@SuppressWarnings("unchecked")
	void theFleetToolListsDevicesAndSendsOneCommandToMany() throws Exception {
		CtlIT.Result devices = fleet("devices", "--json");
		assertThat(devices.status()).as(devices.err()).isZero();
		List<Object> all = (List<Object>) Json.parse(devices.out().getBytes(StandardCharsets.UTF_8));
		Map<String, Object> dev1 = (Map<String, Object>) all.stream().filter(d -> DEVICE.equals(((Map<?, ?>) d).get("device"))).findFirst()
			.orElseThrow();
		assertThat(((Map<?, ?>) dev1.get("status")).get("online")).isEqualTo(true);
		assertThat((List<Object>) dev1.get("containers")).extracting(c -> (Object) ((Map<?, ?>) c).get("id")).contains("rm-pod", "rm-lxc", "rm-quiet");
		// The daemons of the TLS test said goodbye: retained, offline, stopped.
		for (String gone : List.of("dev-tls", "dev-cert")) {
			Map<?, ?> st = (Map<?, ?>) ((Map<?, ?>) all.stream().filter(d -> gone.equals(((Map<?, ?>) d).get("device"))).findFirst().orElseThrow())
				.get("status");
			assertThat(st.get("online")).as(gone).isEqualTo(false);
			assertThat(st.get("reason")).as(gone).isEqualTo("stopped");
		}

		CtlIT.Result table = fleet("devices", "--label", "site=lab");
		assertThat(table.out()).contains(DEVICE).doesNotContain("dev-tls");

		CtlIT.Result sent = fleet("send", "--label", "test", "--command", "status rm-pod");
		assertThat(sent.status()).as(sent.err()).isZero();
		assertThat(sent.out()).contains(DEVICE + " ", "rm-pod");

		CtlIT.Result partly = fleet("send", "--devices", DEVICE + ",ghost", "--command", "list", "--timeout", "3", "--json");
		assertThat(partly.status()).isEqualTo(1);
		assertThat(partly.err()).contains("1 of 2 device(s) did not answer, or answered an error");
		assertThat(partly.out()).contains("\"device\" : \"ghost\"", "no answer within 3 s");

		assertThat(fleet("send", "--command", "list").status()).isEqualTo(2);
	}

	@Test
	@Order(8)
	void aBrokerThatAcceptsAndNeverAnswersIsLeftAndTriedAgain() throws Exception {
		try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
			List<Socket> accepted = new CopyOnWriteArrayList<>();
			Thread acceptor = new Thread(() -> {
				try {
					while (true) {
						accepted.add(silent.accept()); // never a byte back
					}
				} catch (IOException e) {
					// closed
				}
			});
			acceptor.start();
			Path d = Files.createDirectories(dir.resolve("silent"));
			Map<String, Object> r = remote("tcp://127.0.0.1:" + silent.getLocalPort(), "dev-silent");
			Daemon other = Daemon.start(d, "--config-file", remoteConfig(d, r).toString());
			try {
				Await.until("a second connection after the first was never answered", WAIT, () -> accepted.size() >= 2);
				// Ended by the device's own watchdog: Paho waits for an answer to CONNECT without end.
				assertThat(Daemon.fileContains(d.resolve("cc-containerd.log"), "Remote management: cannot connect to tcp://127.0.0.1:" + silent.getLocalPort()
					+ " (the broker did not answer within 15 s)")).isTrue();
				assertThat(CtlIT.exec(List.of(Daemon.DIST.resolve("bin/containerctl").toString(), "--config-file", d.resolve("cc-container-mng.conf")
					.toString(), "daemon", "status"), d).status()).as("the daemon answers meanwhile").isZero();
			} finally {
				other.close();
				for (Socket x : accepted) {
					x.close();
				}
			}
		}
	}
}
