package cc.container.ctl;

import cc.container.util.ShellWords;
import cc.container.util.command.CommandLine.UsageException;
import cc.container.util.command.CommandLine;
import cc.container.util.json.Json;
import cc.container.util.net.Tls;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;

/**
 * {@code containerctl fleet devices} and {@code fleet send}: the fleet side of remote management (docs/remote.md), run
 * in the client against the broker. Devices and their containers come from the retained {@code status} and
 * {@code state} messages; a command goes to each chosen device with its own correlation id, and the answers are waited
 * for until all came or the timeout passed.
 */
final class FleetTool {
	static final int OK = 0;
	static final int FAILED = 1;
	static final int USAGE = 2;

	/** What the retained messages say of one device. */
	static final class Device {
		Map<String, Object> status = Map.of();
		final Map<String, Map<String, Object>> containers = new TreeMap<>();
	}

	private FleetTool() {
	}

	static int run(List<String> args, PrintStream out, PrintStream err) {
		CommandLine c;
		try {
			c = CommandLine.parse(args);
		} catch (UsageException e) {
			err.println(e.getMessage() + " (containerctl --help lists the commands)");
			return USAGE;
		}
		if (!c.has("--broker")) {
			err.println(c.spec().name() + " needs --broker tcp://host:1883 or ssl://host:8883 (containerctl --help lists the commands)");
			return USAGE;
		}
		String prefix = c.has("--prefix") ? c.option("--prefix") : "cc-container-mng";
		MqttClient client;
		try {
			client = connect(c);
		} catch (MqttException | IOException | GeneralSecurityException | IllegalArgumentException e) {
			err.println("cannot connect to " + c.option("--broker") + ": " + e.getMessage());
			return FAILED;
		}
		try {
			if (c.spec().name().equals("fleet devices")) {
				int wait = c.number("--wait", 2, 0, 600);
				return devices(client, prefix, wait, c.option("--label"), c.has("--json"), out);
			}
			return send(client, prefix, c, out, err);
		} catch (UsageException e) {
			err.println(e.getMessage() + " (containerctl --help lists the commands)");
			return USAGE;
		} catch (MqttException e) {
			err.println("the broker: " + e.getMessage());
			return FAILED;
		} catch (InterruptedException e) {
			Thread.currentThread().interrupt();
			return FAILED;
		} finally {
			try {
				client.disconnect();
				client.close();
			} catch (MqttException e) {
				// leaving anyway
			}
		}
	}

	static MqttClient connect(CommandLine c) throws MqttException, IOException, GeneralSecurityException {
		MqttClient client = new MqttClient(c.option("--broker"), "containerctl-" + UUID.randomUUID().toString().substring(0, 12), new MemoryPersistence());
		client.setTimeToWait(15_000); // no call waits for ever on a broker that stopped answering
		MqttConnectOptions o = new MqttConnectOptions();
		o.setCleanSession(true);
		o.setConnectionTimeout(10);
		o.setMaxInflight(1000);
		if (c.has("--username")) {
			o.setUserName(c.option("--username"));
		}
		if (c.has("--password-file")) {
			String s = Files.readString(Path.of(c.option("--password-file")), StandardCharsets.UTF_8);
			int nl = s.indexOf('\n');
			o.setPassword((nl >= 0 ? s.substring(0, nl) : s).strip().toCharArray());
		}
		if (c.option("--broker").startsWith("ssl://")) {
			o.setSocketFactory(Tls.socketFactory(path(c, "--ca-file"), path(c, "--cert-file"), path(c, "--key-file")));
			o.setHttpsHostnameVerificationEnabled(true);
		}
		client.connect(o);
		return client;
	}

	private static Path path(CommandLine c, String name) {
		return c.has(name) ? Path.of(c.option(name)) : null;
	}

	/** The devices the retained messages tell of, collected for {@code waitSeconds}. */
	static Map<String, Device> collect(MqttClient client, String prefix, int waitSeconds) throws MqttException, InterruptedException {
		Map<String, Device> devices = new ConcurrentHashMap<>();
		String base = prefix + "/";
		client.subscribe(base + "+/status", 1, (topic, m) -> {
			Object o = parse(m.getPayload());
			if (o instanceof Map<?, ?> map) {
				devices.computeIfAbsent(level(topic, base, 0), k -> new Device()).status = cast(map);
			}
		});
		client.subscribe(base + "+/containers/+/state", 1, (topic, m) -> {
			Device d = devices.computeIfAbsent(level(topic, base, 0), k -> new Device());
			Object o = parse(m.getPayload());
			synchronized (d) {
				if (o instanceof Map<?, ?> map) {
					d.containers.put(level(topic, base, 2), cast(map));
				} else {
					d.containers.remove(level(topic, base, 2)); // cleared: removed
				}
			}
		});
		Thread.sleep(waitSeconds * 1000L);
		client.unsubscribe(new String[] { base + "+/status", base + "+/containers/+/state" });
		return new TreeMap<>(devices);
	}

	static int devices(MqttClient client, String prefix, int wait, String label, boolean json, PrintStream out)
		throws MqttException, InterruptedException {
		Map<String, Device> devices = collect(client, prefix, wait);
		devices.values().removeIf(d -> label != null && !labels(d).contains(label));
		if (json) {
			List<Object> list = new ArrayList<>();
			devices.forEach((id, d) -> {
				Map<String, Object> m = new LinkedHashMap<>();
				m.put("device", id);
				m.put("status", d.status);
				m.put("containers", new ArrayList<>(d.containers.values()));
				list.add(m);
			});
			out.print(new String(Json.write(list), StandardCharsets.UTF_8));
			return OK;
		}
		out.printf("%-24s %-8s %-20s %s%n", "DEVICE", "ONLINE", "LABELS", "CONTAINERS");
		devices.forEach((id, d) -> {
			List<String> cs = new ArrayList<>();
			d.containers.forEach((cid, st) -> cs.add(cid + ":" + st.get("status")));
			out.printf("%-24s %-8s %-20s %s%n", id, Boolean.TRUE.equals(d.status.get("online")) ? "yes" : "no", String.join(",", labels(d)),
				String.join(" ", cs));
		});
		return OK;
	}

	static int send(MqttClient client, String prefix, CommandLine c, PrintStream out, PrintStream err)
		throws MqttException, InterruptedException, UsageException {
		if (!c.has("--command")) {
			throw new UsageException("fleet send needs --command 'CMD ARGS' (the command as containerctl takes it)");
		}
		List<String> command = ShellWords.split(c.option("--command"));
		if (command.isEmpty()) {
			throw new UsageException("fleet send: --command is empty");
		}
		List<String> targets = new ArrayList<>();
		if (c.has("--devices")) {
			for (String d : c.option("--devices").split(",")) {
				if (!d.isBlank()) {
					targets.add(d.strip());
				}
			}
		} else if (c.has("--label")) {
			collect(client, prefix, 2).forEach((id, d) -> {
				if (labels(d).contains(c.option("--label")) && Boolean.TRUE.equals(d.status.get("online"))) {
					targets.add(id);
				}
			});
		} else {
			throw new UsageException("fleet send needs --devices ID,ID or --label L");
		}
		int timeout = c.number("--timeout", 30, 1, 3600);
		String run = UUID.randomUUID().toString().substring(0, 8);
		Map<String, Map<String, Object>> answers = new ConcurrentHashMap<>();
		// Each device gets its own correlation id, and only its own response topic may answer it.
		Map<String, String> expected = new LinkedHashMap<>();
		for (int i = 0; i < targets.size(); i++) {
			expected.put(prefix + "/" + targets.get(i) + "/responses/" + run + "-" + i, targets.get(i));
		}
		client.subscribe(prefix + "/+/responses/#", 1, (topic, m) -> {
			String d = expected.get(topic);
			if (d != null && parse(m.getPayload()) instanceof Map<?, ?> a) {
				answers.put(d, cast(a));
			}
		});
		int next = 0;
		for (String d : targets) {
			Map<String, Object> req = new LinkedHashMap<>();
			req.put("id", run + "-" + next++);
			req.put("args", command);
			client.publish(prefix + "/" + d + "/commands", Json.writeCompact(req).getBytes(StandardCharsets.UTF_8), 1, false);
		}
		long deadline = System.nanoTime() + timeout * 1_000_000_000L;
		while (answers.size() < targets.size() && System.nanoTime() < deadline) {
			Thread.sleep(20);
		}
		int failed = 0;
		if (c.has("--json")) {
			List<Object> list = new ArrayList<>();
			for (String d : targets) {
				Map<String, Object> a = answers.get(d);
				if (a == null) {
					a = new LinkedHashMap<>();
					a.put("device", d);
					a.put("status", null);
					a.put("error", "no answer within " + timeout + " s");
				}
				failed += a.get("status") instanceof Number n && n.intValue() == 0 ? 0 : 1;
				list.add(a);
			}
			out.print(new String(Json.write(list), StandardCharsets.UTF_8));
		} else {
			out.printf("%-24s %-7s %s%n", "DEVICE", "STATUS", "OUTPUT");
			for (String d : targets) {
				Map<String, Object> a = answers.get(d);
				String status = a == null ? "-" : String.valueOf(a.get("status"));
				String text = a == null ? "no answer within " + timeout + " s"
					: a.get("error") instanceof String e && !e.isEmpty() ? e : String.valueOf(a.get("output")).strip();
				failed += a != null && a.get("status") instanceof Number n && n.intValue() == 0 ? 0 : 1;
				out.printf("%-24s %-7s %s%n", d, status, text.replace("\n", "\n" + " ".repeat(33)));
			}
		}
		if (failed > 0) {
			err.println(failed + " of " + targets.size() + " device(s) did not answer, or answered an error");
			return FAILED;
		}
		return OK;
	}

	@SuppressWarnings("unchecked")
	private static Map<String, Object> cast(Map<?, ?> m) {
		return (Map<String, Object>) m;
	}

	private static List<String> labels(Device d) {
		List<String> out = new ArrayList<>();
		if (d.status.get("labels") instanceof List<?> l) {
			l.forEach(x -> out.add(String.valueOf(x)));
		}
		return out;
	}

	/** The level {@code i} of {@code topic} after {@code base}. */
	private static String level(String topic, String base, int i) {
		String[] parts = topic.substring(base.length()).split("/");
		return i < parts.length ? parts[i] : "";
	}

	private static Object parse(byte[] payload) {
		if (payload.length == 0) {
			return null;
		}
		try {
			return Json.parse(payload);
		} catch (Json.SyntaxException e) {
			return null;
		}
	}
}
