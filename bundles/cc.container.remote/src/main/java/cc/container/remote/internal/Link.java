package cc.container.remote.internal;

import cc.container.api.ContainerReport;
import cc.container.api.HistoryEntry;
import cc.container.api.Supervisor;
import cc.container.api.config.RemoteSettings;
import cc.container.remote.internal.Outbox.Message;
import cc.container.util.Threads;
import cc.container.util.json.Json;
import cc.container.util.json.ReportJson;
import cc.container.util.net.Tls;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.eclipse.paho.client.mqttv3.IMqttActionListener;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.IMqttToken;
import org.eclipse.paho.client.mqttv3.MqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttCallback;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.osgi.service.log.Logger;

/**
 * A device's link to its broker (docs/remote.md): one thread ({@code cc-remote}) that once a second publishes what
 * changed (each container's state, retained; its restart history as events), the telemetry that is due, and drains
 * the {@link Outbox} while the broker is there; connects and reconnects with a jittered back-off up to
 * {@code reconnect_max_delay}; hands commands
 * to a thread made while one runs. Nothing here waits on supervision, and supervision never waits on it.
 */
final class Link implements AutoCloseable {
	static final int QOS = 1;
	/** Messages drained per tick at most, so that a long backlog does not hold back the next samples for long. */
	static final int DRAIN_PER_TICK = 5000;
	static final int CONNECT_TIMEOUT_S = 10;
	/** The largest command a device takes: anything larger is refused unread. */
	static final int MAX_COMMAND = 64 << 10;

	private final RemoteSettings settings;
	private final String device;
	private final Topics topics;
	private final Supervisor supervisor;
	private final CommandDesk desk;
	private final Supplier<Map<String, Object>> birth;
	private final Logger log;
	private final Outbox outbox;
	private final Telemetry telemetry = new Telemetry();
	private final ScheduledExecutorService thread = Threads.scheduler("cc-remote");
	private final ThreadPoolExecutor commandThread = new ThreadPoolExecutor(0, 1, 10, TimeUnit.SECONDS, new LinkedBlockingQueue<>(16),
		Threads.named("cc-remote-command"));
	/**
	 * The report last published of each container, without statistics: compared as a record each second, so that the
	 * JSON is made only when something changed.
	 */
	private final Map<String, ContainerReport> published = new HashMap<>();
	/** The time of the newest history entry published as an event, per container. */
	private final Map<String, Instant> eventsUpTo = new HashMap<>();
	private MqttAsyncClient client;
	private volatile boolean connected;
	private boolean connecting;
	private long backoffMs = 1000;
	private String lastProblem;
	private volatile boolean closed;
	/** Messages the bound dropped since the broker was last there: told in one event once it is back. */
	private long droppedSinceConnected;
	/** Containers removed while the daemon runs, whose retained state is cleared again at each connection. */
	private final Set<String> removed = new HashSet<>();
	/** Connection attempts, so that a watchdog knows whether the attempt it watches is still the current one. */
	private long attempts;

	Link(RemoteSettings settings, String device, Path dir, Supervisor supervisor, CommandDesk desk, Supplier<Map<String, Object>> birth, Logger log)
		throws IOException {
		this.settings = settings;
		this.device = device;
		this.topics = new Topics(settings.topicPrefix(), device);
		this.supervisor = supervisor;
		this.desk = desk;
		this.birth = birth;
		this.log = log;
		this.outbox = new Outbox(dir, settings.bufferBytes());
	}

	void start() {
		thread.scheduleWithFixedDelay(this::tick, 0, 1, TimeUnit.SECONDS);
		thread.execute(this::connect);
	}

	/** Whether the broker is connected (for tests and {@code daemon status}). */
	boolean connected() {
		return connected;
	}

	// ---------------------------------------------------------------- what a device publishes

	private void tick() {
		try {
			List<ContainerReport> reports = supervisor.containers();
			publishStates(reports);
			for (Telemetry.Sample s : telemetry.due(reports, System.currentTimeMillis())) {
				outbox.add(new Message(topics.telemetry(s.id()), false, Json.writeCompact(s.payload()), true));
			}
			long dropped = outbox.takeDropped();
			if (dropped > 0) {
				if (droppedSinceConnected == 0) {
					log.warn("The remote buffer reached its bound of {} bytes while the broker is away: the oldest telemetry goes first.",
						settings.bufferBytes());
				}
				droppedSinceConnected += dropped;
			}
			drain();
		} catch (RuntimeException | IOException e) {
			log.warn("Remote management: {}", e.toString());
		}
	}

	/** Each container's state when it changed (retained), its new history entries as events, and a cleared state for one gone. */
	private void publishStates(List<ContainerReport> reports) throws IOException {
		Set<String> ids = new HashSet<>();
		for (ContainerReport r : reports) {
			ids.add(r.id());
			removed.remove(r.id());
			// Without statistics: telemetry carries them, as the drm block asks.
			ContainerReport bare = new ContainerReport(r.id(), r.friendlyName(), r.runtime(), r.version(), r.desired(), r.status(), r.pid(),
				r.startedAt(), r.exitedAt(), r.exitCode(), r.restarts(), null, r.history(), r.drm(), r.health());
			if (!bare.equals(published.get(r.id()))) {
				Map<String, Object> state = ReportJson.container(bare);
				state.remove("stats");
				enqueue(topics.state(r.id()), true, Json.writeCompact(state));
				published.put(r.id(), bare);
			}
			Instant upTo = eventsUpTo.get(r.id());
			Instant newest = upTo;
			for (HistoryEntry h : r.history()) {
				if (upTo != null && h.at().isAfter(upTo)) {
					Map<String, Object> e = new LinkedHashMap<>();
					e.put("type", "history");
					e.put("container", r.id());
					e.putAll(ReportJson.history(h));
					enqueue(topics.events(), false, Json.writeCompact(e));
				}
				if (newest == null || h.at().isAfter(newest)) {
					newest = h.at();
				}
			}
			// A container seen for the first time: its past is in its state, only what follows is an event.
			eventsUpTo.put(r.id(), newest == null ? Instant.EPOCH : newest);
		}
		for (String gone : new ArrayList<>(published.keySet())) {
			if (!ids.contains(gone)) {
				enqueue(topics.state(gone), true, ""); // an empty retained message clears the retained state
				published.remove(gone);
				eventsUpTo.remove(gone);
				if (removed.size() < 1000) {
					removed.add(gone);
				}
			}
		}
	}

	private void enqueue(String topic, boolean retained, String payload) throws IOException {
		outbox.add(new Message(topic, retained, payload));
	}

	/** Sends what waits, in order, while the broker is there; each batch is acknowledged once the broker has it. */
	private void drain() throws IOException {
		int sent = 0;
		while (connected && outbox.pending() > 0 && sent < DRAIN_PER_TICK) {
			Outbox.Batch b = outbox.next(outbox.position(), 200);
			if (b.end() <= outbox.position()) {
				return; // nothing whole to send
			}
			if (b.messages().isEmpty()) {
				outbox.acknowledge(b.end()); // only torn lines
				continue;
			}
			List<IMqttDeliveryToken> tokens = new ArrayList<>();
			try {
				for (Message m : b.messages()) {
					tokens.add(client.publish(m.topic(), m.payload().getBytes(StandardCharsets.UTF_8), QOS, m.retained()));
				}
				for (IMqttDeliveryToken t : tokens) {
					t.waitForCompletion(10_000);
				}
			} catch (MqttException e) {
				log.debug("Remote management: a publish failed ({}); what was not acknowledged is sent again.", e.getMessage());
				return;
			}
			outbox.acknowledge(b.end());
			sent += b.messages().size();
		}
	}

	// ---------------------------------------------------------------- the connection

	private void connect() {
		if (closed || connected || connecting) {
			return;
		}
		try {
			if (client == null) {
				client = new MqttAsyncClient(settings.broker().toString(), device, new MemoryPersistence());
				client.setCallback(callback());
			}
			MqttConnectOptions o = new MqttConnectOptions();
			o.setCleanSession(true);
			o.setAutomaticReconnect(false); // this link reconnects, with its own back-off and its own first attempt
			o.setKeepAliveInterval(settings.keepAliveSeconds());
			o.setConnectionTimeout(CONNECT_TIMEOUT_S);
			o.setMaxInflight(250);
			o.setWill(topics.status(), Json.writeCompact(offline("connection lost")).getBytes(StandardCharsets.UTF_8), QOS, true);
			if (settings.username() != null) {
				o.setUserName(settings.username());
			}
			if (settings.passwordFile() != null) {
				o.setPassword(password(settings.passwordFile()));
			}
			if (settings.tls()) {
				o.setSocketFactory(Tls.socketFactory(settings.caFile(), settings.certFile(), settings.keyFile()));
				o.setHttpsHostnameVerificationEnabled(true);
			}
			connecting = true;
			long attempt = ++attempts;
			// Paho may never end a connection the broker accepted but never answered: this attempt gets its time.
			thread.schedule(() -> {
				if (connecting && attempts == attempt) {
					attempts++; // a late answer to this attempt is ignored
					abandonClient();
					failed(new IOException("the broker did not answer within " + (CONNECT_TIMEOUT_S + 5) + " s"));
				}
			}, CONNECT_TIMEOUT_S + 5, TimeUnit.SECONDS);
			client.connect(o, null, new IMqttActionListener() {
				@Override
				public void onSuccess(IMqttToken token) {
					execute(() -> {
						if (attempts == attempt) {
							onConnected();
						}
					});
				}

				@Override
				public void onFailure(IMqttToken token, Throwable e) {
					execute(() -> {
						if (attempts == attempt) {
							failed(e);
						}
					});
				}
			});
		} catch (MqttException | IOException | java.security.GeneralSecurityException | RuntimeException e) {
			failed(e);
		}
	}

	private void onConnected() {
		connecting = false;
		if (closed) {
			return;
		}
		try {
			IMqttToken sub = client.subscribe(topics.commands(), QOS);
			sub.waitForCompletion(10_000);
			int[] granted = sub.getGrantedQos();
			if (granted != null && granted.length > 0 && granted[0] == 0x80) {
				throw new IOException("the broker refused the subscription to " + topics.commands() + " (its access control list?)");
			}
			client.publish(topics.status(), Json.writeCompact(birth.get()).getBytes(StandardCharsets.UTF_8), QOS, true).waitForCompletion(10_000);
		} catch (MqttException | IOException e) {
			abandonClient();
			failed(e);
			return;
		}
		connected = true;
		backoffMs = 1000;
		lastProblem = null;
		log.info("Remote management: connected to {} as {}.", settings.broker(), device);
		// Everything is told again, after what was buffered: a broker that lost its retained messages has them back.
		published.clear();
		try {
			for (String id : removed) {
				enqueue(topics.state(id), true, "");
			}
			if (droppedSinceConnected > 0) {
				Map<String, Object> e = new LinkedHashMap<>();
				e.put("type", "buffer-dropped");
				e.put("at", ReportJson.time(Instant.now()));
				e.put("count", droppedSinceConnected);
				enqueue(topics.events(), false, Json.writeCompact(e));
				log.warn("Remote management: the broker is back; {} messages were dropped at the buffer's bound while it was away.",
					droppedSinceConnected);
				droppedSinceConnected = 0;
			}
		} catch (IOException e) {
			log.warn("Remote management: {}", e.toString());
		}
		tick();
	}

	/** Drops the client (forcibly disconnected): the next attempt makes a new one. */
	private void abandonClient() {
		if (client != null) {
			try {
				client.disconnectForcibly(0, 1000);
			} catch (MqttException e) {
				// not connected
			}
			try {
				client.close();
			} catch (MqttException e) {
				// closing anyway
			}
			client = null;
		}
	}

	private void failed(Throwable e) {
		connecting = false;
		connected = false;
		if (closed) {
			return;
		}
		// Each attempt with a new client: one that failed may be left mid-connect or mid-disconnect, refusing the next.
		abandonClient();
		String problem = describe(e);
		if (!problem.equals(lastProblem)) {
			log.warn("Remote management: cannot connect to {} ({}); the device tries again, up to every {} s, and keeps what it would send.",
				settings.broker(), problem, settings.reconnectMaxSeconds());
			lastProblem = problem;
		}
		// Half the back-off, then a random part of the other half: a fleet that lost its broker does not come back all in
		// the same second.
		long delay = backoffMs / 2 + ThreadLocalRandom.current().nextLong(backoffMs / 2 + 1);
		backoffMs = Math.min(backoffMs * 2, settings.reconnectMaxSeconds() * 1000L);
		thread.schedule(this::connect, delay, TimeUnit.MILLISECONDS);
	}

	private MqttCallback callback() {
		return new MqttCallback() {
			@Override
			public void connectionLost(Throwable cause) {
				execute(() -> {
					if (connected) {
						log.warn("Remote management: the connection to {} was lost ({}); the device reconnects.", settings.broker(), describe(cause));
						lastProblem = describe(cause);
					}
					connected = false;
					failed(cause);
				});
			}

			@Override
			public void messageArrived(String topic, MqttMessage message) {
				if (message.isRetained()) {
					// A command kept by the broker would run again at every connection: commands are never retained.
					log.warn("Remote management: a retained message on {} is ignored (commands must not be retained).", topic);
					return;
				}
				byte[] payload = message.getPayload();
				if (payload.length > MAX_COMMAND) {
					Map<String, Object> a = new LinkedHashMap<>();
					a.put("id", null);
					a.put("device", device);
					a.put("status", 2);
					a.put("output", "");
					a.put("error", "the request is larger than " + MAX_COMMAND + " bytes; it was not read");
					respond(a);
					return;
				}
				try {
					commandThread.execute(() -> answer(payload));
				} catch (RejectedExecutionException e) {
					Map<String, Object> a = new LinkedHashMap<>();
					a.put("id", CommandDesk.correlationId(parseQuietly(payload)));
					a.put("device", device);
					a.put("status", 1);
					a.put("output", "");
					a.put("error", "the device is busy with 16 commands; send this one again later");
					respond(a);
				}
			}

			@Override
			public void deliveryComplete(IMqttDeliveryToken token) {
				// each batch waits for its own tokens
			}
		};
	}

	private void answer(byte[] payload) {
		respond(desk.handle(payload));
	}

	private void respond(Map<String, Object> answer) {
		Object id = answer.get("id");
		String topic = topics.response(id == null ? "unknown" : id.toString());
		execute(() -> {
			try {
				enqueue(topic, false, Json.writeCompact(answer));
				drain();
			} catch (IOException e) {
				log.warn("Remote management: an answer could not be kept: {}", e.getMessage());
			}
		});
	}

	private void execute(Runnable r) {
		try {
			thread.execute(r);
		} catch (RejectedExecutionException e) {
			// closed
		}
	}

	private Map<String, Object> offline(String reason) {
		Map<String, Object> m = new LinkedHashMap<>();
		m.put("online", false);
		m.put("device", device);
		m.put("reason", reason);
		return m;
	}

	private static Object parseQuietly(byte[] payload) {
		try {
			return Json.parse(payload);
		} catch (Json.SyntaxException e) {
			return null;
		}
	}

	static char[] password(Path file) throws IOException {
		String s = Files.readString(file, StandardCharsets.UTF_8);
		int nl = s.indexOf('\n');
		return (nl >= 0 ? s.substring(0, nl) : s).strip().toCharArray();
	}

	private static String describe(Throwable e) {
		if (e == null) {
			return "no reason given";
		}
		if (e instanceof MqttException m && m.getReasonCode() == MqttException.REASON_CODE_FAILED_AUTHENTICATION) {
			return "the broker refused the user name or password";
		}
		if (e instanceof MqttException m && m.getReasonCode() == MqttException.REASON_CODE_NOT_AUTHORIZED) {
			return "the broker refused this device (not authorised: a wrong user name, password or certificate)";
		}
		Throwable root = e;
		while (root.getCause() != null && root.getCause() != root) {
			root = root.getCause();
		}
		String why = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
		return e == root ? why : e.getMessage() + ": " + why;
	}

	/** Says goodbye (the retained status offline), then disconnects. */
	@Override
	public void close() {
		closed = true;
		commandThread.shutdownNow();
		thread.shutdownNow();
		try {
			thread.awaitTermination(5, TimeUnit.SECONDS);
		} catch (InterruptedException e) {
			Thread.currentThread().interrupt();
		}
		if (client != null) {
			try {
				if (client.isConnected()) {
					client.publish(topics.status(), Json.writeCompact(offline("stopped")).getBytes(StandardCharsets.UTF_8), QOS, true)
						.waitForCompletion(2000);
					client.disconnect(1000).waitForCompletion(2000);
				}
			} catch (MqttException e) {
				// the will says it
			}
			try {
				client.close();
			} catch (MqttException e) {
				// nothing more to do
			}
		}
	}
}
