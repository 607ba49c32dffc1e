package cc.container.driver.lxc.internal;

import cc.container.api.config.DaemonConfig;
import cc.container.api.config.DaemonConfiguration;
import cc.container.api.exec.CommandResult;
import cc.container.api.exec.CommandRunner;
import cc.container.api.runtime.ContainerEvent;
import cc.container.api.runtime.ContainerSpec;
import cc.container.api.runtime.ContainerState;
import cc.container.api.runtime.ContainerStats;
import cc.container.api.runtime.DriverException;
import cc.container.api.runtime.RuntimeDriver;
import cc.container.api.runtime.RuntimeStatus;
import cc.container.util.AtomicFiles;
import cc.container.util.Bounded;
import cc.container.util.Threads;
import cc.container.util.Trees;
import cc.container.util.runtime.Cgroups;
import cc.container.util.runtime.FullQueries;
import cc.container.util.runtime.Listeners;
import cc.container.util.runtime.LogFile;
import cc.container.util.runtime.ProcessWatcher;
import cc.container.util.runtime.Processes;
import cc.container.util.runtime.RecentStates;
import cc.container.util.runtime.ToolRunner;
import cc.container.util.tar.UnpackerFactory;
import cc.container.util.tar.UnsafeArchiveException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.log.Logger;
import org.osgi.service.log.LoggerFactory;

/**
 * The LXC driver. It uses only the tools of a trimmed LXC ({@code lxc-start}, {@code lxc-stop}, {@code lxc-info},
 * {@code lxc-ls}, {@code lxc-attach}), always with {@code -P <working_path>/installed/lxc}, and
 * only ever touches containers in that lxcpath. Status of all containers comes from one {@code lxc-ls}; statistics
 * from the cgroup files of each container's init, without starting a process; a death is told by the kernel the moment
 * the init ends (a pidfd; where the system has none, the init is checked every {@value #WATCH_MS} ms) rather than by
 * polling the tools. Between the full queries of {@code lxc-ls} ({@link FullQueries}: every minute), what runs is what
 * the driver started or found and watches.
 */
@Component(service = RuntimeDriver.class, property = RuntimeDriver.RUNTIME + "=lxc")
public final class LxcDriver implements RuntimeDriver {
	static final String RUNTIME_NAME = "lxc";
	static final String VERSION_FILE = "cc-container-mng.version";
	static final String PID_FILE = "monitor.pid";
	static final String START_LOG = "lxc-start.log";
	/** Files of a container's folder that the manager or LXC write and read: never links, never shared. */
	static final List<String> OWN_FILES = List.of("config", "console.log", "console.log.1", START_LOG, PID_FILE, VERSION_FILE);
	static final long WATCH_MS = 200;
	/**
	 * How often the watched inits are checked when the kernel tells their end itself (a safety net should a pidfd not
	 * tell it): the default {@code monitor_interval}, the worst case of a crash seen by a poll.
	 */
	public static final long WATCH_SAFETY_MS = 10_000; // public: a test tells the kernel's word from this look by it
	/** How often a start looks whether the container's init runs. */
	static final long START_POLL_MS = 5;
	/** Whether setsid(1) is there to give a container's monitor a session of its own. */
	static final boolean SETSID = Files.isExecutable(Path.of("/usr/bin/setsid")) || Files.isExecutable(Path.of("/bin/setsid"));
	private static final Duration STATES_REUSE = Duration.ofSeconds(5);
	/** The largest LXC config accepted. */
	static final int MAX_CONFIG = 1 << 20;

	private final ToolRunner tools;
	private final Supplier<DaemonConfig> config;
	private final Logger log;
	private final Listeners<ContainerEvent> listeners;
	private final ScheduledExecutorService scheduler;
	private final Map<String, ProcessHandle> watched = new ConcurrentHashMap<>();
	/**
	 * The kernel's word on the inits' ends: null where the system has no pidfd, and until the driver's thread has
	 * opened it (it loads JNA, some 40 ms: not on the daemon's start-up path). It, {@link #closed} and the
	 * registrations of {@link #watched} change under {@link #watchLock} (an ended init leaves {@link #watched} on the
	 * watcher's thread, by a conditional remove).
	 */
	private ProcessWatcher exits;
	private boolean closed;
	private final Object watchLock = new Object();
	private final Cgroups cgroups = new Cgroups();
	private final RecentStates recentStates = new RecentStates(STATES_REUSE);
	private final FullQueries fullQueries = new FullQueries();
	/** The version file of each container folder, read once: only install and rename change it. */
	private final Map<Path, String> versions = new ConcurrentHashMap<>();

	/** The driver, configured by the daemon configuration ({@code runtimes.lxc}, {@code service.working_path}). */
	@Activate
	public LxcDriver(@Reference CommandRunner runner, @Reference DaemonConfiguration daemon,
		@Reference(service = LoggerFactory.class) Logger log) {
		this(runner, daemon::config, log, LxcDriver::openWatcher);
	}

	/** A driver outside a framework (benchmarks, tests), on the configuration {@code config} gives. */
	public static LxcDriver standalone(CommandRunner runner, Supplier<DaemonConfig> config, Logger log) {
		return standalone(runner, config, log, LxcDriver::openWatcher);
	}

	/**
	 * The same whose pidfd watcher {@code opener} opens on the driver's thread (null: the system has none); a test
	 * holds it to start containers before it is open.
	 */
	public static LxcDriver standalone(CommandRunner runner, Supplier<DaemonConfig> config, Logger log, Supplier<ProcessWatcher> opener) {
		return new LxcDriver(runner, config, log, opener);
	}

	private static ProcessWatcher openWatcher() {
		return ProcessWatcher.open("cc-lxc-exits");
	}

	// Private: Felix SCR looks for the activation constructor among the public ones with as many parameters, and logs
	// an error for every other one whose parameter types it cannot give.
	private LxcDriver(CommandRunner runner, Supplier<DaemonConfig> config, Logger log, Supplier<ProcessWatcher> opener) {
		this.tools = new ToolRunner(RUNTIME_NAME, runner);
		this.config = config;
		this.log = log;
		this.listeners = new Listeners<>(log::warn);
		this.scheduler = Threads.scheduler("cc-lxc-driver");
		scheduler.execute(() -> openWatcher(opener));
	}

	/**
	 * Opens the pidfd watcher on the driver's thread, gives it the inits watched meanwhile, and starts the periodic
	 * check: every {@value #WATCH_MS} ms without a watcher, else only as a safety net.
	 */
	private void openWatcher(Supplier<ProcessWatcher> opener) {
		ProcessWatcher w;
		try {
			w = opener.get();
		} catch (RuntimeException | Error e) {
			log.warn("The kernel cannot tell the LXC driver when a container's init ends ({}); it looks at them every {} ms instead.", e, WATCH_MS);
			w = null;
		}
		synchronized (watchLock) {
			if (closed) {
				if (w != null) {
					w.close();
				}
				return;
			}
			exits = w;
			if (w != null) {
				ProcessWatcher opened = w;
				watched.forEach((id, init) -> opened.watch(id, init, () -> ended(id, init)));
			}
			long check = w == null ? WATCH_MS : WATCH_SAFETY_MS;
			scheduler.scheduleWithFixedDelay(this::watch, check, check, TimeUnit.MILLISECONDS);
		}
	}

	@Deactivate
	public void close() {
		ProcessWatcher w;
		synchronized (watchLock) {
			closed = true;
			w = exits;
			exits = null;
		}
		scheduler.shutdownNow();
		if (w != null) {
			w.close();
		}
	}

	/** Watches a container's init: its end is a died event. */
	private void watch(String id, ProcessHandle init) {
		synchronized (watchLock) {
			ProcessHandle before = watched.put(id, init);
			if (exits != null && !init.equals(before)) {
				exits.watch(id, init, () -> ended(id, init));
			}
		}
	}

	private void unwatch(String id) {
		synchronized (watchLock) {
			if (watched.remove(id) != null && exits != null) {
				exits.unwatch(id);
			}
		}
	}

	/** Stops watching {@code init} as {@code id}'s init, unless another one is watched for it by now. */
	private void unwatch(String id, ProcessHandle init) {
		synchronized (watchLock) {
			if (watched.remove(id, init) && exits != null) {
				exits.unwatch(id);
			}
		}
	}

	/** A watched init ended. */
	private void ended(String id, ProcessHandle init) {
		if (watched.remove(id, init)) {
			recentStates.forget();
			log.debug("The init process {} of LXC container {} ended.", init.pid(), id);
			listeners.fire(new ContainerEvent(id, ContainerEvent.Type.DIED, Instant.now(), null));
		}
	}

	@Override
	public String runtime() {
		return RUNTIME_NAME;
	}

	// ---------------------------------------------------------------- tools

	Path lxcPath() {
		return config.get().service().lxcPath();
	}

	private Path dir(String id) {
		return lxcPath().resolve(id);
	}

	private Duration timeout() {
		return config.get().service().commandTimeout();
	}

	private List<String> argv(String tool, String... args) {
		Path toolsDir = config.get().runtimes().lxc().toolsDir();
		List<String> argv = new ArrayList<>();
		argv.add(toolsDir == null ? tool : toolsDir.resolve(tool).toString());
		argv.add("-P");
		argv.add(lxcPath().toString());
		argv.addAll(List.of(args));
		return argv;
	}

	private CommandResult run(Duration timeout, String tool, String... args) throws DriverException {
		return tools.run(argv(tool, args), Map.of(), timeout);
	}

	private void requireExists(String id) throws DriverException {
		if (!Files.isRegularFile(dir(id).resolve("config"))) {
			throw new DriverException(RUNTIME_NAME, DriverException.Kind.NOT_FOUND, "LXC has no container " + id + " in " + lxcPath());
		}
	}

	// ---------------------------------------------------------------- install

	@Override
	public void install(ContainerSpec spec, Path payload) throws DriverException {
		Path target = dir(spec.id());
		if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
			throw new DriverException(RUNTIME_NAME, DriverException.Kind.FAILED, "LXC already has a container named " + spec.id());
		}
		Path staging = lxcPath().resolve(".staging-" + spec.id() + "-" + System.nanoTime());
		try {
			Files.createDirectories(staging);
			try (InputStream in = new GZIPInputStream(Files.newInputStream(payload), 65536)) {
				UnpackerFactory.rootfs(Files.getFileStore(staging).getUsableSpace()).unpack(in, staging);
			} catch (ZipException e) {
				throw bad(spec.id(), "is not a gzip-compressed tar (" + e.getMessage() + ")");
			} catch (UnsafeArchiveException e) {
				throw bad(spec.id(), "is refused: " + e.getMessage());
			} catch (IOException e) {
				if (e instanceof NoSuchFileException) {
					throw e;
				}
				throw bad(spec.id(), "cannot be unpacked: " + Bounded.describe(e));
			}
			Path root = bundleRoot(staging);
			if (root == null) {
				throw bad(spec.id(), "has no config file and rootfs/ folder, neither at its top nor in one single top-level folder");
			}
			String why = outsideLinks(root);
			if (why != null) {
				throw bad(spec.id(), "is refused: " + why);
			}
			Path config = root.resolve("config");
			String rewritten;
			try {
				rewritten = LxcConfigFile.rewrite(new String(Bounded.read(config, MAX_CONFIG), StandardCharsets.UTF_8), target, spec.id(),
					this.config.get().service().containerLogMaxSize());
			} catch (LxcConfigFile.Refused e) {
				throw bad(spec.id(), "is refused: " + e.getMessage());
			}
			AtomicFiles.write(config, rewritten.getBytes(StandardCharsets.UTF_8));
			if (spec.version() != null) {
				AtomicFiles.write(root.resolve(VERSION_FILE), spec.version().getBytes(StandardCharsets.UTF_8));
			}
			Files.move(root, target, StandardCopyOption.ATOMIC_MOVE);
			AtomicFiles.forceDirectory(lxcPath());
			log.info("Container {} installed from {} into {}.", spec.id(), payload.getFileName(), target);
		} catch (IOException e) {
			throw new DriverException(RUNTIME_NAME, DriverException.Kind.FAILED,
				"Installing LXC container " + spec.id() + " failed: " + Bounded.describe(e), e);
		} finally {
			Trees.deleteQuietly(staging);
			versions.remove(dir(spec.id()));
			recentStates.forget();
		}
	}

	/**
	 * Why a bundle's own files cannot be installed, or null: outside {@code rootfs/} a symbolic link must stay in the
	 * bundle (inside {@code rootfs/} absolute links point inside the container and are fine), and the files the manager
	 * and LXC read and write ({@link #OWN_FILES}) must be plain files of their own or absent, never links.
	 */
	static String outsideLinks(Path root) throws IOException {
		for (String own : OWN_FILES) {
			Path p = root.resolve(own);
			if (Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
				if (!Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
					return "its " + own + " is " + (Files.isSymbolicLink(p) ? "a link to " + Files.readSymbolicLink(p) : "not a plain file");
				}
				if (((Number) Files.getAttribute(p, "unix:nlink", LinkOption.NOFOLLOW_LINKS)).intValue() > 1) {
					return "its " + own + " is a hard link to another file";
				}
			}
		}
		String[] found = { null };
		Path rootfs = root.resolve("rootfs");
		Files.walkFileTree(root, new java.nio.file.SimpleFileVisitor<>() {
			@Override
			public java.nio.file.FileVisitResult preVisitDirectory(Path d, java.nio.file.attribute.BasicFileAttributes a) {
				return d.equals(rootfs) ? java.nio.file.FileVisitResult.SKIP_SUBTREE : java.nio.file.FileVisitResult.CONTINUE;
			}

			@Override
			public java.nio.file.FileVisitResult visitFile(Path f, java.nio.file.attribute.BasicFileAttributes a) throws IOException {
				if (a.isSymbolicLink()) {
					Path to = Files.readSymbolicLink(f);
					if (to.isAbsolute() || !f.getParent().resolve(to).normalize().startsWith(root)) {
						found[0] = "the link " + root.relativize(f) + " points outside the bundle (" + to + "); only links under rootfs/ may";
						return java.nio.file.FileVisitResult.TERMINATE;
					}
				}
				return java.nio.file.FileVisitResult.CONTINUE;
			}
		});
		return found[0];
	}

	private DriverException bad(String id, String what) {
		return new DriverException(RUNTIME_NAME, DriverException.Kind.BAD_ARTIFACT, "The LXC bundle of " + id + " " + what);
	}

	/**
	 * The folder holding {@code config} and {@code rootfs/}: the top, or else the one folder at the top (files beside
	 * it are ignored, as the package generator ignores them).
	 */
	static Path bundleRoot(Path top) throws IOException {
		if (isBundle(top)) {
			return top;
		}
		try (Stream<Path> s = Files.list(top)) {
			List<Path> dirs = s.filter(p -> Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)).toList();
			if (dirs.size() == 1 && isBundle(dirs.get(0))) {
				return dirs.get(0);
			}
		}
		return null;
	}

	private static boolean isBundle(Path p) {
		return Files.isRegularFile(p.resolve("config"), LinkOption.NOFOLLOW_LINKS)
			&& Files.isDirectory(p.resolve("rootfs"), LinkOption.NOFOLLOW_LINKS);
	}

	// ---------------------------------------------------------------- lifecycle

	@Override
	public void start(String id) throws DriverException {
		startAndGet(id);
	}

	@Override
	public ContainerState startAndGet(String id) throws DriverException {
		requireExists(id);
		awaitPreviousMonitor(id);
		Path startLog = dir(id).resolve(START_LOG);
		try {
			Files.deleteIfExists(startLog);
		} catch (IOException e) {
			// the log only explains failures
		}
		Path pidFile = dir(id).resolve(PID_FILE);
		try {
			Files.deleteIfExists(pidFile);
		} catch (IOException e) {
			// a stale pid file is checked against the process's start time anyway
		}
		ProcessHandle init = startDetached(id, startLog, pidFile);
		recentStates.forget();
		if (init == null) {
			return states().get(id); // it ran and ended at once
		}
		watch(id, init);
		listeners.fire(new ContainerEvent(id, ContainerEvent.Type.STARTED, Instant.now(), null));
		return new ContainerState(id, RuntimeStatus.RUNNING, init.pid(), null, null, init.info().startInstant().orElse(Instant.now()), null,
			version(id));
	}

	/**
	 * Starts a container's monitor in the foreground mode of {@code lxc-start} ({@code -F}), detached from the daemon
	 * (its own session, its parent the system's init): in that mode LXC gives the container's init the console as its
	 * standard output and error, so what the init prints reaches {@code console.log} (in the daemon mode of
	 * {@code lxc-start} it goes to {@code /dev/null}). The monitor outlives the daemon, as the daemon mode's would.
	 * Returns the init once it runs the container's program, or null when the container ran and ended at once; a monitor
	 * that ends with an error in its log failed.
	 */
	private ProcessHandle startDetached(String id, Path startLog, Path pidFile) throws DriverException {
		List<String> argv = new ArrayList<>(List.of("sh", "-c", (SETSID ? "setsid " : "") + "\"$@\" </dev/null >/dev/null 2>&1 & echo $!", "sh"));
		argv.addAll(argv("lxc-start", "-F", "-n", id, "-o", startLog.toString(), "-l", "ERROR", "-p", pidFile.toString()));
		CommandResult r = tools.run(argv, Map.of(), timeout());
		ProcessHandle monitor;
		try {
			monitor = r.ok() ? ProcessHandle.of(Long.parseLong(r.stdout().trim())).orElse(null) : null;
		} catch (NumberFormatException e) {
			monitor = null;
		}
		if (monitor == null && !r.ok()) {
			throw new DriverException(RUNTIME_NAME, DriverException.Kind.FAILED, "Starting LXC container " + id + " failed: " + r.reason());
		}
		long deadline = System.nanoTime() + timeout().toNanos();
		while (true) {
			ProcessHandle init = monitor == null ? null : monitor.children().filter(Processes::running).findFirst().orElse(null);
			if (init != null && !sameProgram(init, monitor)) {
				return init;
			}
			if (monitor == null || !Processes.running(monitor)) {
				// Ended already: a failure says why in its log (errors only); a container that ran and ended at once
				// is no failure of the start (its death is seen as any other).
				String why = lastLine(startLog);
				if (why.isEmpty()) {
					return null;
				}
				throw new DriverException(RUNTIME_NAME, DriverException.Kind.FAILED, "Starting LXC container " + id + " failed: " + why);
			}
			if (System.nanoTime() > deadline) {
				monitor.destroyForcibly();
				throw new DriverException(RUNTIME_NAME, DriverException.Kind.TIMED_OUT, "LXC container " + id + " did not start within "
					+ timeout().toSeconds() + " s; its monitor was killed");
			}
			try {
				Thread.sleep(START_POLL_MS);
			} catch (InterruptedException e) {
				monitor.destroyForcibly();
				Thread.currentThread().interrupt();
				throw new DriverException(RUNTIME_NAME, DriverException.Kind.FAILED, "interrupted while LXC container " + id + " started; it was stopped");
			}
		}
	}

	/** Whether {@code child} still runs its parent's program (it has not yet run the container's init). */
	private static boolean sameProgram(ProcessHandle child, ProcessHandle parent) {
		return child.info().command().equals(parent.info().command());
	}

	/**
	 * The live init process of a container, or {@code null}: {@code lxc-start -p} writes the pid of the container's
	 * monitor, whose one child is the container's init.
	 */
	private ProcessHandle initProcess(String id) {
		ProcessHandle monitor = monitor(id);
		return monitor == null ? null : monitor.children().filter(Processes::running).findFirst().orElse(null);
	}

	/**
	 * The live monitor of a container's last start, or {@code null}. A monitor pid that was reused by another process
	 * since is told apart by its start time, which cannot be after the file was written.
	 */
	private ProcessHandle monitor(String id) {
		Path pidFile = dir(id).resolve(PID_FILE);
		try {
			long pid = Long.parseLong(Files.readString(pidFile).trim());
			Instant written = Files.getLastModifiedTime(pidFile).toInstant();
			ProcessHandle monitor = ProcessHandle.of(pid).orElse(null);
			if (monitor == null || !Processes.running(monitor)) {
				return null;
			}
			Instant started = monitor.info().startInstant().orElse(null);
			return started == null || started.isAfter(written.plusSeconds(5)) ? null : monitor;
		} catch (IOException | NumberFormatException e) {
			return null;
		}
	}

	/**
	 * Waits, up to the command timeout, for the monitor of a run whose init ended to finish its clean-up: the kernel
	 * tells the init's end at once, and a restart with no delay would otherwise meet the old monitor's pid file and
	 * network and be refused.
	 */
	private void awaitPreviousMonitor(String id) {
		ProcessHandle previous = monitor(id);
		if (previous == null || previous.children().anyMatch(Processes::running)) {
			return; // none, or the container runs: lxc-start says so
		}
		long deadline = System.nanoTime() + timeout().toNanos();
		while (Processes.running(previous) && System.nanoTime() < deadline) {
			try {
				Thread.sleep(START_POLL_MS);
			} catch (InterruptedException e) {
				Thread.currentThread().interrupt();
				return;
			}
		}
	}

	private static String lastLine(Path file) {
		try {
			List<String> lines = new LogFile(file, null, LogFile.PLAIN).tail(20);
			for (int i = lines.size() - 1; i >= 0; i--) {
				String l = lines.get(i).trim();
				if (!l.isEmpty()) {
					int dash = l.lastIndexOf(" - ");
					return dash >= 0 ? l.substring(dash + 3) : l;
				}
			}
		} catch (IOException e) {
			// nothing logged
		}
		return "";
	}

	private long pid(String id) throws DriverException {
		CommandResult r = run(timeout(), "lxc-info", "-n", id, "-p", "-H");
		String out = r.stdout().trim();
		if (!r.ok() || out.isEmpty()) {
			return 0;
		}
		try {
			return Long.parseLong(out);
		} catch (NumberFormatException e) {
			throw new DriverException(RUNTIME_NAME, DriverException.Kind.BAD_OUTPUT, "lxc-info answered \"" + out + "\" for the pid of " + id);
		}
	}

	@Override
	public void stop(String id, Duration grace) throws DriverException {
		requireExists(id);
		CommandResult r = grace.isZero() ? run(timeout(), "lxc-stop", "-n", id, "-k")
			: run(timeout().plus(grace), "lxc-stop", "-n", id, "-t", Long.toString(Math.max(1, grace.toSeconds())));
		if (!r.ok() && !notRunning(r)) {
			throw tools.failed("Stopping LXC container " + id, r);
		}
		recentStates.forget();
	}

	private static boolean notRunning(CommandResult r) {
		return (r.stderr() + r.stdout()).contains("is not running");
	}

	@Override
	public void rename(String id, String newId) throws DriverException {
		requireExists(id);
		if (Files.exists(dir(newId), LinkOption.NOFOLLOW_LINKS)) {
			throw new DriverException(RUNTIME_NAME, DriverException.Kind.FAILED, "LXC already has a container named " + newId);
		}
		ContainerState now = states().get(id);
		if (now != null && now.running()) {
			throw new DriverException(RUNTIME_NAME, DriverException.Kind.FAILED, "LXC container " + id + " must be stopped to be renamed");
		}
		try {
			Path config = dir(id).resolve("config");
			String rewritten;
			try {
				String text = new String(Bounded.read(config, MAX_CONFIG), StandardCharsets.UTF_8);
				rewritten = LxcConfigFile.rewrite(text, dir(newId), newId, LxcConfigFile.consoleSize(text));
			} catch (LxcConfigFile.Refused e) {
				throw new DriverException(RUNTIME_NAME, DriverException.Kind.FAILED, "Renaming LXC container " + id + " failed: " + e.getMessage());
			}
			Files.move(dir(id), dir(newId), StandardCopyOption.ATOMIC_MOVE);
			AtomicFiles.write(dir(newId).resolve("config"), rewritten.getBytes(StandardCharsets.UTF_8));
			AtomicFiles.forceDirectory(lxcPath());
		} catch (IOException e) {
			throw new DriverException(RUNTIME_NAME, DriverException.Kind.FAILED, "Renaming LXC container " + id + " failed: " + e.getMessage(), e);
		} finally {
			versions.remove(dir(id));
			versions.remove(dir(newId));
		}
		recentStates.forget();
	}

	/**
	 * Stops the container and deletes its folder, and only its folder: {@code lxc-destroy} is not used, since it
	 * deletes whatever root file system the config names (and runs the config's destroy hooks as root on the host).
	 */
	@Override
	public void remove(String id) throws DriverException {
		requireExists(id);
		CommandResult stop = run(timeout(), "lxc-stop", "-n", id, "-k");
		if (!stop.ok() && !notRunning(stop)) {
			throw tools.failed("Stopping LXC container " + id + " for its removal", stop);
		}
		unwatch(id);
		try {
			Trees.delete(dir(id));
		} catch (IOException e) {
			throw new DriverException(RUNTIME_NAME, DriverException.Kind.FAILED, "Removing LXC container " + id + " failed: " + e.getMessage(), e);
		} finally {
			cgroups.forget(id);
			versions.remove(dir(id));
			recentStates.forget();
		}
	}

	// ---------------------------------------------------------------- queries

	/**
	 * One {@code lxc-ls --running} (names only: the fancy listing asks every container's monitor and costs ten times
	 * more) tells which containers run; the folders of the lxcpath tell which exist; the init process of a running
	 * one comes from the watch list or the pid file of its start, and only for a container started by someone else
	 * from {@code lxc-info}.
	 */
	@Override
	public Map<String, ContainerState> states() throws DriverException {
		if (!Files.isDirectory(lxcPath())) {
			recentStates.remember(Map.of());
			return Map.of();
		}
		Set<String> running = null;
		long begun = 0;
		if (fullQueries.due()) {
			begun = fullQueries.begin();
			running = running();
		}
		List<String> all;
		try (Stream<Path> s = Files.list(lxcPath())) {
			all = s.filter(d -> Files.isRegularFile(d.resolve("config"))).map(d -> d.getFileName().toString())
				.filter(n -> !n.startsWith(".")).sorted().toList();
		} catch (IOException e) {
			throw new DriverException(RUNTIME_NAME, DriverException.Kind.FAILED, "Cannot list " + lxcPath() + ": " + e.getMessage(), e);
		}
		Map<String, ContainerState> out = new LinkedHashMap<>();
		for (String id : all) {
			ProcessHandle init = watched.get(id);
			// Between two full queries, what runs is what the driver started or found and watches. A watched init that
			// lives runs, whatever a full query begun before its start said.
			boolean runs = running != null && running.contains(id) || init != null && Processes.running(init);
			if (!runs) {
				if (init != null) {
					unwatch(id, init); // that one only: a start meanwhile watches its own
				}
				out.put(id, new ContainerState(id, RuntimeStatus.EXITED, 0, null, null, null, null, version(id)));
				continue;
			}
			if (init == null || !Processes.running(init)) {
				init = initProcess(id);
			}
			if (init == null) {
				long pid = pid(id);
				init = pid > 0 ? ProcessHandle.of(pid).orElse(null) : null;
			}
			if (init == null) {
				out.put(id, new ContainerState(id, RuntimeStatus.TRANSITIONING, 0, null, null, null, null, version(id)));
				fullQueries.invalidate();
				continue;
			}
			if (!init.equals(watched.get(id))) {
				watch(id, init);
			}
			out.put(id, new ContainerState(id, RuntimeStatus.RUNNING, init.pid(), null, null, init.info().startInstant().orElse(null), null,
				version(id)));
		}
		if (running != null) {
			fullQueries.complete(begun);
		}
		recentStates.remember(out);
		return out;
	}

	/** The containers {@code lxc-ls} says run: the full query, at least every minute. */
	private Set<String> running() throws DriverException {
		CommandResult r = run(timeout(), "lxc-ls", "--running", "-1");
		if (!r.ok()) {
			throw tools.failed("Listing LXC containers", r);
		}
		Set<String> running = new HashSet<>();
		for (String line : r.stdout().split("\n")) {
			String name = line.trim();
			if (name.isEmpty()) {
				continue;
			}
			if (!ContainerSpec.isValidId(name) && !name.startsWith(".")) {
				throw new DriverException(RUNTIME_NAME, DriverException.Kind.BAD_OUTPUT, "lxc-ls answered a line it should not: " + line);
			}
			running.add(name);
		}
		return running;
	}

	static RuntimeStatus status(String lxcState) {
		switch (lxcState) {
			case "RUNNING":
				return RuntimeStatus.RUNNING;
			case "STOPPED":
				return RuntimeStatus.EXITED;
			case "FROZEN":
			case "FREEZING":
				return RuntimeStatus.PAUSED;
			case "STARTING":
			case "STOPPING":
			case "ABORTING":
			case "THAWED":
				return RuntimeStatus.TRANSITIONING;
			default:
				return RuntimeStatus.UNKNOWN;
		}
	}

	private String version(String id) {
		Path d = dir(id);
		String v = versions.get(d);
		if (v == null) {
			try {
				v = Files.readString(d.resolve(VERSION_FILE)).trim();
				versions.put(d, v);
			} catch (IOException e) {
				return null;
			}
		}
		return v;
	}

	@Override
	public Map<String, ContainerStats> stats() throws DriverException {
		Map<String, ContainerState> states = recentStates.recent();
		if (states == null) {
			states = states();
		}
		return cgroups.sample(states.values());
	}

	// ---------------------------------------------------------------- logs

	/** A container's console log: what its init and its programs write to the console, capped by LXC's rotation. */
	private LogFile console(String id) {
		Path log = dir(id).resolve("console.log");
		return new LogFile(log, log.resolveSibling("console.log.1"), LogFile.PLAIN);
	}

	@Override
	public List<String> logs(String id, int lines) throws DriverException {
		requireExists(id);
		try {
			return console(id).tail(lines);
		} catch (IOException e) {
			throw new DriverException(RUNTIME_NAME, DriverException.Kind.FAILED, "Reading the console log of " + id + " failed: " + e.getMessage(), e);
		}
	}

	@Override
	public AutoCloseable followLogs(String id, int lines, Consumer<String> sink) throws DriverException {
		requireExists(id);
		LogFile console = console(id);
		try {
			console.tail(lines).forEach(sink);
			LogFile.Follower follower = console.follow(sink);
			ScheduledFuture<?> f = scheduler.scheduleWithFixedDelay(follower::poll, 250, 250, TimeUnit.MILLISECONDS);
			return () -> f.cancel(false);
		} catch (IOException e) {
			throw new DriverException(RUNTIME_NAME, DriverException.Kind.FAILED, "Reading the console log of " + id + " failed: " + e.getMessage(), e);
		}
	}

	// ---------------------------------------------------------------- health checks

	/** Runs {@code argv} in the container with {@code lxc-attach}; a device without it says so (use a tcp or http check). */
	@Override
	public ExecResult exec(String id, List<String> argv, Duration timeout) throws DriverException {
		requireExists(id);
		List<String> args = new ArrayList<>(List.of("-n", id, "--"));
		args.addAll(argv);
		return tools.exec(argv("lxc-attach", args.toArray(String[]::new)), Map.of(), timeout);
	}

	// ---------------------------------------------------------------- events

	@Override
	public AutoCloseable events(Consumer<ContainerEvent> listener) {
		return listeners.add(listener);
	}

	/** Reports the death of every watched init process. */
	private void watch() {
		for (Map.Entry<String, ProcessHandle> e : watched.entrySet()) {
			if (!Processes.running(e.getValue())) {
				ended(e.getKey(), e.getValue());
			}
		}
	}
}
