package cc.container.driver.podman.internal;

import cc.container.api.config.DaemonConfig;
import cc.container.api.config.DaemonConfiguration;
import cc.container.api.exec.Command;
import cc.container.api.exec.CommandException;
import cc.container.api.exec.CommandResult;
import cc.container.api.exec.CommandRunner;
import cc.container.api.exec.RunningCommand;
import cc.container.api.runtime.ContainerEvent;
import cc.container.api.runtime.ContainerSpec;
import cc.container.api.runtime.ContainerState;
import cc.container.api.runtime.ContainerStats;
import cc.container.api.runtime.DriverException;
import cc.container.api.runtime.RuntimeDriver;
import cc.container.api.runtime.RuntimeStatus;
import cc.container.util.ShellWords;
import cc.container.util.Threads;
import cc.container.util.json.Json;
import cc.container.util.runtime.Cgroups;
import cc.container.util.runtime.FullQueries;
import cc.container.util.runtime.Listeners;
import cc.container.util.runtime.LogFile;
import cc.container.util.runtime.Processes;
import cc.container.util.runtime.RecentStates;
import cc.container.util.runtime.ToolRunner;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.log.Logger;
import org.osgi.service.log.LoggerFactory;

/**
 * The Podman driver. Containers it creates carry the label {@value PodmanJson#LABEL_MANAGED}=true (and their version);
 * it never touches others. Images it loads are tagged {@code localhost/cc-container-mng/<id>:<version>}. Status and
 * statistics of all managed containers come from one {@code podman ps} and one {@code podman stats} call; deaths
 * arrive sub-second from one long-running {@code podman events} stream, started while someone listens.
 */
@Component(service = RuntimeDriver.class, property = RuntimeDriver.RUNTIME + "=podman")
public final class PodmanDriver implements RuntimeDriver {
	static final String RUNTIME_NAME = "podman";
	static final String IMAGE_REPO = "localhost/cc-container-mng/";
	private static final Duration STATES_REUSE = Duration.ofSeconds(5);
	/** How often a followed log is read on. */
	static final long FOLLOW_MS = 250;

	private final ToolRunner tools;
	private final Supplier<DaemonConfig> config;
	private final Logger log;
	private final Listeners<ContainerEvent> listeners;
	private final ScheduledExecutorService scheduler;
	/** Each container's k8s-file log, as Podman said where it is (it stays there for the container's life). */
	private final Map<String, Path> logFiles = new ConcurrentHashMap<>();
	private final Cgroups cgroups = new Cgroups();
	private final FullQueries fullQueries = new FullQueries();
	/** The containers as the last full query and the events since describe them. */
	private final Map<String, ContainerState> view = new ConcurrentHashMap<>();
	/** Where Podman writes each container's init pid at each start, as Podman said. */
	private final Map<String, Path> pidFiles = new ConcurrentHashMap<>();
	/** Whether event streams a dead daemon left were looked for (before the first stream). */
	private boolean orphansEnded;
	/** Counts the died events the stream told: a start that saw one come meanwhile does not trust its own view. */
	private final AtomicLong deaths = new AtomicLong();
	/** The containers Podman said the OOM killer hit, until their death is told. */
	private final Set<String> oomKilled = ConcurrentHashMap.newKeySet();
	private final Map<String, Boolean> oomByExit = new ConcurrentHashMap<>();
	private final RecentStates recentStates = new RecentStates(STATES_REUSE);
	private RunningCommand eventStream;
	private boolean active = true;
	private long eventBackoffMs = 1000;
	/** When the last event stream ended: its successor replays what happened since, so no death is missed. */
	private Instant eventGapSince;

	/** The driver, configured by the daemon configuration's {@code runtimes.podman}. */
	@Activate
	public PodmanDriver(@Reference CommandRunner runner, @Reference DaemonConfiguration daemon,
		@Reference(service = LoggerFactory.class) Logger log) {
		this(runner, daemon::config, log);
	}

	/** A driver outside a framework (benchmarks, tests), on the configuration {@code config} gives. */
	public static PodmanDriver standalone(CommandRunner runner, Supplier<DaemonConfig> config, Logger log) {
		return new PodmanDriver(runner, config, log);
	}

	// Private: Felix SCR looks for the activation constructor among the public ones with as many parameters, and logs
	// an error for every other one whose parameter types it cannot give.
	private PodmanDriver(CommandRunner runner, Supplier<DaemonConfig> config, Logger log) {
		this.tools = new ToolRunner(RUNTIME_NAME, runner);
		this.config = config;
		this.log = log;
		this.listeners = new Listeners<>(log::warn);
		this.scheduler = Threads.scheduler("cc-podman-driver");
	}

	@Deactivate
	public synchronized void close() {
		active = false;
		if (eventStream != null) {
			eventStream.close();
			eventStream = null;
		}
		scheduler.shutdownNow();
	}

	@Override
	public String runtime() {
		return RUNTIME_NAME;
	}

	// ---------------------------------------------------------------- commands

	private List<String> argv(String... args) {
		DaemonConfig c = config.get();
		List<String> argv = new ArrayList<>();
		argv.add(c.runtimes().podman().binary());
		argv.addAll(c.runtimes().podman().globalArgs());
		Collections.addAll(argv, args);
		return argv;
	}

	private List<String> argv(List<String> args) {
		return argv(args.toArray(new String[0]));
	}

	private Map<String, String> env() {
		return config.get().runtimes().podman().environment();
	}

	private Duration timeout() {
		return config.get().service().commandTimeout();
	}

	private CommandResult run(Duration timeout, String... args) throws DriverException {
		return tools.run(argv(args), env(), timeout);
	}

	private static boolean noSuchContainer(CommandResult r) {
		String s = r.stderr().toLowerCase(Locale.ROOT);
		return s.contains("no such container") || s.contains("no container with name or id");
	}

	private DriverException notFound(String id) {
		return new DriverException(RUNTIME_NAME, DriverException.Kind.NOT_FOUND, "Podman has no container " + id);
	}

	private CommandResult checkContainer(String what, String id, Duration timeout, String... args) throws DriverException {
		CommandResult r = run(timeout, args);
		if (!r.ok()) {
			if (noSuchContainer(r)) {
				throw notFound(id);
			}
			throw tools.failed(what + " of container " + id, r);
		}
		return r;
	}

	/** The image name the manager gives the image of container {@code id} at {@code version}. */
	static String imageRef(String id, String version) {
		String tag = version == null || version.isBlank() ? "latest" : version.replaceAll("[^A-Za-z0-9_.-]", "_");
		if (tag.startsWith(".") || tag.startsWith("-")) {
			tag = "v" + tag;
		}
		if (tag.length() > 128) {
			tag = tag.substring(0, 128);
		}
		return IMAGE_REPO + id.toLowerCase(Locale.ROOT) + ":" + tag;
	}

	/** The names {@code podman load} says it loaded. */
	static List<String> loadedImages(String output) {
		List<String> refs = new ArrayList<>();
		for (String line : output.split("\n")) {
			String l = line.trim();
			int colon = l.indexOf(':');
			if (l.startsWith("Loaded image") && colon > 0) {
				for (String ref : l.substring(colon + 1).split(",")) {
					if (!ref.isBlank()) {
						refs.add(ref.trim());
					}
				}
			}
		}
		return refs;
	}

	// ---------------------------------------------------------------- lifecycle

	@Override
	public void install(ContainerSpec spec, Path payload) throws DriverException {
		logFiles.remove(spec.id());
		forgetPidFile(spec.id());
		fullQueries.invalidate();
		List<String> createArgs;
		try {
			createArgs = ShellWords.split(spec.createArgs());
		} catch (IllegalArgumentException e) {
			throw new DriverException(RUNTIME_NAME, DriverException.Kind.BAD_ARTIFACT,
				"create_args of " + spec.id() + " cannot be split into words: " + e.getMessage());
		}
		if (run(timeout(), "container", "exists", spec.id()).ok()) {
			throw new DriverException(RUNTIME_NAME, DriverException.Kind.FAILED, "Podman already has a container named " + spec.id());
		}
		CommandResult load = tools.run(argv("load", "-i", payload.toString()), env(), config.get().service().podmanLoadTimeout());
		if (!load.ok()) {
			throw new DriverException(RUNTIME_NAME, DriverException.Kind.BAD_ARTIFACT,
				"Podman cannot load the image of " + spec.id() + ": " + load.reason().replace(payload.toString(), "the image archive"));
		}
		List<String> loaded = loadedImages(load.stdout() + "\n" + load.stderr());
		if (loaded.isEmpty()) {
			throw new DriverException(RUNTIME_NAME, DriverException.Kind.BAD_ARTIFACT,
				"the image archive of " + spec.id() + " holds no image Podman could name");
		}
		String source = loaded.get(0);
		String image = imageRef(spec.id(), spec.version());
		// A failed tag leaves what the load brought in: its name may be an image the host had before, which is not ours.
		tools.check("Tagging the image of " + spec.id(), argv("tag", source, image), env(), timeout());
		for (String ref : loaded) {
			if (!ref.equals(image) && !ref.startsWith("sha256:") && !ref.startsWith(IMAGE_REPO)) {
				// The manager's own name is the only one the image keeps; a second package with the same
				// image name must not find this one's under it.
				run(timeout(), "untag", image, ref);
			}
		}
		List<String> create = new ArrayList<>(List.of("create"));
		if (createArgs.stream().noneMatch(a -> a.startsWith("--log-driver") || a.startsWith("--log-opt"))) {
			// The container's output is capped (conmon truncates it past the size), unless the package chose its log.
			create.addAll(List.of("--log-driver", "k8s-file", "--log-opt", "max-size=" + config.get().service().containerLogMaxSize()));
		}
		create.addAll(createArgs);
		// The manager's name and labels come last: Podman keeps the last one given, so a package cannot rename its
		// container, hide it from the manager or pass it off as another version.
		create.addAll(List.of("--name", spec.id(), "--label", PodmanJson.LABEL_MANAGED + "=true"));
		if (spec.version() != null) {
			create.addAll(List.of("--label", PodmanJson.LABEL_VERSION + "=" + spec.version()));
		}
		create.add(image);
		CommandResult r = tools.run(argv(create), env(), timeout());
		if (!r.ok()) {
			run(timeout(), "rmi", image);
			throw new DriverException(RUNTIME_NAME, DriverException.Kind.FAILED,
				"podman create of " + spec.id() + " failed: " + r.reason() + " (check its create_args)");
		}
		log.info("Container {} installed from {} as image {}.", spec.id(), payload.getFileName(), image);
	}

	@Override
	public void start(String id) throws DriverException {
		checkContainer("Starting", id, timeout(), "start", id);
		recentStates.forget();
		fullQueries.invalidate();
	}

	/**
	 * Starts it, and learns the new run's pid from the file where Podman writes it ({@code .PidFile}, asked once per
	 * container): no {@code podman ps} after the start.
	 */
	@Override
	public ContainerState startAndGet(String id) throws DriverException {
		long deathsBefore = deaths.get();
		checkContainer("Starting", id, timeout(), "start", id);
		recentStates.forget();
		ContainerState s = running(id);
		if (s == null) {
			fullQueries.invalidate();
			return states().get(id); // it ended already, or Podman keeps no pid file for it
		}
		ContainerState before = view.get(id);
		ContainerState now = new ContainerState(id, RuntimeStatus.RUNNING, s.pid(), null, null, s.startedAt(), null,
			before == null ? null : before.version());
		view.put(id, now);
		if (deaths.get() != deathsBefore) {
			// A death told while it started may be this run's, and the view above may have written over it: the next
			// question is answered by the runtime.
			fullQueries.invalidate();
		}
		return now;
	}

	/** Forgets where a container's pid file was (it was made again, renamed or removed), after any question in flight. */
	private void forgetPidFile(String id) {
		synchronized (pidFiles) {
			pidFiles.remove(id);
		}
	}

	/**
	 * Asks Podman where it writes the pid files of {@code id} and of every other container it showed that has none
	 * known yet, in one {@code podman container inspect}: at a boot, twenty autostarts ask one process, not twenty.
	 * Serialised: starts that come together wait for the one question and find their answer in it.
	 */
	private void learnPidFiles(String id) throws DriverException {
		synchronized (pidFiles) {
			if (pidFiles.containsKey(id)) {
				return; // a start that came together with this one asked already
			}
			List<String> ids = new ArrayList<>();
			ids.add(id);
			for (String other : view.keySet()) {
				if (!other.equals(id) && !pidFiles.containsKey(other) && ids.size() < 200) {
					ids.add(other);
				}
			}
			List<String> args = new ArrayList<>(List.of("container", "inspect", "--format", "{{.Name}}={{.PidFile}}"));
			args.addAll(ids);
			CommandResult r = run(timeout(), args.toArray(String[]::new));
			// One that went meanwhile fails the whole question (no output for any): then this one alone.
			if (!r.ok() && ids.size() > 1) {
				r = run(timeout(), "container", "inspect", "--format", "{{.Name}}={{.PidFile}}", id);
			}
			if (!r.ok()) {
				return;
			}
			for (String line : r.stdout().split("\n")) {
				int eq = line.indexOf('=');
				String path = eq < 0 ? "" : line.substring(eq + 1).trim();
				if (eq > 0 && path.startsWith("/")) {
					pidFiles.put(line.substring(0, eq), Path.of(path));
				}
			}
		}
	}

	/** The container as running with the pid of its pid file, or null when that process does not run. */
	private ContainerState running(String id) throws DriverException {
		Path pidFile = pidFiles.get(id);
		if (pidFile == null) {
			learnPidFiles(id);
			pidFile = pidFiles.get(id);
			if (pidFile == null) {
				return null;
			}
		}
		try {
			long pid = Long.parseLong(Files.readString(pidFile).trim());
			ProcessHandle init = ProcessHandle.of(pid).filter(Processes::running).orElse(null);
			return init == null ? null
				: new ContainerState(id, RuntimeStatus.RUNNING, pid, null, null, init.info().startInstant().orElse(Instant.now()), null, null);
		} catch (IOException | NumberFormatException e) {
			return null;
		}
	}

	@Override
	public void stop(String id, Duration grace) throws DriverException {
		checkContainer("Stopping", id, timeout().plus(grace), "stop", "--time", Long.toString(grace.toSeconds()), id);
		recentStates.forget();
		ContainerState before = view.get(id);
		if (before != null && before.running()) {
			// Stopped: its died event (on its way) adds the exit status; no full query is needed for what is known.
			view.put(id, new ContainerState(id, RuntimeStatus.EXITED, 0, null, null, before.startedAt(), Instant.now(), before.version()));
		} else {
			fullQueries.invalidate();
		}
	}

	@Override
	public void rename(String id, String newId) throws DriverException {
		checkContainer("Renaming", id, timeout(), "rename", id, newId);
		logFiles.remove(id);
		logFiles.remove(newId);
		forgetPidFile(id);
		forgetPidFile(newId);
		fullQueries.invalidate();
		recentStates.forget();
	}

	@Override
	public void remove(String id) throws DriverException {
		CommandResult inspect = checkContainer("Inspecting", id, timeout(), "container", "inspect", "--format", "{{.ImageName}}", id);
		String image = inspect.stdout().trim();
		for (int attempt = 1;; attempt++) {
			try {
				checkContainer("Removing", id, timeout().plusSeconds(10), "rm", "--force", "--time", "10", id);
				break;
			} catch (DriverException e) {
				// A container whose Podman process was killed mid-way can hold its shm mount a moment longer: Podman's
				// own clean-up is still releasing it. Asked again, it goes.
				if (attempt >= 3 || e.getMessage() == null || !e.getMessage().contains("device or resource busy")) {
					throw e;
				}
				try {
					Thread.sleep(500L * attempt);
				} catch (InterruptedException x) {
					Thread.currentThread().interrupt();
					throw e;
				}
			}
		}
		if (image.startsWith(IMAGE_REPO)) {
			CommandResult rmi = run(timeout(), "rmi", image);
			if (!rmi.ok()) {
				log.info("The image {} of removed container {} stays: {}", image, id, rmi.reason());
			}
		}
		cgroups.forget(id);
		logFiles.remove(id);
		forgetPidFile(id);
		fullQueries.invalidate();
		recentStates.forget();
	}

	// ---------------------------------------------------------------- queries

	private Object json(String what, CommandResult r) throws DriverException {
		if (!r.ok()) {
			throw tools.failed(what, r);
		}
		String out = r.stdout().trim();
		if (out.isEmpty()) {
			return List.of();
		}
		try {
			return Json.parse(out.getBytes(StandardCharsets.UTF_8));
		} catch (Json.SyntaxException e) {
			throw new DriverException(RUNTIME_NAME, DriverException.Kind.BAD_OUTPUT,
				"Podman answered something that is not JSON to " + r.command().display() + " (" + e.getMessage() + ")");
		}
	}

	/**
	 * The state of every managed container: while the event stream runs, from what it told since the last full query
	 * ({@link FullQueries}: at least every minute, and after anything the events do not describe); else from
	 * {@code podman ps}.
	 */
	@Override
	public Map<String, ContainerState> states() throws DriverException {
		if (!fullQueries.due() && eventStreamRunning()) {
			return new LinkedHashMap<>(view);
		}
		synchronized (fullQueries) {
			if (!fullQueries.due() && eventStreamRunning()) {
				return new LinkedHashMap<>(view); // another caller's query just answered
			}
			long begun = fullQueries.begin();
			Map<String, ContainerState> result = query();
			view.clear();
			view.putAll(result);
			fullQueries.complete(begun);
			return result;
		}
	}

	private Map<String, ContainerState> query() throws DriverException {
		Object ps = json("Listing containers", run(timeout(), "ps", "--all", "--filter", "label=" + PodmanJson.LABEL_MANAGED + "=true",
			"--format", "json"));
		if (!(ps instanceof List)) {
			throw new DriverException(RUNTIME_NAME, DriverException.Kind.BAD_OUTPUT, "podman ps answered something that is not a list");
		}
		Map<String, ContainerState> out = new LinkedHashMap<>();
		List<String> needOom = new ArrayList<>();
		try {
			for (Object o : (List<?>) ps) {
				if (!(o instanceof Map)) {
					throw new IllegalArgumentException("an entry of podman ps is not an object");
				}
				ContainerState s = PodmanJson.psEntry((Map<?, ?>) o);
				out.put(s.id(), s);
				if (s.status() == RuntimeStatus.EXITED && !oomByExit.containsKey(exitKey(s))) {
					needOom.add(s.id());
				}
			}
		} catch (IllegalArgumentException e) {
			throw new DriverException(RUNTIME_NAME, DriverException.Kind.BAD_OUTPUT, "podman ps answered " + e.getMessage());
		}
		if (!needOom.isEmpty()) {
			// The same question tells where their pid files are: at a boot, where every container has exited, their
			// starts then ask Podman nothing more (serialised with the other pid-file questions, as learnPidFiles is).
			List<String> args = new ArrayList<>(List.of("container", "inspect", "--format", "{{.Name}} {{.State.OOMKilled}} {{.PidFile}}"));
			args.addAll(needOom);
			synchronized (pidFiles) {
				CommandResult r = tools.run(argv(args), env(), timeout());
				for (String line : r.stdout().split("\n")) {
					String[] f = line.trim().split(" ", 3);
					if (f.length >= 2 && out.containsKey(f[0])) {
						oomByExit.put(exitKey(out.get(f[0])), Boolean.parseBoolean(f[1]));
						if (f.length == 3 && f[2].startsWith("/")) {
							pidFiles.putIfAbsent(f[0], Path.of(f[2]));
						}
					}
				}
			}
		}
		Map<String, ContainerState> result = new LinkedHashMap<>();
		out.forEach((id, s) -> result.put(id, s.status() == RuntimeStatus.EXITED
			? new ContainerState(s.id(), s.status(), s.pid(), s.exitCode(), oomByExit.get(exitKey(s)), s.startedAt(), s.finishedAt(), s.version())
			: s));
		recentStates.remember(result);
		return result;
	}

	private static String exitKey(ContainerState s) {
		return s.id() + "@" + s.finishedAt();
	}

	@Override
	public Map<String, ContainerStats> stats() throws DriverException {
		Map<String, ContainerState> states = recentStates.recent();
		if (states == null) {
			states = states();
		}
		if (states.values().stream().noneMatch(ContainerState::running)) {
			return Map.of();
		}
		// From the cgroup files of each container's init, as the LXC driver does: no podman stats process per poll.
		return cgroups.sample(states.values());
	}

	// ---------------------------------------------------------------- logs

	/**
	 * The file where Podman keeps a container's output when its log is a k8s-file (the manager creates containers so),
	 * read directly: no process per read, and a log that conmon truncated at its cap (cutting a line) still reads.
	 * Null for another log driver, which {@code podman logs} reads.
	 */
	private LogFile logFile(String id) throws DriverException {
		Path p = logFiles.get(id);
		if (p == null) {
			CommandResult r = run(timeout(), "container", "inspect", "--format", "{{.HostConfig.LogConfig.Type}}\t{{.HostConfig.LogConfig.Path}}", id);
			if (!r.ok()) {
				if (r.stderr().toLowerCase(Locale.ROOT).contains("no such container")) {
					throw notFound(id);
				}
				throw new DriverException(RUNTIME_NAME, DriverException.Kind.FAILED, "Reading the logs of " + id + " failed: " + r.reason());
			}
			String[] f = r.stdout().trim().split("\t", 2);
			if (!f[0].equals("k8s-file") || f.length < 2 || f[1].isBlank()) {
				return null;
			}
			p = Path.of(f[1].trim());
			logFiles.put(id, p);
		}
		return new LogFile(p, null, LogFile.KUBERNETES);
	}

	@Override
	public List<String> logs(String id, int lines) throws DriverException {
		LogFile file = logFile(id);
		if (file != null) {
			try {
				return file.tail(lines);
			} catch (IOException e) {
				throw new DriverException(RUNTIME_NAME, DriverException.Kind.FAILED, "Reading the logs of " + id + " failed: " + e.getMessage(), e);
			}
		}
		List<String> out = Collections.synchronizedList(new ArrayList<>());
		CountDownLatch done = new CountDownLatch(1);
		int[] status = new int[1];
		RunningCommand rc;
		try {
			rc = tools.runner().stream(new Command(argv("logs", "--tail", Integer.toString(lines), id), env(), null, timeout(),
				Command.DEFAULT_MAX_OUTPUT), true, out::add, s -> {
					status[0] = s;
					done.countDown();
				});
		} catch (CommandException e) {
			throw tools.translate(e);
		}
		try {
			if (!done.await(timeout().toMillis(), TimeUnit.MILLISECONDS)) {
				rc.close();
				throw new DriverException(RUNTIME_NAME, DriverException.Kind.TIMED_OUT, "podman logs " + id + " did not finish in time");
			}
		} catch (InterruptedException e) {
			rc.close();
			Thread.currentThread().interrupt();
			throw new DriverException(RUNTIME_NAME, DriverException.Kind.FAILED, "interrupted while reading the logs of " + id);
		}
		if (status[0] != 0) {
			String reason = out.isEmpty() ? "exit " + status[0] : out.get(out.size() - 1);
			if (reason.toLowerCase(Locale.ROOT).contains("no such container")) {
				throw notFound(id);
			}
			throw new DriverException(RUNTIME_NAME, DriverException.Kind.FAILED, "Reading the logs of " + id + " failed: " + reason);
		}
		return List.copyOf(out);
	}

	@Override
	public AutoCloseable followLogs(String id, int lines, Consumer<String> sink) throws DriverException {
		LogFile file = logFile(id);
		if (file != null) {
			try {
				file.tail(lines).forEach(sink);
				LogFile.Follower follower = file.follow(sink);
				ScheduledFuture<?> f = scheduler.scheduleWithFixedDelay(follower::poll, FOLLOW_MS, FOLLOW_MS, TimeUnit.MILLISECONDS);
				return () -> f.cancel(false);
			} catch (IOException e) {
				throw new DriverException(RUNTIME_NAME, DriverException.Kind.FAILED, "Reading the logs of " + id + " failed: " + e.getMessage(), e);
			}
		}
		try {
			RunningCommand rc = tools.runner().stream(new Command(argv("logs", "--follow", "--tail", Integer.toString(lines), id), env(),
				null, timeout(), Command.DEFAULT_MAX_OUTPUT), true, sink, s -> {
				});
			return rc::close;
		} catch (CommandException e) {
			throw tools.translate(e);
		}
	}

	// ---------------------------------------------------------------- health checks

	@Override
	public ExecResult exec(String id, List<String> argv, Duration timeout) throws DriverException {
		List<String> args = new ArrayList<>(List.of("exec", id));
		args.addAll(argv);
		return tools.exec(argv(args), env(), timeout);
	}

	@Override
	public ImageHealthCheck imageHealthCheck(String id) throws DriverException {
		CommandResult r = checkContainer("Inspecting", id, timeout(), "container", "inspect", "--format", "{{json .Config.Healthcheck}}", id);
		Object tree;
		try {
			tree = Json.parse(r.stdout().trim().getBytes(StandardCharsets.UTF_8));
		} catch (Json.SyntaxException e) {
			throw new DriverException(RUNTIME_NAME, DriverException.Kind.BAD_OUTPUT, "podman inspect gave no readable health check for " + id);
		}
		if (!(tree instanceof Map<?, ?> h) || !(h.get("Test") instanceof List<?> test) || test.isEmpty() || "NONE".equals(test.get(0))) {
			return null;
		}
		// Podman writes durations in nanoseconds; 0 means Docker's default.
		return new ImageHealthCheck(nanos(h.get("Interval"), Duration.ofSeconds(30)), nanos(h.get("Timeout"), Duration.ofSeconds(30)),
			h.get("Retries") instanceof Long n && n > 0 ? (int) (long) n : 3, nanos(h.get("StartPeriod"), Duration.ZERO));
	}

	private static Duration nanos(Object v, Duration def) {
		return v instanceof Long n && n > 0 ? Duration.ofNanos(n) : def;
	}

	@Override
	public ExecResult runImageHealthCheck(String id, Duration timeout) throws DriverException {
		return tools.exec(argv("healthcheck", "run", id), env(), timeout);
	}

	// ---------------------------------------------------------------- events

	@Override
	public AutoCloseable events(Consumer<ContainerEvent> listener) {
		AutoCloseable subscription = listeners.add(listener);
		synchronized (this) {
			if (eventStream == null && active) {
				startEvents();
			}
		}
		return () -> {
			subscription.close();
			synchronized (this) {
				if (listeners.isEmpty() && eventStream != null) {
					eventStream.close();
					eventStream = null;
				}
			}
		};
	}

	private synchronized void startEvents() {
		long started = System.nanoTime();
		fullQueries.invalidate(); // what happened while no stream ran is asked for
		try {
			RunningCommand[] self = new RunningCommand[1];
			List<String> args = new ArrayList<>(List.of("events", "--format", "json", "--filter", "type=container", "--filter",
				"label=" + PodmanJson.LABEL_MANAGED + "=true"));
			if (!orphansEnded) {
				orphansEnded = true;
				endOrphanedStreams(argv(args));
			}
			if (eventGapSince != null) {
				args.addAll(List.of("--since", eventGapSince.toString()));
			}
			self[0] = tools.runner().stream(new Command(argv(args), env(), null, timeout(), Command.DEFAULT_MAX_OUTPUT), false,
				this::onEventLine, status -> onEventsEnded(self[0], status, started));
			eventStream = self[0];
			log.debug("Podman event stream started.");
		} catch (CommandException e) {
			log.error("The Podman event stream cannot start ({}); crashes of Podman containers are seen at the next status poll only. Retrying in {} s.",
				e.getMessage(), eventBackoffMs / 1000);
			scheduleEventRestart();
		}
	}

	/**
	 * Ends the event streams of this store that a daemon which died without closing them (kill -9, an exit on
	 * OutOfMemoryError, systemd restarting it with {@code KillMode=process}) left running: each such restart would leave
	 * one more Podman process of some 30 MB for ever. A stream counts as left behind when its command line is this
	 * driver's and its parent is no Java process (init or a subreaper took it over), so that another daemon's stream on
	 * the same store is left alone. Read from /proc, once, before the first stream starts.
	 */
	private void endOrphanedStreams(List<String> ours) {
		try (var procs = Files.newDirectoryStream(Path.of("/proc"), p -> p.getFileName().toString().matches("[0-9]+"))) {
			for (Path proc : procs) {
				try {
					List<String> line = commandLine(proc);
					if (line.size() < ours.size() || !line.subList(0, ours.size()).equals(ours)) {
						continue; // not this driver's stream (a later --since may follow ours)
					}
					String stat = Files.readString(proc.resolve("stat"));
					long parent = Long.parseLong(stat.substring(stat.lastIndexOf(')') + 2).split(" ")[1]);
					List<String> parentLine = commandLine(Path.of("/proc", Long.toString(parent)));
					if (!parentLine.isEmpty() && parentLine.get(0).endsWith("java")) {
						continue; // a live daemon's (or a test's) own stream
					}
					long pid = Long.parseLong(proc.getFileName().toString());
					ProcessHandle.of(pid).ifPresent(ProcessHandle::destroy);
					log.info("Ended a Podman event stream (pid {}) that a daemon which did not stop cleanly left behind.", pid);
				} catch (IOException | RuntimeException e) {
					// it ended meanwhile, or is not ours to read
				}
			}
		} catch (IOException e) {
			// no /proc: nothing to look at
		}
	}

	/** A process's command line, from /proc/<pid>/cmdline (empty when it cannot be read). */
	private static List<String> commandLine(Path proc) throws IOException {
		byte[] b = Files.readAllBytes(proc.resolve("cmdline"));
		List<String> out = new ArrayList<>();
		int start = 0;
		for (int i = 0; i < b.length; i++) {
			if (b[i] == 0) {
				out.add(new String(b, start, i - start, StandardCharsets.UTF_8));
				start = i + 1;
			}
		}
		return out;
	}

	/** Restarts the stream after it ended by itself, with a growing delay while it keeps failing. */
	private synchronized void onEventsEnded(RunningCommand which, int status, long startedNanos) {
		if (eventStream != which || !active || listeners.isEmpty()) {
			return; // closed on purpose
		}
		eventStream = null;
		eventGapSince = Instant.now();
		if (Duration.ofNanos(System.nanoTime() - startedNanos).toSeconds() > 60) {
			eventBackoffMs = 1000;
		}
		log.warn("The Podman event stream ended (exit {}); it restarts in {} s.", status, eventBackoffMs / 1000.0);
		scheduleEventRestart();
	}

	private void scheduleEventRestart() {
		long delay = eventBackoffMs;
		eventBackoffMs = Math.min(eventBackoffMs * 2, 30_000);
		scheduler.schedule(() -> {
			synchronized (this) {
				if (active && eventStream == null && !listeners.isEmpty()) {
					startEvents();
				}
			}
		}, delay, TimeUnit.MILLISECONDS);
	}

	private void onEventLine(String line) {
		if (line.isBlank()) {
			return;
		}
		try {
			Object o = Json.parse(line.getBytes(StandardCharsets.UTF_8));
			if (o instanceof Map) {
				ContainerEvent e = PodmanJson.event((Map<?, ?>) o);
				follow((Map<?, ?>) o, e);
				if (e != null) {
					if (e.type() != ContainerEvent.Type.STARTED) {
						recentStates.forget();
					}
					listeners.fire(e);
				}
			}
		} catch (Json.SyntaxException e) {
			log.warn("Podman's event stream printed a line that is not JSON; it is ignored: {}", line);
		}
	}

	/** Event statuses that change what {@link #states()} answers in ways an event does not say: a full query follows. */
	private static final Set<String> UNACCOUNTED = Set.of("create", "init", "remove", "rename", "pause", "unpause", "restore", "restart");

	/** Keeps {@link #view} as an event says the container is now. */
	private void follow(Map<?, ?> raw, ContainerEvent e) {
		String status = PodmanJson.str(raw.get("Status"));
		if (e == null) {
			if (status == null || UNACCOUNTED.contains(status)) {
				fullQueries.invalidate();
			}
			return;
		}
		ContainerState before = view.get(e.id());
		switch (e.type()) {
			case OOM -> oomKilled.add(e.id());
			case DIED -> {
				deaths.incrementAndGet();
				if (before == null) {
					fullQueries.invalidate();
					return;
				}
				if (before.startedAt() != null && e.at().isBefore(before.startedAt().minusMillis(500))) {
					return; // the death of an earlier run, told again (a new stream replays what it missed)
				}
				if (before.running() && before.pid() > 0 && ProcessHandle.of(before.pid()).map(Processes::running).orElse(false)) {
					return; // the run it knows still lives: the death told is an earlier run's, told late
				}
				Boolean oom = oomKilled.remove(e.id()) ? Boolean.TRUE : null;
				view.put(e.id(), new ContainerState(e.id(), RuntimeStatus.EXITED, 0, e.exitCode(), oom, before.startedAt(), e.at(), before.version()));
			}
			case STARTED -> {
				ContainerState s = null;
				try {
					s = pidFiles.containsKey(e.id()) ? running(e.id()) : null;
				} catch (DriverException x) {
					// the next full query says
				}
				if (s == null || before == null) {
					fullQueries.invalidate();
					return;
				}
				view.put(e.id(), new ContainerState(e.id(), RuntimeStatus.RUNNING, s.pid(), null, null, s.startedAt(), null, before.version()));
			}
			default -> fullQueries.invalidate();
		}
	}

	/** Whether the event stream's process runs (it runs while anyone listens to the driver's events). */
	public synchronized boolean eventStreamRunning() {
		return eventStream != null && eventStream.isAlive();
	}
}
