package cc.container.logging.internal;

import cc.container.api.ContainerReport;
import cc.container.api.ContainerStatus;
import cc.container.api.Supervisor;
import cc.container.api.SupervisorException;
import cc.container.api.config.ContainerConfig;
import cc.container.api.config.ContainersConfiguration;
import cc.container.api.config.DaemonConfiguration;
import cc.container.api.config.LoggingSettings;
import cc.container.util.Threads;
import cc.container.util.net.UnixDatagram;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.log.Logger;
import org.osgi.service.log.LoggerFactory;

/**
 * Forwards each line of the output of the containers whose entry says {@code forward_logs} to the system log, tagged
 * with the container's id (facility user, severity info), rate-limited per container (logging.forward: a burst, then
 * lines a second) so that one chatty container cannot flood it; what a limit drops is said once a second. The lines
 * come from the runtime's own log file, followed by the driver without a thread or process per container; sending
 * never waits (a system logger that is behind drops them too). Containers are matched every
 * {@value #RECONCILE_SECONDS} s: forwarding starts when one runs and stops when its entry no longer asks.
 */
@Component(immediate = true)
public final class ContainerLogForwarder {
	static final long RECONCILE_SECONDS = 5;
	private static final int FACILITY_USER = 1;
	private static final int INFO = 6;
	private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("MMM ppd HH:mm:ss", Locale.ROOT).withZone(ZoneId.systemDefault());

	private final DaemonConfiguration daemon;
	private final Logger log;
	private final ScheduledExecutorService timer = Threads.scheduler("cc-log-forward");
	private final Map<String, Forwarded> forwarded = new ConcurrentHashMap<>();
	/** The once-a-second report of dropped lines, scheduled only while something is forwarded (the timer's thread). */
	private ScheduledFuture<?> dropReports;
	private volatile UnixDatagram socket;
	private volatile boolean warned;

	@Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
	private volatile Supervisor supervisor;
	@Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
	private volatile ContainersConfiguration containers;

	/** One container whose output goes to the system log. */
	private record Forwarded(AutoCloseable subscription, RateLimit limit) {
	}

	/** Starts matching containers every few seconds. */
	@Activate
	public ContainerLogForwarder(@Reference DaemonConfiguration daemon, @Reference(service = LoggerFactory.class) Logger log) {
		this.daemon = daemon;
		this.log = log;
		timer.scheduleWithFixedDelay(this::reconcile, 1, RECONCILE_SECONDS, TimeUnit.SECONDS);
	}

	/** Outside a framework (tests): the services given. */
	ContainerLogForwarder(DaemonConfiguration daemon, Logger log, Supervisor supervisor, ContainersConfiguration containers) {
		this(daemon, log);
		this.supervisor = supervisor;
		this.containers = containers;
	}

	@Deactivate
	void deactivate() {
		timer.shutdownNow();
		forwarded.keySet().forEach(this::stop);
		UnixDatagram s = socket;
		if (s != null) {
			s.close();
		}
	}

	/** Follows the running containers that ask for it, and stops following the others. */
	void reconcile() {
		Supervisor sup = supervisor;
		ContainersConfiguration conf = containers;
		Set<String> wanted = new HashSet<>();
		if (sup != null && conf != null) {
			for (ContainerConfig c : conf.containers()) {
				if (!c.forwardLogs()) {
					continue; // no report made for it: most containers do not forward
				}
				ContainerReport r = sup.container(c.id()).orElse(null);
				if (r != null && r.status() == ContainerStatus.RUNNING) {
					wanted.add(c.id());
				}
			}
		}
		for (String id : Set.copyOf(forwarded.keySet())) {
			if (!wanted.contains(id)) {
				stop(id);
			}
		}
		LoggingSettings.Forward limits = daemon.config().logging().forward();
		for (String id : wanted) {
			if (forwarded.containsKey(id)) {
				continue;
			}
			RateLimit limit = new RateLimit(limits.rate(), limits.burst(), System.nanoTime());
			try {
				AutoCloseable sub = sup.followLogs(id, 0, line -> forward(id, limit, line));
				forwarded.put(id, new Forwarded(sub, limit));
				log.info("The output of container {} goes to the system log ({} lines a second at most).", id, limits.rate());
			} catch (SupervisorException e) {
				log.debug("The output of container {} cannot be followed yet: {}", id, e.getMessage());
			}
		}
		// An idle daemon is not woken every second for nothing.
		if (!forwarded.isEmpty() && dropReports == null) {
			dropReports = timer.scheduleWithFixedDelay(this::reportDropped, 1, 1, TimeUnit.SECONDS);
		} else if (forwarded.isEmpty() && dropReports != null) {
			dropReports.cancel(false);
			dropReports = null;
		}
	}

	private void stop(String id) {
		Forwarded f = forwarded.remove(id);
		if (f != null) {
			try {
				f.subscription().close();
			} catch (Exception e) {
				// its driver went away
			}
		}
	}

	/** Called on the driver's thread: never waits. */
	private void forward(String id, RateLimit limit, String line) {
		if (limit.take(System.nanoTime())) {
			send(id, line);
		}
	}

	private void reportDropped() {
		forwarded.forEach((id, f) -> {
			long n = f.limit().drained();
			if (n > 0) {
				send(id, n + " lines of " + id + " were not forwarded (logging.forward allows " + daemon.config().logging().forward().rate()
					+ " a second)");
			}
		});
	}

	private void send(String id, String line) {
		Path path = daemon.config().logging().syslog().socket();
		String frame = "<" + (FACILITY_USER * 8 + INFO) + ">" + STAMP.format(Instant.now()) + " " + id + ": " + line;
		try {
			UnixDatagram s = socket;
			if (s == null) {
				s = UnixDatagram.open();
				socket = s;
			}
			s.offer(path, frame.getBytes(StandardCharsets.UTF_8));
			warned = false;
		} catch (IOException | LinkageError e) {
			if (!warned) {
				warned = true;
				log.warn("Containers' output cannot be forwarded to the system log at {}: {}", path, e.getMessage());
			}
		}
	}
}
