package cc.container.supervisor.internal;

import cc.container.api.ContainerReport;
import cc.container.api.DaemonReport;
import cc.container.api.DesiredState;
import cc.container.api.Supervisor;
import cc.container.api.SupervisorException;
import cc.container.api.config.ConfigException;
import cc.container.api.config.ContainerConfig;
import cc.container.api.config.ContainersConfiguration;
import cc.container.api.config.DaemonConfiguration;
import cc.container.api.runtime.ContainerEvent;
import cc.container.api.runtime.DriverException;
import cc.container.api.runtime.RuntimeDriver;
import cc.container.api.runtime.RuntimeDrivers;
import cc.container.util.Threads;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
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
import java.util.function.Consumer;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.log.Logger;
import org.osgi.service.log.LoggerFactory;

/**
 * The supervisor: one {@link ContainerMachine} per managed container, kept in step with the containers configuration;
 * the drivers' events and the {@link Poll} tell the machines what their runtimes show; {@link StateStore} keeps
 * state.json.
 *
 * <p>At start it reads state.json and the kernel's boot id: after a reboot it starts the {@code autostart}
 * containers; after a restart of the daemon alone it adopts what runs and treats a container that should run but does
 * not as an unexpected stop. With the framework property {@value #MODE_PROPERTY}={@value #STOP_MANAGED}
 * ({@code cc-containerd --stop-managed-containers}) it is passive: no poll, no events, no automatic start; the
 * {@link ShutdownStop} component stops every managed container through it and ends the daemon.
 */
@Component(immediate = true, service = Supervisor.class)
public final class SupervisorImpl implements Supervisor {
	/** The framework property that selects the daemon's mode. */
	public static final String MODE_PROPERTY = "cc.containerd.mode";
	/** The mode that stops every managed container and exits. */
	public static final String STOP_MANAGED = "stop-managed";
	static final Path BOOT_ID = Path.of("/proc/sys/kernel/random/boot_id");

	private final DaemonConfiguration daemon;
	private final ContainersConfiguration containers;
	private final RuntimeDrivers drivers;
	private final Logger log;
	private final BootClock clock = new BootClock();
	/** Timers: delayed restarts, state.json writes, the liveness check. Never blocked by a runtime. */
	private final ScheduledExecutorService scheduler = Threads.scheduler("cc-supervisor");
	private final Workers pool = new Workers("cc-supervisor-worker", scheduler);
	private final Map<String, ContainerMachine> machines = new ConcurrentHashMap<>();
	/**
	 * The machines that a reload or poll released because their entry had gone from the containers file (under
	 * refreshMachines' lock): one whose entry comes back is replaced. One released by {@link #release(String)} is not:
	 * the installer holds it so while it works on the container.
	 */
	private final Set<ContainerMachine> goneEntries = new HashSet<>();
	private final Map<String, AutoCloseable> subscriptions = new ConcurrentHashMap<>();
	private final DaemonReport report;
	private final boolean newBoot;
	private final boolean passive;
	private final StateStore state;
	private final Poll poll;
	private final Prober prober;
	private final Watchdog watchdog;
	private final AutoCloseable watch;
	/** Set by the shutdown stop: nothing is started or restarted automatically any more. */
	private volatile boolean holding;
	private volatile boolean active = true;
	/** The configuration problems last warned about. */
	private volatile List<String> lastProblems = List.of();
	/** The reload service run on SIGHUP (the launcher looks it up), or null outside a framework. */
	private ServiceRegistration<Runnable> hangup;

	/** What the supervisor needs of the framework it runs in. */
	public interface Host {
		/** A framework property, or {@code null}. */
		String property(String name);

		/** The daemon's version. */
		String version();

		/** The file holding the kernel's boot id. */
		default Path bootIdFile() {
			return BOOT_ID;
		}

		/** A variable of the daemon's environment ({@code NOTIFY_SOCKET}, ...), or {@code null}. */
		default String environment(String name) {
			return System.getenv(name);
		}
	}

	/** Reads state.json, sets every container's desired state and starts the poll. */
	@Activate
	public SupervisorImpl(BundleContext context, @Reference DaemonConfiguration daemon, @Reference ContainersConfiguration containers,
		@Reference RuntimeDrivers drivers, @Reference(service = LoggerFactory.class) Logger log) {
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
		}, daemon, containers, drivers, log);
		if (!passive) {
			// SIGHUP reloads both files, as containerctl daemon reload does.
			java.util.Hashtable<String, Object> props = new java.util.Hashtable<>();
			props.put("cc.containerd.reload", Boolean.TRUE);
			hangup = context.registerService(Runnable.class, () -> reload().lines().forEach(l -> log.info("SIGHUP: {}", l)), props);
		}
	}

	/** A supervisor outside a framework (benchmarks, tests); {@link #deactivate} stops it (its containers keep running). */
	public SupervisorImpl(Host host, DaemonConfiguration daemon, ContainersConfiguration containers, RuntimeDrivers drivers, Logger log) {
		this.daemon = daemon;
		this.containers = containers;
		this.drivers = drivers;
		this.log = log;
		this.passive = STOP_MANAGED.equals(host.property(MODE_PROPERTY));
		String bootId = BootClock.bootId(host.bootIdFile());
		StateStore.Loaded saved = StateStore.read(daemon.config().service().stateFile(), log);
		this.newBoot = saved.bootId() == null || !saved.bootId().equals(bootId);
		this.report = new DaemonReport(ProcessHandle.current().pid(), host.version(), Instant.now(), bootId);
		this.state = new StateStore(daemon.config().service().stateFile(), log, scheduler, pool, this::stateDocument);
		this.poll = new Poll(drivers, () -> daemon.config().service(), new Poll.Round() {
			@Override
			public void before() {
				refreshMachines();
				reportConfigProblems();
			}

			@Override
			public Collection<ContainerMachine> machines() {
				return machines.values();
			}

			@Override
			public void after() {
				state.changed();
			}
		}, pool, scheduler, log);
		for (ContainerConfig c : containers.containers()) {
			machines.put(c.id(), newMachine(c, saved.containers().get(c.id())));
		}
		if (passive) {
			this.watch = null;
			this.prober = null;
			this.watchdog = null;
			return;
		}
		log.info(newBoot ? "First start of the daemon since the device booted: autostart containers are started."
			: "The daemon restarted: running containers are adopted as they are.");
		this.watch = drivers.watch(this::driverChanged);
		poll.start();
		this.prober = new Prober(drivers, machines::values, machineContext, log);
		this.watchdog = new Watchdog(host::environment, this::supervising, poll::completed, scheduler, log);
		changed();
	}

	private ContainerMachine newMachine(ContainerConfig c, StateJson.Saved s) {
		DesiredState desired;
		if (newBoot || s == null || s.desired() == null) {
			desired = c.autostart() ? DesiredState.RUNNING : DesiredState.STOPPED;
		} else {
			desired = "stopped".equals(s.desired()) ? DesiredState.STOPPED : DesiredState.RUNNING;
		}
		return new ContainerMachine(machineContext, c, desired, s, !newBoot, false);
	}

	/** Stops supervising; the containers keep running. */
	@Deactivate
	public void deactivate() {
		active = false;
		if (hangup != null) {
			try {
				hangup.unregister();
			} catch (IllegalStateException e) {
				// the framework took it down already
			}
		}
		closeQuietly(watch);
		poll.close();
		if (prober != null) {
			prober.close();
		}
		if (watchdog != null) {
			watchdog.close();
		}
		subscriptions.values().forEach(SupervisorImpl::closeQuietly);
		subscriptions.clear();
		state.close();
		if (!passive) {
			state.write();
		}
		scheduler.shutdownNow();
		pool.shutdown();
	}

	private static void closeQuietly(AutoCloseable c) {
		if (c == null) {
			return;
		}
		try {
			c.close();
		} catch (Exception e) {
			// it is going away
		}
	}

	/** Whether the supervision loop is alive (what the service manager's watchdog is told). */
	public boolean supervising() {
		return active && poll.supervising();
	}

	/** The polls completed since the start. */
	public long polls() {
		return poll.completed();
	}

	// ---------------------------------------------------------------- drivers come and go

	/**
	 * The driver serving a runtime changed: a driver that went (a field upgrade of its bundle) leaves its containers
	 * unknown, nothing restarted until one returns; a driver that came is subscribed to and its runtime looked at.
	 */
	private void driverChanged(String runtime, RuntimeDriver previous, RuntimeDriver current) {
		poll.forget(runtime);
		closeQuietly(subscriptions.remove(runtime));
		if (previous != null && current == null) {
			log.info("The {} driver went away: its containers are reported unknown and are not restarted until it returns.", runtime);
			for (ContainerMachine m : machines.values()) {
				if (m.config().runtime().equals(runtime)) {
					m.post(new Event.DriverGone());
				}
			}
		}
		if (current != null) {
			subscriptions.put(runtime, current.events(e -> onEvent(runtime, e)));
			log.info("The {} driver is available: supervision of its containers resumes.", runtime);
			if (active) {
				pool.execute(() -> poll.runtime(runtime));
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
			m.post(new Event.Died(e.exitCode(), e.at()));
		}
	}

	// ---------------------------------------------------------------- the configuration in force

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
			if (m != null && m.released() && goneEntries.remove(m)) {
				// Its entry was removed a moment ago and the release that a reload posted finished after that reload:
				// the entry is back, and a new machine takes the container as it finds it (one still being released is
				// replaced at the next poll). A machine released by release() stays: the installer holds it so.
				machines.remove(c.id(), m);
				m = null;
			}
			if (m != null && !m.config().runtime().equals(c.runtime())) {
				log.warn("The runtime of container {} changed from {} to {} in {}: the {} container is released, and {} is supervised on {}.", c.id(),
					m.config().runtime(), c.runtime(), containers.file(), m.config().runtime(), c.id(), c.runtime());
				m.post(new Event.Release());
				machines.remove(c.id(), m);
				m = null;
			}
			if (m == null) {
				// An entry that appeared while the daemon runs (the installer calls manage() right after writing
				// it; or a user edited the file): stopped until someone starts it, no boot start.
				if (machines.putIfAbsent(c.id(), new ContainerMachine(machineContext, c, DesiredState.STOPPED, null, true, true)) == null) {
					changes.add(c.id() + " added");
				}
			} else if (!m.config().equals(c)) {
				if (!m.config().createArgs().equals(c.createArgs())) {
					log.info("The create_args of container {} changed in the file; the container keeps those it was created with, and an update "
						+ "creates it with its package's.", c.id());
				}
				m.post(new Event.ConfigChanged(c));
				changes.add(c.id() + " changed");
			}
		}
		for (Map.Entry<String, ContainerMachine> e : machines.entrySet()) {
			ContainerMachine m = e.getValue();
			if (!now.containsKey(e.getKey()) && !m.released() && !m.releasing()) {
				log.info("Container {} is no longer in {}: the manager releases it (it stays in its runtime, as it is).", e.getKey(),
					containers.file());
				goneEntries.add(m);
				m.post(new Event.Release());
				changes.add(e.getKey() + " released");
			}
		}
		machines.entrySet().removeIf(e -> !now.containsKey(e.getKey()) && e.getValue().released());
		goneEntries.retainAll(machines.values());
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
		poll.now();
		changed();
		return new ReloadReport(lines, ok);
	}

	// ---------------------------------------------------------------- state.json

	/** A machine, the configuration or the set of machines changed: state.json is written, and checks may be due. */
	private void changed() {
		state.changed();
		Prober p = prober;
		if (p != null) {
			p.wake();
		}
	}

	private Map<String, Object> stateDocument() {
		List<ContainerReport> reports = containers();
		Map<String, List<Long>> times = new HashMap<>();
		machines.values().forEach(m -> times.put(m.id(), m.restartTimes()));
		return StateJson.document(Instant.now(), report, reports, times);
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
		// One being released (its entry went from the file) is no longer managed, as list() already says.
		return m == null || m.released() || m.releasing() ? Optional.empty() : Optional.of(m.report());
	}

	/** Whether the machine of {@code id} is released but still in the map (ReloadReleaseTest). */
	boolean releasedButKept(String id) {
		ContainerMachine m = machines.get(id);
		return m != null && m.released();
	}

	private ContainerMachine machine(String id) throws SupervisorException {
		ContainerMachine m = machines.get(id);
		if (m == null || m.released()) {
			throw new SupervisorException(SupervisorException.Kind.NOT_FOUND, "no managed container has the id \"" + id + "\"", null);
		}
		return m;
	}

	@Override
	public ContainerReport start(String id) throws SupervisorException {
		ContainerMachine m = machine(id);
		return m.await(m.submit(new Event.UserStart()), Duration.ZERO);
	}

	@Override
	public ContainerReport stop(String id, Duration grace) throws SupervisorException {
		ContainerMachine m = machine(id);
		return m.await(m.submit(new Event.UserStop(grace)), grace);
	}

	@Override
	public ContainerReport restart(String id, Duration grace) throws SupervisorException {
		ContainerMachine m = machine(id);
		return m.await(m.submit(new Event.UserRestart(grace)), grace.plus(commandTimeout()));
	}

	@Override
	public ContainerReport manage(String id, boolean start) throws SupervisorException {
		ContainerConfig c = containers.container(id).orElseThrow(() -> new SupervisorException(SupervisorException.Kind.NOT_FOUND,
			"no container \"" + id + "\" is configured in " + containers.file(), null));
		ContainerMachine old = machines.get(id);
		if (old != null) {
			// on its own executor: whatever it was doing ends before the new machine takes over
			old.await(old.submit(new Event.Release()), Duration.ZERO);
		}
		ContainerMachine m = new ContainerMachine(machineContext, c, start ? DesiredState.RUNNING : DesiredState.STOPPED, null, true, false);
		machines.put(id, m);
		return m.await(start ? m.submit(new Event.UserStart()) : m.look(), Duration.ZERO);
	}

	@Override
	public void release(String id) {
		ContainerMachine m = machines.get(id);
		if (m == null) {
			return;
		}
		try {
			m.await(m.submit(new Event.Release()), Duration.ZERO);
		} catch (SupervisorException e) {
			log.warn("Releasing container {} did not finish in time: {}", id, e.getMessage());
		}
		if (containers.container(id).isEmpty()) {
			machines.remove(id, m);
		}
		changed();
	}

	@Override
	public List<String> logs(String id, int lines) throws SupervisorException {
		try {
			return driverOf(id).logs(id, lines);
		} catch (DriverException e) {
			throw failure(e);
		}
	}

	@Override
	public AutoCloseable followLogs(String id, int lines, Consumer<String> sink) throws SupervisorException {
		try {
			return driverOf(id).followLogs(id, lines, sink);
		} catch (DriverException e) {
			throw failure(e);
		}
	}

	/** The driver of a managed container's runtime. */
	private RuntimeDriver driverOf(String id) throws SupervisorException {
		ContainerConfig c = containers.container(id).orElseThrow(() -> new SupervisorException(SupervisorException.Kind.NOT_FOUND,
			"no managed container has the id \"" + id + "\"", null));
		return drivers.driver(c.runtime()).orElseThrow(() -> new SupervisorException(SupervisorException.Kind.UNAVAILABLE,
			"the " + c.runtime() + " driver is not available (being upgraded?); try again shortly", null));
	}

	private static SupervisorException failure(DriverException e) {
		return new SupervisorException(e.kind() == DriverException.Kind.NOT_FOUND ? SupervisorException.Kind.NOT_FOUND
			: SupervisorException.Kind.FAILED, e.getMessage(), e);
	}

	// ---------------------------------------------------------------- the shutdown stop

	@Override
	public Map<String, String> stopAllForShutdown(Duration grace) {
		holding = true;
		log.info("The device shuts down: every managed container is stopped; nothing is started or restarted automatically until the daemon restarts.");
		Map<String, CompletableFuture<ContainerReport>> stops = new LinkedHashMap<>();
		for (ContainerMachine m : machines.values()) {
			if (!m.released()) {
				stops.put(m.id(), m.submit(new Event.ShutdownStop(grace)));
			}
		}
		Map<String, String> failed = new LinkedHashMap<>();
		long deadline = System.nanoTime() + grace.plus(commandTimeout()).plusSeconds(5).toNanos();
		for (Map.Entry<String, CompletableFuture<ContainerReport>> e : stops.entrySet()) {
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
		state.write();
		if (passive) {
			state.close(); // state.json as written now is the last word: the framework's stop changes nothing in it
		}
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

	private Duration commandTimeout() {
		return daemon.config().service().commandTimeout();
	}

	// ---------------------------------------------------------------- what the machines need

	private final ContainerMachine.Context machineContext = new ContainerMachine.Context() {
		@Override
		public RuntimeDriver driver(String runtime) {
			return drivers.driver(runtime).orElse(null);
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
			return SupervisorImpl.this.commandTimeout();
		}

		@Override
		public boolean holding() {
			return holding;
		}

		@Override
		public void changed() {
			if (active) {
				SupervisorImpl.this.changed();
			}
		}

		@Override
		public void log(Action.Log.Level level, String message, Object... args) {
			switch (level) {
				case DEBUG -> log.debug(message, args);
				case INFO -> log.info(message, args);
				case WARN -> log.warn(message, args);
				case ERROR -> log.error(message, args);
			}
		}
	};
}
