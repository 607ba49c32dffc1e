package cc.container.supervisor.internal;

import cc.container.api.config.ServiceSettings;
import cc.container.api.runtime.ContainerState;
import cc.container.api.runtime.ContainerStats;
import cc.container.api.runtime.DriverException;
import cc.container.api.runtime.RuntimeDriver;
import cc.container.api.runtime.RuntimeDrivers;
import cc.container.util.Threads;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.osgi.service.log.Logger;

/**
 * The safety net behind the drivers' events: every {@code monitor_interval}, one status query per runtime (and one
 * statistics query when something monitored runs), each container's machine told what its runtime shows. The poll runs
 * on its own thread, so a runtime slow to answer delays the poll and nothing else; and it must not end or hang
 * silently: a poll that has not completed for longer than it can take is reported with where it hangs, and a loop that
 * lost its next poll is started again ({@link #supervising()} is what the service manager's watchdog is told).
 */
final class Poll {
	/** How often the loop's liveness is checked. */
	static final Duration LIVENESS_CHECK = Duration.ofSeconds(5);

	/** What a poll works on. */
	interface Round {
		/** Before each poll (the configuration in force applied to the machines). */
		void before();

		/** The machines to tell. */
		Collection<ContainerMachine> machines();

		/** After each poll (state.json written if it changed). */
		void after();
	}

	private final RuntimeDrivers drivers;
	private final Supplier<ServiceSettings> settings;
	private final Round round;
	private final Workers pool;
	private final Logger log;
	private final ScheduledExecutorService thread = Threads.scheduler("cc-supervisor-poll");
	private final ScheduledExecutorService checker;
	private final Set<String> warnedRuntimes = ConcurrentHashMap.newKeySet();
	private final AtomicLong completed = new AtomicLong();
	private volatile boolean active = true;
	private volatile ScheduledFuture<?> next;
	/** When the last poll ended ({@link System#nanoTime()}), and when the running one started (0: none runs). */
	private volatile long lastEnd = System.nanoTime();
	private volatile long started;
	private volatile Thread runner;
	private volatile boolean stalled;

	/** @param checker the timer the liveness check runs on */
	Poll(RuntimeDrivers drivers, Supplier<ServiceSettings> settings, Round round, Workers pool, ScheduledExecutorService checker, Logger log) {
		this.drivers = drivers;
		this.settings = settings;
		this.round = round;
		this.pool = pool;
		this.checker = checker;
		this.log = log;
	}

	/** Starts the loop with a poll now. */
	void start() {
		schedule(Duration.ZERO);
		long check = Math.min(LIVENESS_CHECK.toMillis(), settings.get().monitorInterval().toMillis());
		checker.scheduleWithFixedDelay(this::checkLiveness, check, check, TimeUnit.MILLISECONDS);
	}

	/** A poll now (after a reload), then on the usual interval. */
	void now() {
		schedule(Duration.ZERO);
	}

	void close() {
		active = false;
		ScheduledFuture<?> p = next;
		if (p != null) {
			p.cancel(false);
		}
		thread.shutdownNow();
	}

	/** The polls completed so far. */
	long completed() {
		return completed.get();
	}

	private void schedule(Duration delay) {
		if (!active) {
			return;
		}
		try {
			next = thread.schedule(this::pollAll, delay.toMillis(), TimeUnit.MILLISECONDS);
		} catch (RejectedExecutionException e) {
			// stopping
		}
	}

	private void pollAll() {
		started = System.nanoTime();
		runner = Thread.currentThread();
		try {
			round.before();
			for (String runtime : drivers.runtimes()) {
				runtime(runtime);
			}
			round.after();
		} catch (RuntimeException | Error e) {
			log.error("The status poll failed: {}", e.toString());
		} finally {
			started = 0;
			lastEnd = System.nanoTime();
			completed.incrementAndGet();
			if (stalled) {
				stalled = false;
				log.info("The supervision loop completes its polls again.");
			}
			schedule(settings.get().monitorInterval());
		}
	}

	/** Asks one runtime about its containers and tells their machines (also when its driver just came). */
	void runtime(String runtime) {
		RuntimeDriver d = drivers.driver(runtime).orElse(null);
		if (d == null) {
			return;
		}
		List<ContainerMachine> ours = new ArrayList<>();
		boolean anyMonitored = false;
		boolean anyToLook = false;
		for (ContainerMachine m : round.machines()) {
			if (m.config().runtime().equals(runtime) && !m.released()) {
				ours.add(m);
				anyMonitored |= m.config().monitor();
				anyToLook |= m.needsLook();
			}
		}
		if (ours.isEmpty() || (!anyToLook && !anyMonitored)) {
			return;
		}
		Map<String, ContainerState> states;
		Map<String, ContainerStats> stats = Map.of();
		long askedAt = System.nanoTime();
		try {
			states = d.states();
			if (anyMonitored && states.values().stream().anyMatch(ContainerState::running)) {
				stats = d.stats();
			}
			if (warnedRuntimes.remove(runtime)) {
				log.info("The {} runtime answers again.", runtime);
			}
		} catch (DriverException e) {
			if (warnedRuntimes.add(runtime)) {
				log.warn("The {} runtime cannot be asked for its containers' status: {}. The manager tries again every {} s.", runtime,
					e.getMessage(), settings.get().monitorInterval().toSeconds());
			}
			return;
		}
		for (ContainerMachine m : ours) {
			m.post(new Event.Observed(states.get(m.id()), stats.get(m.id()), askedAt));
		}
	}

	/** A runtime's driver came or went: its next failure to answer is warned about again. */
	void forget(String runtime) {
		warnedRuntimes.remove(runtime);
	}

	/** How long the poll may go without completing before the supervision loop counts as stalled. */
	private Duration stallLimit() {
		ServiceSettings s = settings.get();
		// A poll asks each runtime twice, each bounded by the command timeout.
		return s.monitorInterval().multipliedBy(3).plus(s.commandTimeout().multipliedBy(2L * Math.max(1, drivers.runtimes().size())));
	}

	/** Whether the supervision loop is alive: its last poll ended within the longest a poll can take. */
	boolean supervising() {
		return active && System.nanoTime() - lastEnd <= stallLimit().toNanos();
	}

	private void checkLiveness() {
		pool.tick();
		if (!active || supervising()) {
			return;
		}
		long since = Duration.ofNanos(System.nanoTime() - lastEnd).toSeconds();
		boolean running = started != 0;
		if (!stalled) {
			stalled = true;
			String where = "";
			Thread t = runner;
			if (running && t != null) {
				StackTraceElement[] stack = t.getStackTrace();
				where = stack.length == 0 ? "" : " in " + stack[0];
			}
			log.error("The supervision loop has completed no poll for {} s ({}); {}.", since,
				running ? "a poll is running" + where : "no poll was scheduled", running ? "the manager waits for it" : "the manager starts the loop again");
		}
		ScheduledFuture<?> p = next;
		if (!running && (p == null || p.isDone())) {
			schedule(Duration.ZERO);
		}
	}
}
