package cc.container.supervisor.internal;

import cc.container.api.ContainerReport;
import cc.container.api.ContainerStatus;
import cc.container.api.config.ContainerConfig;
import cc.container.api.config.HealthCheck;
import cc.container.api.runtime.DriverException;
import cc.container.api.runtime.RuntimeDriver;
import cc.container.api.runtime.RuntimeDrivers;
import cc.container.util.Threads;
import cc.container.util.net.NetNamespace;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.osgi.service.log.Logger;

/**
 * The containers' health checks (docs/configuration.md, "Health checks"). On the supervisor's timer, each running,
 * monitored container whose check is due gets it. The timer wakes when the next check is due, and otherwise only a
 * second after a machine changed (a poll's statistics change them all) or a check ended ({@link #wake()}), not on a
 * fixed tick. Checks run on at most
 * {@value #PARALLEL} threads at once, made when needed and gone after {@value #IDLE_SECONDS} s idle (no thread per
 * container, and at most {@value #PARALLEL} check processes at once). A command runs inside the container (Podman {@code exec}, LXC {@code lxc-attach}); TCP and HTTP
 * connect to the container's own loopback from a socket made in its network namespace, without a process; a Podman
 * container without a check of its own runs its image's {@code HEALTHCHECK} ({@code podman healthcheck run}) on the
 * image's schedule. Each result goes to the container's machine ({@link Event.Probed}), which decides.
 */
final class Prober {
	static final int PARALLEL = 2;
	static final int IDLE_SECONDS = 30;
	/** How long after a wake-up the machines are looked at: the changes of that second are one look. */
	static final long TICK_MS = 1000;

	private final RuntimeDrivers drivers;
	private final Supplier<Collection<ContainerMachine>> machines;
	private final Logger log;
	private final ThreadPoolExecutor pool = new ThreadPoolExecutor(PARALLEL, PARALLEL, IDLE_SECONDS, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
		Threads.named("cc-probe"));
	/** When each container's next check is due (the boot clock's milliseconds). */
	private final Map<String, Long> due = new ConcurrentHashMap<>();
	private final Set<String> inFlight = ConcurrentHashMap.newKeySet();
	/** The image checks found, by container id and version (an update makes a new container). */
	private final Map<String, Optional<HealthCheck>> imageChecks = new ConcurrentHashMap<>();
	private final Timing clock;
	/** The next look, and when it is due (the boot clock's milliseconds); null: none is planned. */
	private ScheduledFuture<?> next;
	private long nextAt;
	private boolean closed;

	Prober(RuntimeDrivers drivers, Supplier<Collection<ContainerMachine>> machines, Timing clock, Logger log) {
		this.drivers = drivers;
		this.machines = machines;
		this.log = log;
		this.clock = clock;
		pool.allowCoreThreadTimeOut(true);
		wake();
	}

	synchronized void close() {
		closed = true;
		if (next != null) {
			next.cancel(false);
		}
		pool.shutdownNow();
	}

	/** Something changed that may make a check due: the machines are looked at within {@value #TICK_MS} ms. */
	void wake() {
		plan(clock.nowMs() + TICK_MS);
	}

	/** Plans a look at {@code at} unless one is planned before it. */
	private synchronized void plan(long at) {
		if (closed || next != null && !next.isDone() && nextAt - at <= 0) {
			return;
		}
		if (next != null) {
			next.cancel(false);
		}
		nextAt = at;
		try {
			next = clock.schedule(this::tick, Math.max(0, at - clock.nowMs()));
		} catch (RejectedExecutionException e) {
			next = null; // the supervisor stops
		}
	}

	private void tick() {
		synchronized (this) {
			next = null;
		}
		long now = clock.nowMs();
		long soonest = Long.MAX_VALUE;
		Set<String> ids = new java.util.HashSet<>();
		for (ContainerMachine m : machines.get()) {
			ids.add(m.id());
			ContainerReport r = m.report();
			ContainerConfig c = m.config();
			if (m.released() || r.status() != ContainerStatus.RUNNING || !c.monitor() || inFlight.contains(m.id())) {
				continue;
			}
			HealthCheck check = c.health();
			if (check == null) {
				if (!c.runtime().equals(ContainerConfig.PODMAN)) {
					continue;
				}
				Optional<HealthCheck> image = imageChecks.get(m.id() + "@" + c.version());
				if (image == null) {
					submit(m, () -> lookUpImageCheck(m));
					continue;
				}
				if (image.isEmpty()) {
					continue;
				}
				check = image.get();
			}
			Long at = due.get(m.id());
			if (at != null && now - at < 0) {
				soonest = Math.min(soonest, at - now);
				continue;
			}
			due.put(m.id(), now + check.interval().toMillis());
			HealthCheck ch = check;
			submit(m, () -> probe(m, ch, r.pid()));
		}
		due.keySet().retainAll(ids);
		if (soonest != Long.MAX_VALUE) {
			plan(now + soonest); // when it is due (at least 1 ms away): a look a second after a wake-up must not put it off
		}
	}

	private void submit(ContainerMachine m, Runnable work) {
		if (!inFlight.add(m.id())) {
			return;
		}
		pool.execute(() -> {
			try {
				work.run();
			} finally {
				inFlight.remove(m.id());
				wake(); // its next check is due an interval from now (an image's check just found starts now)
			}
		});
	}

	private void lookUpImageCheck(ContainerMachine m) {
		RuntimeDriver d = drivers.driver(m.config().runtime()).orElse(null);
		if (d == null) {
			return;
		}
		try {
			RuntimeDriver.ImageHealthCheck h = d.imageHealthCheck(m.id());
			Optional<HealthCheck> check = h == null ? Optional.empty()
				: Optional.of(new HealthCheck(HealthCheck.Type.IMAGE, null, 0, null, h.interval(), h.timeout(), h.retries(), h.startPeriod()));
			imageChecks.put(m.id() + "@" + m.config().version(), check);
			check.ifPresent(x -> log.info("Container {} is checked by its image's health check, every {} s.", m.id(), x.interval().toSeconds()));
		} catch (DriverException e) {
			log.debug("The image health check of {} cannot be read: {}", m.id(), e.getMessage());
		}
	}

	/** Runs one check and hands its result to the container's machine. */
	private void probe(ContainerMachine m, HealthCheck check, long pid) {
		boolean ok;
		String output;
		try {
			switch (check.type()) {
				case TCP -> {
					try (SocketChannel ch = connect(pid, check)) {
						ok = true;
						output = "port " + check.port() + " accepts connections";
					}
				}
				case HTTP -> {
					output = http(pid, check);
					ok = output.matches("HTTP/\\S+ [23]\\d\\d.*");
				}
				default -> {
					RuntimeDriver d = drivers.driver(m.config().runtime()).orElse(null);
					if (d == null) {
						return; // its driver is away: nothing is decided
					}
					RuntimeDriver.ExecResult r = check.type() == HealthCheck.Type.IMAGE ? d.runImageHealthCheck(m.id(), check.timeout())
						: d.exec(m.id(), List.of("sh", "-c", check.command()), check.timeout());
					ok = r.exitCode() == 0;
					output = (r.output().isEmpty() ? "" : r.output() + " ") + "(exit " + r.exitCode() + ")";
				}
			}
		} catch (DriverException e) {
			ok = false;
			output = e.getMessage();
		} catch (IOException e) {
			ok = false;
			output = e.getMessage() == null ? e.toString() : e.getMessage();
		}
		m.post(new Event.Probed(ok, output, Instant.now(), check));
	}

	/** A connection to the check's port on the container's loopback, within the check's timeout. */
	private static SocketChannel connect(long pid, HealthCheck check) throws IOException {
		SocketChannel ch = NetNamespace.socketIn(pid);
		try {
			ch.configureBlocking(false);
			ch.connect(new InetSocketAddress("127.0.0.1", check.port()));
			try (Selector s = Selector.open()) {
				ch.register(s, SelectionKey.OP_CONNECT);
				if (s.select(check.timeout().toMillis()) == 0 || !ch.finishConnect()) {
					throw new IOException("port " + check.port() + " did not accept a connection within " + check.timeout().toSeconds() + " s");
				}
			}
			return ch;
		} catch (IOException e) {
			ch.close();
			throw e.getMessage() != null && e.getMessage().startsWith("port ") ? e
				: new IOException("port " + check.port() + " refuses connections (" + e.getMessage() + ")", e);
		}
	}

	/** The status line of an HTTP GET of the check's path, within its timeout. */
	private static String http(long pid, HealthCheck check) throws IOException {
		long deadline = System.nanoTime() + check.timeout().toNanos();
		try (SocketChannel ch = connect(pid, check); Selector s = Selector.open()) {
			ByteBuffer request = ByteBuffer.wrap(("GET " + check.path() + " HTTP/1.0\r\nHost: 127.0.0.1:" + check.port()
				+ "\r\nUser-Agent: cc-containerd\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
			ch.register(s, SelectionKey.OP_WRITE);
			ByteBuffer in = ByteBuffer.allocate(512);
			while (true) {
				long left = Duration.ofNanos(deadline - System.nanoTime()).toMillis();
				if (left <= 0 || s.select(left) == 0 && System.nanoTime() - deadline >= 0) {
					throw new IOException("no HTTP answer within " + check.timeout().toSeconds() + " s");
				}
				s.selectedKeys().clear();
				if (request.hasRemaining()) {
					ch.write(request);
					if (!request.hasRemaining()) {
						ch.keyFor(s).interestOps(SelectionKey.OP_READ);
					}
					continue;
				}
				int n = ch.read(in);
				String got = new String(in.array(), 0, in.position(), StandardCharsets.ISO_8859_1);
				int eol = got.indexOf('\n');
				if (eol >= 0 || n < 0 || !in.hasRemaining()) {
					String line = (eol >= 0 ? got.substring(0, eol) : got).strip();
					if (line.isEmpty()) {
						throw new IOException("the connection ended without an HTTP answer");
					}
					return line;
				}
			}
		}
	}
}
