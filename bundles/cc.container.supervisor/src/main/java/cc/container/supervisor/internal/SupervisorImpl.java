package cc.container.supervisor.internal;

import cc.container.api.ContainerReport;
import cc.container.api.DaemonReport;
import cc.container.api.DesiredState;
import cc.container.api.Supervisor;
import cc.container.api.SupervisorException;
import cc.container.api.config.ConfigException;
import cc.container.api.config.ContainerConfig;
import cc.container.api.config.ContainersConfiguration;
import cc.container.api.config.DaemonConfig;
import cc.container.api.config.DaemonConfiguration;
import cc.container.api.runtime.ContainerEvent;
import cc.container.api.runtime.ContainerState;
import cc.container.api.runtime.ContainerStats;
import cc.container.api.runtime.DriverException;
import cc.container.api.runtime.RuntimeDriver;
import cc.container.util.AtomicFiles;
import cc.container.util.DaemonExit;
import cc.container.util.Threads;
import cc.container.util.json.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.log.Logger;
import org.osgi.service.log.LoggerFactory;

/**
 * The supervisor: one {@link ContainerMachine} per managed container, the runtime drivers as a dynamic whiteboard,
 * a poll every {@code monitor_interval} (one status and one statistics query per runtime) as the safety net behind the
 * drivers' events, and state.json.
 *
 * <p>At start it reads state.json and the kernel's boot id: after a reboot it starts the {@code autostart}
 * containers; after a restart of the daemon alone it adopts what runs and treats a container that should run but does
 * not as an unexpected stop. With the framework property {@code cc.containerd.mode=stop-managed}
 * ({@code cc-containerd --stop-managed-containers}) it only stops every managed container and exits.
 */
@Component(immediate = true, service = Supervisor.class)
public final class SupervisorImpl implements Supervisor, ContainerMachine.Context {
	static final String MODE_PROPERTY = "cc.containerd.mode";
	static final String STOP_MANAGED = "stop-managed";
	static final Path BOOT_ID = Path.of("/proc/sys/kernel/random/boot_id");
	/** How often the supervision loop's liveness is checked. */
	static final Duration LIVENESS_CHECK = Duration.ofSeconds(5);

	private final DaemonConfiguration daemon;
	private final ContainersConfiguration containers;
	private final Logger log;
	private final Host host;
	private final BootClock clock = new BootClock();
	private final Workers pool;
	/** Timers: delayed restarts, state.json writes, the liveness check. Never blocked by a runtime. */
	private final ScheduledExecutorService scheduler;
	/** The poll's own thread: a runtime that is slow to answer delays the poll, nothing else. */
	private final ScheduledExecutorService pollThread;
	private final Map<String, ContainerMachine> machines = new ConcurrentHashMap<>();
	private final Map<String, RuntimeDriver> drivers = new ConcurrentHashMap<>();
	private final Map<String, AutoCloseable> subscriptions = new ConcurrentHashMap<>();
	private final AtomicBoolean writeScheduled = new AtomicBoolean();
	private final DaemonReport report;
	private final boolean newBoot;
	private final boolean stopMode;
	private final Object stateLock = new Object();
	private volatile boolean active = true;
	private volatile ScheduledFuture<?> poll;
	/** When the last poll ended ({@link System#nanoTime()}), and when the running one started (0: none runs). */
	private volatile long lastPollEnd = System.nanoTime();
	private volatile long pollStarted;
	private volatile Thread pollRunner;
	private volatile boolean stalled;
	/** Set by the shutdown stop: nothing is started or restarted automatically any more. */
	private volatile boolean holding;
	/** The configuration problems last warned about. */
	private volatile List<String> lastProblems = List.of();
	/** The reload service run on SIGHUP (the launcher looks it up), or null outside a framework. */
	private org.osgi.framework.ServiceRegistration<Runnable> hangup;
	private final Set<String> warnedRuntimes = ConcurrentHashMap.newKeySet();

	/** What the supervisor needs of the framework it runs in. */
	interface Host {
		/** A framework property, or {@code null}. */
		String property(String name);

		/** The daemon's version. */
		String version();

		/** Asks the launcher to exit with {@code status}, printing {@code message} when not null. */
		void exit(String message, int status);

		/** The file holding the kernel's boot id. */
		default Path bootIdFile() {
			return BOOT_ID;
		}
	}

	/** Reads state.json, sets every container's desired state and starts the poll. */
	@Activate
	public SupervisorImpl(BundleContext context, @Reference DaemonConfiguration daemon, @Reference ContainersConfiguration containers,
		@Reference(service = LoggerFactory.class) Logger log) {
		this(new Host() {
			@Override
			public String property(String name) {
				return context.getProperty(name);
			}

			@Override
			public String version() {
				org.osgi.framework.Version v = context.getBundle().getVersion();
				return v.getMajor() + "." + v.getMinor() + "." + v.getMicro();
			}

			@Override
			public void exit(String message, int status) {
				DaemonExit.exit(context, message, status);
			}
		}, daemon, containers, log);
		if (!stopMode) {
			// SIGHUP reloads both files, as containerctl daemon reload does.
			java.util.Hashtable<String, Object> props = new java.util.Hashtable<>();
			props.put("cc.containerd.reload", Boolean.TRUE);
			hangup = context.registerService(Runnable.class, () -> {
				ReloadReport r = reload();
				r.lines().forEach(l -> log.info("SIGHUP: {}", l));
			}, props);
		}
	}

	SupervisorImpl(Host host, DaemonConfiguration daemon, ContainersConfiguration containers, Logger log) {
		this.host = host;
		this.daemon = daemon;
		this.containers = containers;
		this.log = log;
		this.stopMode = STOP_MANAGED.equals(host.property(MODE_PROPERTY));
		this.pool = new Workers("cc-supervisor-worker");
		this.scheduler = Threads.scheduler("cc-supervisor");
		this.pollThread = Threads.scheduler("cc-supervisor-poll");
		String bootId = BootClock.bootId(host.bootIdFile());
		String[] savedBoot = new String[1];
		Map<String, StateJson.Saved> saved = readState(savedBoot);
		this.newBoot = savedBoot[0] == null || !savedBoot[0].equals(bootId);
		this.report = new DaemonReport(ProcessHandle.current().pid(), host.version(), Instant.now(), bootId);
		for (ContainerConfig c : containers.containers()) {
			machines.put(c.id(), newMachine(c, saved.get(c.id())));
		}
		if (stopMode) {
			Thread t = new Thread(this::stopManagedAndExit, "cc-stop-managed");
			t.setDaemon(true);
			t.start();
			return;
		}
		if (newBoot) {
			log.info("First start of the daemon since the device booted: autostart containers are started.");
		} else {
			log.info("The daemon restarted: running containers are adopted as they are.");
		}
		schedulePoll(Duration.ZERO);
		long check = Math.min(LIVENESS_CHECK.toMillis(), daemon.config().service().monitorInterval().toMillis());
		scheduler.scheduleWithFixedDelay(this::checkLiveness, check, check, TimeUnit.MILLISECONDS);
		changed();
	}

	private ContainerMachine newMachine(ContainerConfig c, StateJson.Saved s) {
		DesiredState desired;
		if (newBoot || s == null || s.desired() == null) {
			desired = c.autostart() ? DesiredState.RUNNING : DesiredState.STOPPED;
		} else {
			desired = "stopped".equals(s.desired()) ? DesiredState.STOPPED : DesiredState.RUNNING;
		}
		return new ContainerMachine(this, c, desired, s, !newBoot);
	}

	private Map<String, StateJson.Saved> readState(String[] bootId) {
		Path file = daemon.config().service().stateFile();
		try {
			AtomicFiles.cleanStale(file.getParent());
			return StateJson.read(Json.parse(Files.readAllBytes(file)), bootId);
		} catch (NoSuchFileException e) {
			return Map.of();
		} catch (IOException | Json.SyntaxException e) {
			log.warn("{} cannot be read ({}); restart counters and desired states start afresh.", file, e.getMessage());
			return Map.of();
		}
	}

	@Deactivate
	void deactivate() {
		active = false;
		if (hangup != null) {
			try {
				hangup.unregister();
			} catch (IllegalStateException e) {
				// the framework took it down already
			}
		}
		if (poll != null) {
			poll.cancel(false);
		}
		subscriptions.values().forEach(SupervisorImpl::closeQuietly);
		subscriptions.clear();
		if (!stopMode) {
			writeState();
		}
		scheduler.shutdownNow();
		pollThread.shutdownNow();
		pool.shutdown();
	}

	private static void closeQuietly(AutoCloseable c) {
		try {
			c.close();
		} catch (Exception e) {
			// the driver is going away
		}
	}

	// ---------------------------------------------------------------- drivers come and go

	/** A runtime driver appeared (at start, or after a field upgrade of its bundle). */
	@Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
	void bindDriver(RuntimeDriver driver, Map<String, Object> props) {
		String runtime = String.valueOf(props.get(RuntimeDriver.RUNTIME));
		drivers.put(runtime, driver);
		warnedRuntimes.remove(runtime);
		if (stopMode) {
			return;
		}
		subscriptions.put(runtime, driver.events(e -> onEvent(runtime, e)));
		log.info("The {} driver is available: supervision of its containers resumes.", runtime);
		if (active && poll != null) {
			pool.execute(() -> pollRuntime(runtime));
		}
	}

	/** A runtime driver went away: its containers are unknown and nothing is restarted until it returns. */
	void unbindDriver(RuntimeDriver driver, Map<String, Object> props) {
		String runtime = String.valueOf(props.get(RuntimeDriver.RUNTIME));
		if (!drivers.remove(runtime, driver) || stopMode) {
			return; // in the shutdown stop, state.json keeps what the stop found
		}
		AutoCloseable sub = subscriptions.remove(runtime);
		if (sub != null) {
			closeQuietly(sub);
		}
		log.info("The {} driver went away: its containers are reported unknown and are not restarted until it returns.", runtime);
		for (ContainerMachine m : machines.values()) {
			if (m.config().runtime().equals(runtime)) {
				m.post(m::driverGone);
			}
		}
	}

	private void onEvent(String runtime, ContainerEvent e) {
		ContainerMachine m = machines.get(e.id());
		if (m == null || !m.config().runtime().equals(runtime)) {
			return;
		}
		if (e.type() == ContainerEvent.Type.DIED) {
			log.debug("Event: container {} died (exit {}).", e.id(), e.exitCode());
			m.post(() -> m.diedEvent(e.exitCode(), e.at()));
		}
	}

	// ---------------------------------------------------------------- the poll

	private void schedulePoll(Duration delay) {
		if (!active) {
			return;
		}
		try {
			poll = pollThread.schedule(this::pollAll, delay.toMillis(), TimeUnit.MILLISECONDS);
		} catch (java.util.concurrent.RejectedExecutionException e) {
			// the supervisor is stopping
		}
	}

	private void pollAll() {
		pollStarted = System.nanoTime();
		pollRunner = Thread.currentThread();
		try {
			refreshMachines();
			reportConfigProblems();
			Set<String> runtimes = new HashSet<>(drivers.keySet());
			for (String runtime : runtimes) {
				pollRuntime(runtime);
			}
			writeState();
		} catch (RuntimeException | Error e) {
			log.error("The status poll failed: {}", e.toString());
		} finally {
			pollStarted = 0;
			lastPollEnd = System.nanoTime();
			if (stalled) {
				stalled = false;
				log.info("The supervision loop completes its polls again.");
			}
			schedulePoll(daemon.config().service().monitorInterval());
		}
	}

	/** How long the poll may go without completing before the supervision loop counts as stalled. */
	private Duration stallLimit() {
		Duration interval = daemon.config().service().monitorInterval();
		// A poll asks each runtime twice, each bounded by the command timeout.
		return interval.multipliedBy(3).plus(commandTimeout().multipliedBy(2L * Math.max(1, drivers.size())));
	}

	/**
	 * Whether the supervision loop is alive: its last poll ended within {@link #stallLimit()}. What the systemd
	 * watchdog is told.
	 */
	boolean supervising() {
		return active && System.nanoTime() - lastPollEnd <= stallLimit().toNanos();
	}

	/**
	 * The supervision loop must not end silently: a poll that has not completed for longer than it can take is
	 * reported (with where it hangs), and a loop that lost its next poll is started again.
	 */
	private void checkLiveness() {
		pool.tick();
		if (!active || supervising()) {
			return;
		}
		long since = Duration.ofNanos(System.nanoTime() - lastPollEnd).toSeconds();
		boolean running = pollStarted != 0;
		if (!stalled) {
			stalled = true;
			String where = "";
			Thread t = pollRunner;
			if (running && t != null) {
				StackTraceElement[] stack = t.getStackTrace();
				where = stack.length == 0 ? "" : " in " + stack[0];
			}
			log.error("The supervision loop has completed no poll for {} s ({}); {}.", since,
				running ? "a poll is running" + where : "no poll was scheduled", running ? "the manager waits for it" : "the manager starts the loop again");
		}
		ScheduledFuture<?> p = poll;
		if (!running && (p == null || p.isDone())) {
			schedulePoll(Duration.ZERO);
		}
	}

	/**
	 * Applies the containers configuration in force to the machines: an entry that appeared (the installer's, or one
	 * added by hand) gets a machine, stopped until someone starts it (a container the runtime shows running is adopted);
	 * a changed entry takes effect at once (restart policy, monitor, autostart, name; {@code create_args} is used at the
	 * container's next creation); an entry removed by hand releases its container, which stays in its runtime.
	 *
	 * @return what changed, in words (empty when nothing did)
	 */
	private synchronized List<String> refreshMachines() {
		Map<String, ContainerConfig> now = new LinkedHashMap<>();
		containers.containers().forEach(c -> now.put(c.id(), c));
		List<String> changes = new ArrayList<>();
		for (ContainerConfig c : now.values()) {
			ContainerMachine m = machines.get(c.id());
			if (m != null && !m.released() && !m.config().runtime().equals(c.runtime())) {
				log.warn("The runtime of container {} changed from {} to {} in {}: the {} container is released, and {} is supervised on {}.", c.id(),
					m.config().runtime(), c.runtime(), containers.file(), m.config().runtime(), c.id(), c.runtime());
				m.post(m::release);
				machines.remove(c.id(), m);
				m = null;
			}
			if (m == null) {
				// An entry that appeared while the daemon runs (the installer calls manage() right after writing
				// it; or a user edited the file): stopped until someone starts it, no boot start.
				ContainerMachine added = new ContainerMachine(this, c, DesiredState.STOPPED, null, true);
				added.addedByHand();
				if (machines.putIfAbsent(c.id(), added) == null) {
					changes.add(c.id() + " added");
				}
			} else if (!m.config().equals(c)) {
				ContainerMachine target = m;
				if (!m.config().createArgs().equals(c.createArgs())) {
					log.info("The create_args of container {} changed; they take effect when the container is next created (containerctl update).",
						c.id());
				}
				target.post(() -> target.config(c));
				changes.add(c.id() + " changed");
			}
		}
		for (Map.Entry<String, ContainerMachine> e : machines.entrySet()) {
			ContainerMachine m = e.getValue();
			if (!now.containsKey(e.getKey()) && !m.released() && !m.releasing()) {
				log.info("Container {} is no longer in {}: the manager releases it (it stays in its runtime, as it is).", e.getKey(),
					containers.file());
				m.markReleasing();
				m.post(m::release);
				changes.add(e.getKey() + " released");
			}
		}
		machines.entrySet().removeIf(e -> !now.containsKey(e.getKey()) && e.getValue().released());
		return changes;
	}

	/** Warns once about each new problem of the configuration files (an edit not yet reloaded, an invalid one). */
	private void reportConfigProblems() {
		List<String> problems = new ArrayList<>();
		daemon.problem().ifPresent(problems::add);
		containers.problem().ifPresent(problems::add);
		if (!problems.equals(lastProblems)) {
			problems.stream().filter(p -> !lastProblems.contains(p)).forEach(p -> log.warn("{}.", p));
			lastProblems = problems;
		}
	}

	@Override
	public ReloadReport reload() {
		List<String> lines = new ArrayList<>();
		boolean ok = true;
		Path daemonFile = daemon.config().file();
		try {
			daemon.reload();
			lines.add(daemonFile + ": reloaded" + daemon.problem().map(p -> "; " + p.substring(p.indexOf(": ") + 2)).orElse(""));
		} catch (ConfigException e) {
			ok = false;
			lines.add("not reloaded, the last good configuration stays in force: " + e.getMessage());
		}
		try {
			containers.reload();
			List<String> changes = refreshMachines();
			lines.add(containers.file() + ": reloaded, " + containers.containers().size() + " container(s)"
				+ (changes.isEmpty() ? ", nothing changed" : ": " + String.join(", ", changes)));
		} catch (ConfigException e) {
			ok = false;
			lines.add("not reloaded, the last good entries stay in force: " + e.getMessage());
		}
		lastProblems = List.of();
		reportConfigProblems();
		schedulePoll(Duration.ZERO);
		changed();
		return new ReloadReport(lines, ok);
	}

	private void pollRuntime(String runtime) {
		RuntimeDriver d = drivers.get(runtime);
		if (d == null) {
			return;
		}
		List<ContainerMachine> ours = new ArrayList<>();
		boolean anyMonitored = false;
		boolean anyToLook = false;
		for (ContainerMachine m : machines.values()) {
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
			warnedRuntimes.remove(runtime);
		} catch (DriverException e) {
			if (warnedRuntimes.add(runtime)) {
				log.warn("The {} runtime cannot be asked for its containers' status: {}. The manager tries again every {} s.", runtime,
					e.getMessage(), daemon.config().service().monitorInterval().toSeconds());
			}
			return;
		}
		for (ContainerMachine m : ours) {
			ContainerState s = states.get(m.id());
			ContainerStats sample = stats.get(m.id());
			m.post(() -> m.observed(s, sample, askedAt));
		}
	}

	// ---------------------------------------------------------------- state.json

	@Override
	public void changed() {
		if (active && writeScheduled.compareAndSet(false, true)) {
			try {
				scheduler.schedule(() -> pool.execute(this::writeState), 50, TimeUnit.MILLISECONDS);
			} catch (java.util.concurrent.RejectedExecutionException e) {
				writeScheduled.set(false);
			}
		}
	}

	void writeState() {
		writeScheduled.set(false);
		synchronized (stateLock) {
			List<ContainerReport> reports = containers();
			Map<String, List<Long>> times = new HashMap<>();
			machines.values().forEach(m -> times.put(m.id(), m.restartTimes()));
			Path file = daemon.config().service().stateFile();
			try {
				AtomicFiles.write(file, Json.write(StateJson.document(Instant.now(), report, reports, times)));
			} catch (IOException e) {
				log.error("{} cannot be written: {}", file, e.getMessage());
			}
		}
	}

	// ---------------------------------------------------------------- Supervisor

	@Override
	public DaemonReport daemon() {
		return report;
	}

	@Override
	public List<ContainerReport> containers() {
		List<ContainerReport> out = new ArrayList<>();
		for (ContainerConfig c : containers.containers()) {
			ContainerMachine m = machines.get(c.id());
			if (m != null) {
				out.add(m.report());
			}
		}
		return out;
	}

	@Override
	public Optional<ContainerReport> container(String id) {
		ContainerMachine m = machines.get(id);
		return m == null ? Optional.empty() : Optional.of(m.report());
	}

	private ContainerMachine machine(String id) throws SupervisorException {
		ContainerMachine m = machines.get(id);
		if (m == null || m.released()) {
			throw new SupervisorException(SupervisorException.Kind.NOT_FOUND, "no managed container has the id \"" + id + "\"", null);
		}
		return m;
	}

	@Override
	public List<String> logs(String id, int lines) throws SupervisorException {
		RuntimeDriver d = driverOf(id);
		try {
			return d.logs(id, lines);
		} catch (DriverException e) {
			throw failure(id, e);
		}
	}

	@Override
	public AutoCloseable followLogs(String id, int lines, java.util.function.Consumer<String> sink) throws SupervisorException {
		RuntimeDriver d = driverOf(id);
		try {
			return d.followLogs(id, lines, sink);
		} catch (DriverException e) {
			throw failure(id, e);
		}
	}

	/** The driver of a managed container's runtime. */
	private RuntimeDriver driverOf(String id) throws SupervisorException {
		ContainerConfig c = containers.container(id).orElseThrow(() -> new SupervisorException(SupervisorException.Kind.NOT_FOUND,
			"no managed container has the id \"" + id + "\"", null));
		RuntimeDriver d = drivers.get(c.runtime());
		if (d == null) {
			throw new SupervisorException(SupervisorException.Kind.UNAVAILABLE, "the " + c.runtime()
				+ " driver is not available (being upgraded?); try again shortly", null);
		}
		return d;
	}

	private static SupervisorException failure(String id, DriverException e) {
		return new SupervisorException(e.kind() == DriverException.Kind.NOT_FOUND ? SupervisorException.Kind.NOT_FOUND
			: SupervisorException.Kind.FAILED, e.getMessage(), e);
	}

	@Override
	public ContainerReport start(String id) throws SupervisorException {
		ContainerMachine m = machine(id);
		return m.await(m.submit(m::userStart), Duration.ZERO);
	}

	@Override
	public ContainerReport stop(String id, Duration grace) throws SupervisorException {
		ContainerMachine m = machine(id);
		return m.await(m.submit(() -> m.userStop(grace)), grace);
	}

	@Override
	public ContainerReport restart(String id, Duration grace) throws SupervisorException {
		ContainerMachine m = machine(id);
		return m.await(m.submit(() -> m.userRestart(grace)), grace.plus(commandTimeout()));
	}

	@Override
	public ContainerReport manage(String id, boolean start) throws SupervisorException {
		ContainerConfig c = containers.container(id).orElseThrow(() -> new SupervisorException(SupervisorException.Kind.NOT_FOUND,
			"no container \"" + id + "\" is configured in " + containers.file(), null));
		ContainerMachine old = machines.get(id);
		if (old != null) {
			// on its own executor: whatever it was doing ends before the new machine takes over
			old.await(old.submit(() -> {
				old.release();
				return null;
			}), Duration.ZERO);
		}
		ContainerMachine m = new ContainerMachine(this, c, start ? DesiredState.RUNNING : DesiredState.STOPPED, null, true);
		machines.put(id, m);
		RuntimeDriver d = drivers.get(c.runtime());
		if (start) {
			return m.await(m.submit(m::userStart), Duration.ZERO);
		}
		if (d != null) {
			m.await(m.submit(() -> {
				m.observed(d.states().get(id), null, System.nanoTime());
				return null;
			}), Duration.ZERO);
		}
		return m.report();
	}

	@Override
	public void release(String id) {
		ContainerMachine m = machines.get(id);
		if (m != null) {
			try {
				m.await(m.submit(() -> {
					m.release();
					return null;
				}), Duration.ZERO);
			} catch (SupervisorException e) {
				m.release();
			}
			if (containers.container(id).isEmpty()) {
				machines.remove(id, m);
			}
			changed();
		}
	}

	// ---------------------------------------------------------------- the shutdown stop

	@Override
	public Map<String, String> stopAllForShutdown(Duration grace) {
		holding = true;
		log.info("The device shuts down: every managed container is stopped; nothing is started or restarted automatically until the daemon restarts.");
		Map<String, CompletableFuture<Void>> stops = new LinkedHashMap<>();
		for (ContainerMachine m : machines.values()) {
			if (m.released()) {
				continue;
			}
			stops.put(m.id(), m.submit(() -> {
				if (drivers.get(m.config().runtime()) == null) {
					throw new SupervisorException(SupervisorException.Kind.UNAVAILABLE, "the " + m.config().runtime() + " driver is not available", null);
				}
				m.shutdownStop(grace);
				return null;
			}));
		}
		Map<String, String> failed = new LinkedHashMap<>();
		long deadline = System.nanoTime() + grace.plus(commandTimeout()).plusSeconds(5).toNanos();
		for (Map.Entry<String, CompletableFuture<Void>> e : stops.entrySet()) {
			try {
				e.getValue().get(Math.max(1, (deadline - System.nanoTime()) / 1_000_000), TimeUnit.MILLISECONDS);
			} catch (java.util.concurrent.ExecutionException x) {
				failed.put(e.getKey(), x.getCause().getMessage());
			} catch (java.util.concurrent.TimeoutException x) {
				failed.put(e.getKey(), "timed out");
			} catch (InterruptedException x) {
				Thread.currentThread().interrupt();
				failed.put(e.getKey(), "interrupted");
			}
		}
		writeState();
		if (failed.isEmpty()) {
			log.info("Every managed container is stopped ({}).", stops.size());
		} else {
			log.error("At shutdown the manager could not stop {}.", failed);
		}
		return failed;
	}

	@Override
	public boolean holding() {
		return holding;
	}

	private void stopManagedAndExit() {
		Duration timeout = commandTimeout();
		Set<String> runtimes = new HashSet<>();
		machines.values().forEach(m -> runtimes.add(m.config().runtime()));
		long deadline = System.nanoTime() + timeout.toNanos();
		while (!drivers.keySet().containsAll(runtimes) && System.nanoTime() < deadline) {
			try {
				Thread.sleep(50);
			} catch (InterruptedException e) {
				Thread.currentThread().interrupt();
				return;
			}
		}
		Map<String, String> failed = stopAllForShutdown(Duration.ofSeconds(Math.max(1, timeout.toSeconds() / 2)));
		active = false; // state.json as written now is the last word: the framework's stop changes nothing in it
		if (failed.isEmpty()) {
			host.exit(null, 0);
		} else {
			List<String> names = new ArrayList<>();
			failed.forEach((id, why) -> names.add(id + " (" + why + ")"));
			host.exit("could not stop " + String.join(", ", names), 1);
		}
	}

	// ---------------------------------------------------------------- ContainerMachine.Context

	@Override
	public RuntimeDriver driver(String runtime) {
		return drivers.get(runtime);
	}

	@Override
	public long nowMs() {
		return clock.getAsLong();
	}

	@Override
	public ScheduledFuture<?> schedule(Runnable task, long delayMs) {
		return scheduler.schedule(task, delayMs, TimeUnit.MILLISECONDS);
	}

	@Override
	public Executor pool() {
		return pool;
	}

	@Override
	public Duration commandTimeout() {
		return daemon.config().service().commandTimeout();
	}

	@Override
	public void debug(String message, Object... args) {
		log.debug(message, args);
	}

	@Override
	public void info(String message, Object... args) {
		log.info(message, args);
	}

	@Override
	public void warn(String message, Object... args) {
		log.warn(message, args);
	}

	@Override
	public void error(String message, Object... args) {
		log.error(message, args);
	}

	/** For tests: the daemon's configuration. */
	DaemonConfig config() {
		return daemon.config();
	}
}
