package cc.container.dcp.internal;

import cc.container.api.ContainerReport;
import cc.container.api.ContainerStatus;
import cc.container.api.InstallException;
import cc.container.api.Installer;
import cc.container.api.Supervisor;
import cc.container.api.SupervisorException;
import cc.container.api.config.ConfigException;
import cc.container.api.config.ContainerConfig;
import cc.container.api.config.ContainersConfiguration;
import cc.container.api.config.DaemonConfiguration;
import cc.container.api.config.SecuritySettings;
import cc.container.api.runtime.ContainerSpec;
import cc.container.api.runtime.ContainerState;
import cc.container.api.runtime.DriverException;
import cc.container.api.runtime.RuntimeDriver;
import cc.container.api.runtime.RuntimeDrivers;
import cc.container.util.AtomicFiles;
import cc.container.util.Bounded;
import cc.container.util.PrivateDir;
import cc.container.util.Threads;
import cc.container.util.Trees;
import cc.container.util.dcp.DcpException;
import cc.container.util.dcp.Manifest;
import cc.container.util.dcp.PackageReader;
import cc.container.util.json.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.log.Logger;
import org.osgi.service.log.LoggerFactory;

/**
 * The DCP installer. Everything happens under {@code <working_path>/staging/}: a package is verified there in one
 * streaming pass (only its payload is written), and only a fully verified payload is handed to its runtime.
 *
 * <p>All or nothing: before the runtime is touched, a journal ({@code staging/<id>.journal}) records what is being
 * done; the containers configuration entry is the commit point. When the daemon starts with a journal left behind by a
 * crash, the installation is completed if its entry was written, and otherwise undone (the runtime's container is
 * removed); an interrupted update puts the previous version back. Operations run one at a time on the installer's own
 * thread.
 */
@Component(service = Installer.class, immediate = true)
public final class InstallerImpl implements Installer {
	/** How long an updated container must keep running before the update counts as good. */
	public static final Duration SETTLE = Duration.ofSeconds(5);
	/** Space kept free on the working path's file system. */
	public static final long RESERVE = 16L << 20;

	private final DaemonConfiguration daemon;
	private final ContainersConfiguration containers;
	private final Supervisor supervisor;
	private final Logger log;
	private final RuntimeDrivers drivers;
	private final AutoCloseable watch;
	/** One operation at a time, on a thread made when one comes and gone 10 s after the last. */
	private final ThreadPoolExecutor worker = new ThreadPoolExecutor(0, 1, 10, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
		Threads.named("cc-installer"));
	private final Duration settle;
	private final long reserve;

	/** The installer component; cleans the staging folder and finishes what a crash interrupted. */
	@Activate
	public InstallerImpl(@Reference DaemonConfiguration daemon, @Reference ContainersConfiguration containers, @Reference Supervisor supervisor,
		@Reference RuntimeDrivers drivers, @Reference(service = LoggerFactory.class) Logger log) {
		this(daemon, containers, supervisor, drivers, log, SETTLE, RESERVE);
	}

	/**
	 * An installer outside a framework (benchmarks, tests).
	 *
	 * @param settle how long an updated container must keep running before the update counts as good
	 * @param reserve the bytes kept free on the working path's file system
	 */
	public InstallerImpl(DaemonConfiguration daemon, ContainersConfiguration containers, Supervisor supervisor, RuntimeDrivers drivers, Logger log,
		Duration settle, long reserve) {
		this.reserve = reserve;
		this.daemon = daemon;
		this.containers = containers;
		this.supervisor = supervisor;
		this.drivers = drivers;
		this.log = log;
		this.settle = settle;
		worker.execute(this::cleanStaging);
		// A driver that comes (at start, after a field upgrade of its bundle): journals of its runtime can be recovered.
		this.watch = drivers.watch((runtime, previous, current) -> {
			if (current != null) {
				worker.execute(() -> recover(runtime));
			}
		});
	}

	/** Stops the installer (an operation under way is interrupted; its journal finishes it at the next start). */
	@Deactivate
	public void close() {
		try {
			watch.close();
		} catch (Exception e) {
			// the whiteboard is going away
		}
		worker.shutdownNow();
	}

	Path staging() {
		return daemon.config().service().workingPath().resolve("staging");
	}

	private <T> T run(Callable<T> task) throws InstallException {
		Future<T> f = worker.submit(task);
		try {
			return f.get();
		} catch (ExecutionException e) {
			if (e.getCause() instanceof InstallException) {
				throw (InstallException) e.getCause();
			}
			throw new InstallException(InstallException.Kind.FAILED, String.valueOf(e.getCause()), e.getCause());
		} catch (InterruptedException e) {
			f.cancel(true);
			Thread.currentThread().interrupt();
			throw new InstallException(InstallException.Kind.FAILED, "interrupted", e);
		}
	}

	private RuntimeDriver driver(String runtime) throws InstallException {
		return drivers.driver(runtime).orElseThrow(() -> new InstallException(InstallException.Kind.UNAVAILABLE,
			"the " + runtime + " driver is not available (being upgraded?); try again shortly", null));
	}

	// ---------------------------------------------------------------- verification

	/** Verifies a package into a fresh staging folder; deletes the folder when the package is refused, whatever failed. */
	private PackageReader.Verified verify(Path dcp, Path dir, Consumer<String> progress) throws InstallException {
		boolean verified = false;
		try {
			PrivateDir.ensure(staging());
			Files.createDirectories(dir);
			long free = Files.getFileStore(dir).getUsableSpace() - reserve;
			PackageReader.Verified v = PackageReader.verify(dcp, dir, Math.max(0, free), progress);
			// Before the runtime sees it: whether the device trusts it, and what it may ask of the host then.
			SecuritySettings security = daemon.config().security();
			String file = dcp.getFileName().toString();
			String signer = PackageTrust.signer(v, security, file);
			PackageTrust.policy(v, signer, security, file);
			if (signer != null) {
				log.info("{} is signed by the trusted key {}.", file, signer);
			}
			verified = true;
			return v;
		} catch (DcpException e) {
			throw new InstallException(InstallException.Kind.BAD_PACKAGE, dcp.getFileName() + ": " + e.getMessage(), e);
		} catch (java.nio.file.NoSuchFileException e) {
			throw new InstallException(InstallException.Kind.BAD_PACKAGE, "there is no package " + dcp, e);
		} catch (IOException e) {
			String why = Bounded.describe(e);
			boolean full = why.startsWith("the file system is full");
			throw new InstallException(full ? InstallException.Kind.FAILED : InstallException.Kind.BAD_PACKAGE, dcp.getFileName()
				+ (full ? " cannot be staged in " + staging() + ": " + why : " cannot be read: " + why), e);
		} finally {
			if (!verified) {
				Trees.deleteQuietly(dir);
			}
		}
	}

	private Path newStagingDir() {
		return staging().resolve("pkg-" + Long.toHexString(System.nanoTime()));
	}

	// ---------------------------------------------------------------- install

	@Override
	public ContainerReport install(Path dcp, String id, boolean start, Consumer<String> progress) throws InstallException {
		checkId(id);
		return run(() -> doInstall(dcp, id, start, progress));
	}

	private static void checkId(String id) throws InstallException {
		if (id != null && !ContainerConfig.ID.matcher(id).matches()) {
			throw new InstallException(InstallException.Kind.CONFLICT, "\"" + id
				+ "\" is not a valid container id: use 1 to 64 letters, digits, '_', '.' or '-', starting with a letter or digit", null);
		}
	}

	private ContainerReport doInstall(Path dcp, String asId, boolean start, Consumer<String> progress) throws InstallException {
		Path dir = newStagingDir();
		PackageReader.Verified v = verify(dcp, dir, progress);
		Manifest m = v.manifest();
		String id = asId != null ? asId : m.containerId();
		try {
			if (containers.container(id).isPresent()) {
				throw new InstallException(InstallException.Kind.CONFLICT, id + " is already installed; use update to replace it", null);
			}
			RuntimeDriver d = driver(m.runtime());
			if (states(d).containsKey(id)) {
				throw new InstallException(InstallException.Kind.CONFLICT, "the " + m.runtime() + " runtime already has a container named " + id
					+ " that the manager does not manage; remove it first", null);
			}
			journal(Journal.install(id, m.runtime()));
			progress.accept("loading");
			try {
				d.install(ContainerSpec.of(m.registration(id)), v.payload());
			} catch (DriverException e) {
				dropJournal(id);
				throw new InstallException(e.kind() == DriverException.Kind.BAD_ARTIFACT ? InstallException.Kind.BAD_PACKAGE
					: InstallException.Kind.FAILED, dcp.getFileName() + ": " + e.getMessage(), e);
			}
			try {
				containers.put(m.registration(id));
			} catch (ConfigException e) {
				undoRuntime(d, id);
				dropJournal(id);
				throw new InstallException(InstallException.Kind.FAILED, e.getMessage(), e);
			}
			dropJournal(id);
			boolean run = start && m.autostart();
			if (run) {
				progress.accept("starting");
			}
			log.info("Container {} {} installed from {}.", id, m.version(), dcp.getFileName());
			try {
				return supervisor.manage(id, run);
			} catch (SupervisorException e) {
				throw new InstallException(InstallException.Kind.FAILED, id + " is installed but did not start: " + e.getMessage(), e);
			}
		} finally {
			deleteTree(dir);
		}
	}

	private Map<String, ContainerState> states(RuntimeDriver d) throws InstallException {
		try {
			return d.states();
		} catch (DriverException e) {
			throw new InstallException(InstallException.Kind.FAILED, e.getMessage(), e);
		}
	}

	private void undoRuntime(RuntimeDriver d, String id) {
		try {
			d.remove(id);
		} catch (DriverException e) {
			log.error("Undoing the installation of {} failed: {}", id, e.getMessage());
		}
	}

	// ---------------------------------------------------------------- update

	@Override
	public ContainerReport update(Path dcp, String id, boolean force, Consumer<String> progress) throws InstallException {
		checkId(id);
		return run(() -> doUpdate(dcp, id, force, progress));
	}

	/**
	 * The error for an update of a container that is not installed. The vendor's first generators gave every build a
	 * new {@code package_id} ({@code <id>-<milliseconds in base 36>}): when one installed container came from a build
	 * of the same manifest, the sentence names it and how to update it.
	 */
	private InstallException notInstalled(String id, Manifest m, Path dcp) {
		String stem = stem(m.packageId());
		if (stem != null) {
			for (ContainerConfig c : containers.containers()) {
				String other = c.packageId() != null ? c.packageId() : c.id();
				if (stem.equals(stem(other)) && c.runtime().equals(m.runtime())) {
					return new InstallException(InstallException.Kind.NOT_FOUND, id + " is not installed; the package's id changes with every "
						+ "build of its generator: if it updates " + c.id() + ", name it: containerctl update --id " + c.id() + " " + dcp, null);
				}
			}
		}
		return new InstallException(InstallException.Kind.NOT_FOUND, id + " is not installed; use install", null);
	}

	/** The id without a build suffix of the vendor's generator ({@code -} and 8 base-36 digits), or null. */
	static String stem(String packageId) {
		return packageId != null && packageId.matches(".+-[0-9a-z]{8}") ? packageId.substring(0, packageId.length() - 9) : null;
	}

	static String oldName(String id) {
		return (id.length() > 60 ? id.substring(0, 60) : id) + ".old";
	}

	private ContainerReport doUpdate(Path dcp, String asId, boolean force, Consumer<String> progress) throws InstallException, InterruptedException {
		Path dir = newStagingDir();
		PackageReader.Verified v = verify(dcp, dir, progress);
		Manifest m = v.manifest();
		String id = asId != null ? asId : m.containerId();
		try {
			ContainerConfig old = containers.container(id).orElseThrow(() -> notInstalled(id, m, dcp));
			if (!old.runtime().equals(m.runtime())) {
				throw new InstallException(InstallException.Kind.CONFLICT, id + " runs on " + old.runtime() + "; a " + m.runtime()
					+ " package cannot update it (remove it, then install)", null);
			}
			if (!force && Versions.compare(m.version(), old.version()) <= 0) {
				throw new InstallException(InstallException.Kind.CONFLICT, "version " + m.version() + " of " + id
					+ " is not newer than the installed " + old.version() + " (use --force to install it anyway)", null);
			}
			RuntimeDriver d = driver(m.runtime());
			String oldName = oldName(id);
			if (states(d).containsKey(oldName)) {
				throw new InstallException(InstallException.Kind.CONFLICT, "a previous update of " + id + " left " + oldName
					+ " behind; remove it first", null);
			}
			boolean wasRunning = supervisor.container(id).map(r -> r.status() == ContainerStatus.RUNNING).orElse(false);
			// What the user may set stays the user's; the package brings its version, create_args and, for an entry
			// that had none, its telemetry settings and health check.
			ContainerConfig next = new ContainerConfig(id, old.friendlyName(), m.version(), m.runtime(), m.createArgs(), old.autostart(),
				old.monitor(), old.restart(), old.drm() != null ? old.drm() : m.drm(), m.packageId(), old.health() != null ? old.health() : m.health(),
				old.forwardLogs());
			journal(Journal.update(old, wasRunning));
			progress.accept("stopping " + old.version());
			supervisor.release(id);
			try {
				d.stop(id, Duration.ofSeconds(10));
				d.rename(id, oldName);
			} catch (DriverException e) {
				restoreOld(d, id, oldName, old, wasRunning);
				throw new InstallException(InstallException.Kind.FAILED, "updating " + id + " failed before anything changed: " + e.getMessage(), e);
			}
			progress.accept("loading");
			String failure;
			try {
				d.install(ContainerSpec.of(next), v.payload());
				containers.put(next);
				progress.accept("starting");
				supervisor.manage(id, true);
				failure = settled(id);
			} catch (DriverException | ConfigException | SupervisorException e) {
				failure = e.getMessage();
			}
			if (failure == null) {
				try {
					d.remove(oldName);
				} catch (DriverException e) {
					log.warn("The previous version of {} could not be removed ({}); remove {} by hand.", id, e.getMessage(), oldName);
				}
				dropJournal(id);
				log.info("Container {} updated from {} to {}.", id, old.version(), m.version());
				return supervisor.container(id).orElseThrow();
			}
			log.error("The update of {} to {} failed ({}); the manager puts {} back.", id, m.version(), failure, old.version());
			supervisor.release(id);
			undoRuntime(d, id);
			restoreOld(d, id, oldName, old, wasRunning);
			throw new InstallException(InstallException.Kind.ROLLED_BACK, "version " + m.version() + " of " + id + " failed (" + failure
				+ "); version " + old.version() + " was put back" + (wasRunning ? " and runs again" : ""), null);
		} finally {
			deleteTree(dir);
		}
	}

	/** Waits the settle time: {@code null} when the container kept running, else why not. */
	private String settled(String id) throws InterruptedException {
		long deadline = System.nanoTime() + settle.toNanos();
		while (System.nanoTime() < deadline) {
			ContainerReport r = supervisor.container(id).orElse(null);
			if (r == null) {
				return "it vanished";
			}
			if (r.status() != ContainerStatus.RUNNING && r.status() != ContainerStatus.STARTING) {
				return "it stopped within " + settle.toSeconds() + " s of its start" + (r.exitCode() == null ? "" : " with exit status " + r.exitCode());
			}
			Thread.sleep(100);
		}
		return null;
	}

	private void restoreOld(RuntimeDriver d, String id, String oldName, ContainerConfig old, boolean wasRunning) {
		try {
			if (states(d).containsKey(oldName)) {
				d.rename(oldName, id);
			}
			containers.put(old);
			supervisor.manage(id, wasRunning);
			dropJournal(id);
		} catch (Exception e) {
			log.error("Putting the previous version of {} back failed: {}", id, e.getMessage());
		}
	}

	// ---------------------------------------------------------------- remove

	@Override
	public void remove(String id) throws InstallException {
		run(() -> {
			ContainerConfig c = containers.container(id).orElseThrow(() -> new InstallException(InstallException.Kind.NOT_FOUND,
				"no installed container has the id \"" + id + "\"", null));
			RuntimeDriver d = driver(c.runtime());
			supervisor.release(id);
			try {
				d.remove(id);
			} catch (DriverException e) {
				if (e.kind() != DriverException.Kind.NOT_FOUND) {
					supervisor.manage(id, false);
					throw new InstallException(InstallException.Kind.FAILED, "removing " + id + " failed: " + e.getMessage(), e);
				}
			}
			try {
				containers.remove(id);
			} catch (ConfigException e) {
				throw new InstallException(InstallException.Kind.FAILED, e.getMessage(), e);
			}
			supervisor.release(id);
			log.info("Container {} removed.", id);
			return null;
		});
	}

	// ---------------------------------------------------------------- journal and recovery

	private Path journalFile(String id) {
		return Journal.file(staging(), id);
	}

	private void journal(Journal j) throws InstallException {
		try {
			j.write(staging());
		} catch (IOException e) {
			throw new InstallException(InstallException.Kind.FAILED, "cannot write " + journalFile(j.id()) + ": " + e.getMessage(), e);
		}
	}

	private void dropJournal(String id) {
		try {
			Files.deleteIfExists(journalFile(id));
		} catch (IOException e) {
			log.warn("{} cannot be deleted: {}", journalFile(id), e.getMessage());
		}
	}

	/** Deletes what an interrupted verification left in the staging folder (journals stay for recovery). */
	private void cleanStaging() {
		Path s = staging();
		if (!Files.isDirectory(s)) {
			return;
		}
		try (Stream<Path> list = Files.list(s)) {
			list.filter(p -> !p.getFileName().toString().endsWith(".journal")).forEach(InstallerImpl::deleteTree);
		} catch (IOException e) {
			log.warn("The staging folder {} cannot be cleaned: {}", s, e.getMessage());
		}
	}

	/** Finishes or undoes what a crash interrupted, for the journals of {@code runtime}. */
	void recover(String runtime) {
		Path s = staging();
		if (!Files.isDirectory(s)) {
			return;
		}
		try (Stream<Path> list = Files.list(s)) {
			for (Path file : list.filter(p -> p.getFileName().toString().endsWith(".journal")).toList()) {
				Journal j;
				try {
					j = Journal.read(file);
				} catch (IOException e) {
					log.warn("{} cannot be read ({}); it is deleted.", file, e.getMessage());
					Files.deleteIfExists(file);
					continue;
				}
				if (!runtime.equals(j.runtime())) {
					continue;
				}
				RuntimeDriver d = drivers.driver(runtime).orElse(null);
				if (d == null) {
					return;
				}
				recover(j, d);
				Files.deleteIfExists(file);
			}
		} catch (Exception e) {
			log.error("Recovering an interrupted installation failed: {}", e.getMessage());
		}
	}

	private void recover(Journal j, RuntimeDriver d) throws Exception {
		String id = j.id();
		if (j.op() == Journal.Op.INSTALL) {
			if (containers.container(id).isPresent()) {
				log.info("The installation of {} was interrupted after it was registered: it is complete.", id);
			} else {
				log.warn("The installation of {} was interrupted: what it left in {} is removed.", id, j.runtime());
				if (states(d).containsKey(id)) {
					undoRuntime(d, id);
				}
			}
			return;
		}
		String oldName = oldName(id);
		if (!states(d).containsKey(oldName)) {
			return; // the update had not begun to change the runtime, or it finished
		}
		log.warn("The update of {} was interrupted: the previous version is put back.", id);
		if (states(d).containsKey(id)) {
			undoRuntime(d, id);
		}
		d.rename(oldName, id);
		ContainerConfig c = containers.container(id).orElse(null);
		if (c != null && j.previous() != null) {
			containers.put(j.previous().restore(c));
		}
		supervisor.manage(id, j.wasRunning());
	}

	static void deleteTree(Path p) {
		Trees.deleteQuietly(p);
	}

}
