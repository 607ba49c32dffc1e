package cc.container.integration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import cc.container.api.config.DaemonConfig;
import cc.container.api.config.RuntimeSettings;
import cc.container.api.runtime.ContainerEvent;
import cc.container.api.runtime.ContainerSpec;
import cc.container.api.runtime.ContainerState;
import cc.container.api.runtime.ContainerStats;
import cc.container.api.runtime.DriverException;
import cc.container.api.runtime.RuntimeStatus;
import cc.container.driver.lxc.internal.LxcDriver;
import cc.container.exec.internal.CommandRunnerImpl;
import cc.container.testing.Await;
import cc.container.testing.Busybox;
import cc.container.testing.Decoy;
import cc.container.testing.LxcBundles;
import cc.container.testing.LxcSandbox;
import cc.container.testing.Sh;
import cc.container.testing.TestConfig;
import cc.container.testing.TestLogger;
import cc.container.util.Trees;
import cc.container.util.runtime.ProcessWatcher;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.io.TempDir;

/** The LXC driver against the real LXC tools, in an lxcpath of its own. */
class LxcDriverTest {
	static final Duration TIMEOUT = Duration.ofSeconds(30);

	@TempDir
	static Path shared;
	static Path work;
	static LxcSandbox sandbox;
	static Path ticker;
	static Path tickerInFolder;
	static Path failing;

	final List<String> log = new CopyOnWriteArrayList<>();
	LxcDriver driver;
	String id;

	@BeforeAll
	static void bundles() {
		work = shared.resolve("work");
		sandbox = new LxcSandbox(work.resolve("installed/lxc"));
		// The halt signal is SIGTERM, which an init without a handler ignores: a stop must kill it after the grace.
		ticker = LxcBundles.withConfig(shared, shared.resolve("ticker.tar.gz"),
			LxcBundles.config("ticker").replace("lxc.signal.halt = SIGKILL", "lxc.signal.halt = SIGTERM"), Busybox.TICKER, null);
		tickerInFolder = LxcBundles.create(shared, shared.resolve("ticker-folder.tar.gz"), "ticker", Busybox.TICKER, "my-bundle");
		failing = LxcBundles.create(shared, shared.resolve("failing.tar.gz"), "failing", Busybox.EXIT_AT_ONCE, null);
	}

	@AfterAll
	static void cleanUp() {
		sandbox.close();
	}

	@BeforeEach
	void driver(TestInfo info) {
		driver = newDriver(TestConfig.daemon(work, null, TIMEOUT));
		id = TestConfig.containerId("lxc-", info.getTestMethod().orElseThrow().getName());
	}

	@AfterEach
	void closeDriver() {
		driver.close();
		try {
			Sh.run("lxc-stop", "-P", sandbox.lxcPath().toString(), "-n", id, "-k");
		} catch (IllegalStateException e) {
			// not running
		}
		Trees.deleteQuietly(sandbox.lxcPath().resolve(id));
	}

	LxcDriver newDriver(DaemonConfig config) {
		return newDriver(config, () -> ProcessWatcher.open("cc-lxc-exits"));
	}

	/** The same whose pidfd watcher {@code opener} opens. */
	LxcDriver newDriver(DaemonConfig config, java.util.function.Supplier<ProcessWatcher> opener) {
		return LxcDriver.standalone(new CommandRunnerImpl(shared.resolve("exec"), s -> log.add("DEBUG " + s)), () -> config, TestLogger.into(log),
			opener);
	}

	ContainerState state() throws DriverException {
		return driver.states().get(id);
	}

	@Test
	void fullLifecycleAsLxcSeesIt() throws Exception {
		driver.install(new ContainerSpec(id, "7", ""), ticker);
		Path dir = sandbox.lxcPath().resolve(id);
		String config = Files.readString(dir.resolve("config"));
		assertThat(config).contains("# written by the package author\n", "lxc.signal.halt = SIGTERM\n", "lxc.init.cmd = /start.sh\n",
			"lxc.rootfs.path = dir:" + dir.resolve("rootfs") + "\n", "lxc.uts.name = " + id + "\n",
			"lxc.console.logfile = " + dir.resolve("console.log") + "\n", "lxc.console.size = 1024KB\n", "lxc.console.rotate = 1\n")
			.doesNotContain("/var/lib/lxc");
		assertThat(sandbox.state(id)).isEqualTo("STOPPED");
		assertThat(state().version()).isEqualTo("7");
		assertThat(state().status()).isEqualTo(RuntimeStatus.EXITED);

		driver.start(id);
		assertThat(sandbox.state(id)).isEqualTo("RUNNING");
		ContainerState running = state();
		assertThat(running.status()).isEqualTo(RuntimeStatus.RUNNING);
		assertThat(running.pid()).isPositive().isEqualTo(sandbox.pid(id));
		assertThat(running.startedAt()).isNotNull();

		Await.until("a tick on the console", TIMEOUT, () -> {
			try {
				return driver.logs(id, 5).stream().anyMatch(l -> l.startsWith("tick"));
			} catch (DriverException e) {
				throw new AssertionError(e);
			}
		});
		assertThat(driver.logs(id, 100)).startsWith("started").allSatisfy(l -> assertThat(l).doesNotEndWith("\r"));
		List<String> followed = new CopyOnWriteArrayList<>();
		try (AutoCloseable f = driver.followLogs(id, 0, followed::add)) {
			Await.until("a followed tick", TIMEOUT, () -> followed.stream().anyMatch(l -> l.startsWith("tick")));
		}

		driver.stats(); // a first sample, for CPU deltas
		ContainerStats s = driver.stats().get(id);
		assertThat(s).isNotNull();
		assertThat(s.pids()).isPositive();
		assertThat(s.memBytes()).isPositive();
		assertThat(s.cpuPercent()).isGreaterThanOrEqualTo(0);
		assertThat(s.netRxBytes()).isZero(); // lxc.net.0.type = empty: loopback only

		long start = System.nanoTime();
		driver.stop(id, Duration.ofSeconds(1));
		assertThat(Duration.ofNanos(System.nanoTime() - start)).as("killed after the grace period").isGreaterThanOrEqualTo(Duration.ofMillis(900));
		assertThat(sandbox.state(id)).isEqualTo("STOPPED");
		driver.stop(id, Duration.ofSeconds(1)); // no error when already stopped

		driver.remove(id);
		assertThat(dir).doesNotExist();
		assertThat(Sh.run("lxc-ls", "-P", sandbox.lxcPath().toString())).doesNotContain(id);
		assertThat(state()).isNull();
	}

	/** A daemon configuration whose containers keep at most {@code bytes} of output. */
	static DaemonConfig withLogMax(DaemonConfig c, long bytes) {
		var s = c.service();
		return new DaemonConfig(c.file(), new cc.container.api.config.ServiceSettings(s.workingPath(), s.monitorInterval(), s.commandTimeout(),
			s.podmanLoadTimeout(), s.controlSocket(), s.controlGroup(), bytes), c.logging(), c.runtimes(), c.security());
	}

	@Test
	void whatTheInitPrintsToItsStandardOutputIsInTheLogsAcrossADriverRestart() throws Exception {
		// No redirection to /dev/console: the program's own standard output and error.
		Path plain = LxcBundles.create(shared, shared.resolve("plain.tar.gz"), "plain",
			"#!/bin/sh\necho 'to stdout'\necho 'to stderr' >&2\ni=0\nwhile true; do i=$((i+1)); echo \"line $i\"; sleep 1; done\n", null);
		driver.install(new ContainerSpec(id, "1", ""), plain);
		driver.start(id);
		Await.until("the init's output in the logs", TIMEOUT, () -> {
			try {
				return driver.logs(id, 10).containsAll(List.of("to stdout", "to stderr"));
			} catch (DriverException e) {
				throw new AssertionError(e);
			}
		});
		List<String> followed = new CopyOnWriteArrayList<>();
		try (AutoCloseable f = driver.followLogs(id, 0, followed::add)) {
			Await.until("a followed line", TIMEOUT, () -> followed.stream().anyMatch(l -> l.startsWith("line ")));
		}
		// The output does not go through the daemon: a new driver (a restarted daemon) reads it, and more comes.
		driver.close();
		driver = newDriver(TestConfig.daemon(work, null, TIMEOUT));
		int before = driver.logs(id, 1000).size();
		Await.until("more lines after the restart", TIMEOUT, () -> {
			try {
				return driver.logs(id, 1000).size() > before;
			} catch (DriverException e) {
				throw new AssertionError(e);
			}
		});
		assertThat(driver.logs(id, 1000)).contains("to stdout");
	}

	@Test
	void aContainerThatWritesFiftyMegabytesStaysUnderItsCap() throws Exception {
		long cap = 256 << 10;
		driver.close();
		driver = newDriver(withLogMax(TestConfig.daemon(work, null, TIMEOUT), cap));
		Path chatty = LxcBundles.create(shared, shared.resolve("chatty.tar.gz"), "chatty",
			"#!/bin/sh\nyes 'a line of output that fills the log' | head -c 52428800\necho\necho done writing\nwhile true; do sleep 1; done\n", null);
		driver.install(new ContainerSpec(id, "1", ""), chatty);
		driver.start(id);
		Await.until("the 50 MB written", Duration.ofSeconds(120), () -> {
			try {
				return driver.logs(id, 5).contains("done writing");
			} catch (DriverException e) {
				throw new AssertionError(e);
			}
		});
		Path dir = sandbox.lxcPath().resolve(id);
		long kept = Files.size(dir.resolve("console.log")) + (Files.exists(dir.resolve("console.log.1")) ? Files.size(dir.resolve("console.log.1")) : 0);
		assertThat(kept).as("bytes kept of 50 MB written (cap %d, one rotated file)", cap).isLessThanOrEqualTo(2 * cap + 4096);
	}

	@Test
	void bundleInOneTopLevelFolderInstallsToo() throws Exception {
		driver.install(new ContainerSpec(id, null, ""), tickerInFolder);
		Path dir = sandbox.lxcPath().resolve(id);
		assertThat(dir.resolve("rootfs/bin/busybox")).exists();
		assertThat(Files.readSymbolicLink(dir.resolve("rootfs/bin/sh"))).isEqualTo(Path.of("busybox"));
		assertThat(Files.readString(dir.resolve("config"))).contains("lxc.uts.name = " + id + "\n", "lxc.signal.halt = SIGKILL\n");
		assertThat(sandbox.lxcPath()).isDirectoryNotContaining(p -> p.getFileName().toString().startsWith(".staging"));
	}

	@Test
	void killedInitYieldsADiedEventWithinASecond() throws Exception {
		driver.install(new ContainerSpec(id, "1", ""), ticker);
		List<ContainerEvent> events = new CopyOnWriteArrayList<>();
		try (AutoCloseable sub = driver.events(events::add)) {
			driver.start(id);
			assertThat(events).anySatisfy(e -> assertThat(e.type()).isEqualTo(ContainerEvent.Type.STARTED));
			long killed = System.nanoTime();
			Sh.run("kill", "-9", Long.toString(sandbox.pid(id)));
			Await.until("a died event", TIMEOUT, () -> events.stream().anyMatch(e -> e.id().equals(id) && e.type() == ContainerEvent.Type.DIED));
			assertThat(Duration.ofNanos(System.nanoTime() - killed)).isLessThan(Duration.ofSeconds(1));
		}
	}

	@Test
	void anInitStartedBeforeTheWatcherOpenedIsWatchedOnceItOpens() throws Exception {
		// The driver opens its pidfd watcher on its own thread (off the daemon's start-up path): held here until the
		// container runs, so that the start registers its init with no watcher yet.
		driver.close();
		CountDownLatch release = new CountDownLatch(1);
		CountDownLatch tried = new CountDownLatch(1);
		AtomicReference<ProcessWatcher> opened = new AtomicReference<>();
		driver = newDriver(TestConfig.daemon(work, null, TIMEOUT), () -> {
			try {
				release.await();
			} catch (InterruptedException e) {
				Thread.currentThread().interrupt();
				return null; // the driver closed first
			}
			opened.set(ProcessWatcher.open("test-exits"));
			tried.countDown();
			return opened.get();
		});
		driver.install(new ContainerSpec(id, "1", ""), ticker);
		List<ContainerEvent> events = new CopyOnWriteArrayList<>();
		try (AutoCloseable sub = driver.events(events::add)) {
			driver.start(id);
			assertThat(opened.get()).isNull();
			long released = System.nanoTime();
			release.countDown();
			assertThat(tried.await(TIMEOUT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS)).isTrue();
			assertThat(opened.get()).as("pidfds on this machine").isNotNull();
			Await.until("the watcher to watch the init started before it opened", TIMEOUT,
				() -> opened.get() != null && opened.get().watches(id));
			Sh.run("kill", "-9", Long.toString(sandbox.pid(id)));
			Await.until("a died event", TIMEOUT, () -> events.stream().anyMatch(e -> e.id().equals(id) && e.type() == ContainerEvent.Type.DIED));
			// Told by the kernel: the driver's own look at its inits comes first 10 s after the watcher opened.
			assertThat(Duration.ofNanos(System.nanoTime() - released)).isLessThan(Duration.ofMillis(LxcDriver.WATCH_SAFETY_MS));
		}
	}

	@Test
	void aContainerStartedOutsideTheDriverIsFoundWithItsPid() throws Exception {
		driver.install(new ContainerSpec(id, "1", ""), ticker);
		Sh.run("lxc-start", "-P", sandbox.lxcPath().toString(), "-n", id);
		assertThat(state().status()).isEqualTo(RuntimeStatus.RUNNING);
		assertThat(state().pid()).isEqualTo(sandbox.pid(id));
	}

	@Test
	void aRestartedDriverFindsItsContainersAgain() throws Exception {
		driver.install(new ContainerSpec(id, "1", ""), ticker);
		driver.start(id);
		long pid = sandbox.pid(id);
		driver.close();
		driver = newDriver(TestConfig.daemon(work, null, TIMEOUT));
		assertThat(state().pid()).isEqualTo(pid);
		List<ContainerEvent> events = new CopyOnWriteArrayList<>();
		try (AutoCloseable sub = driver.events(events::add)) {
			long killed = System.nanoTime();
			Sh.run("kill", "-9", Long.toString(pid));
			Await.until("the new driver to see the death", TIMEOUT, () -> events.stream().anyMatch(e -> e.type() == ContainerEvent.Type.DIED));
			// Told by the kernel (the init was watched, maybe before the driver's thread had opened its watcher), not
			// by the safety net's look every 10 s.
			assertThat(Duration.ofNanos(System.nanoTime() - killed)).isLessThan(Duration.ofSeconds(1));
		}
	}

	@Test
	void containerThatExitsAtOnceEndsStopped() throws Exception {
		driver.install(new ContainerSpec(id, "1", ""), failing);
		driver.start(id);
		Await.until("the exit", TIMEOUT, () -> "STOPPED".equals(sandbox.state(id)));
		assertThat(state().status()).isEqualTo(RuntimeStatus.EXITED);
		assertThat(driver.logs(id, 5)).contains("failing");
	}

	@Test
	void renameMovesTheContainerAndRewritesItsConfig() throws Exception {
		driver.install(new ContainerSpec(id, "1", ""), ticker);
		driver.rename(id, id + "-old");
		Path moved = sandbox.lxcPath().resolve(id + "-old");
		try {
			assertThat(Files.readString(moved.resolve("config"))).contains("lxc.rootfs.path = dir:" + moved.resolve("rootfs"));
			assertThat(driver.states()).containsKey(id + "-old").doesNotContainKey(id);
			driver.start(id + "-old");
			assertThat(sandbox.state(id + "-old")).isEqualTo("RUNNING");
			assertThatThrownBy(() -> driver.rename(id + "-old", id)).hasMessage("LXC container " + id + "-old must be stopped to be renamed");
		} finally {
			driver.remove(id + "-old");
		}
	}

	@Test
	void consoleLogStaysWithinItsCap() throws Exception {
		String chatty = "#!/bin/sh\nexec >/dev/console 2>&1\nyes 0123456789012345678901234567890123456789 | head -c 3000000\nsleep 1000\n";
		Path bundle = LxcBundles.create(shared, shared.resolve("chatty-" + System.nanoTime() + ".tar.gz"), "chatty", chatty, null);
		driver.install(new ContainerSpec(id, "1", ""), bundle);
		driver.start(id);
		Path dir = sandbox.lxcPath().resolve(id);
		Await.until("a rotation of the console log", TIMEOUT, () -> Files.exists(dir.resolve("console.log.1")));
		Await.until("the chatty container to finish writing", TIMEOUT, () -> {
			try {
				long before = Files.size(dir.resolve("console.log"));
				Thread.sleep(300);
				return Files.size(dir.resolve("console.log")) == before;
			} catch (Exception e) {
				return false;
			}
		});
		assertThat(Files.size(dir.resolve("console.log"))).isLessThanOrEqualTo(1 << 20);
		assertThat(Files.size(dir.resolve("console.log.1"))).isLessThanOrEqualTo(1 << 20);
		assertThat(dir.resolve("console.log.2")).doesNotExist();
	}

	@Test
	void brokenBundlesAreRefusedAndLeaveNothing() throws Exception {
		Path notGzip = shared.resolve("not-gzip.tar.gz");
		Files.writeString(notGzip, "plain text");
		assertThatThrownBy(() -> driver.install(new ContainerSpec(id, "1", ""), notGzip))
			.hasMessageStartingWith("The LXC bundle of " + id + " is not a gzip-compressed tar")
			.satisfies(e -> assertThat(((DriverException) e).kind()).isEqualTo(DriverException.Kind.BAD_ARTIFACT));

		Path noRootfs = shared.resolve("no-rootfs.tar.gz");
		Path src = Files.createDirectories(shared.resolve("no-rootfs-src"));
		Files.writeString(src.resolve("config"), "lxc.uts.name = x\n");
		Sh.run(src, java.util.Map.of(), List.of("tar", "-czf", noRootfs.toString(), "."));
		assertThatThrownBy(() -> driver.install(new ContainerSpec(id, "1", ""), noRootfs)).hasMessage("The LXC bundle of " + id
			+ " has no config file and rootfs/ folder, neither at its top nor in one single top-level folder");

		Path escaping = shared.resolve("escaping.tar.gz");
		Sh.run(null, java.util.Map.of(), List.of("python3", "-c",
			"import tarfile,io,sys\nt=tarfile.open(sys.argv[1],'w:gz')\ni=tarfile.TarInfo('rootfs/../../escaped'); i.size=1\nt.addfile(i,io.BytesIO(b'x'))\nt.close()",
			escaping.toString()));
		assertThatThrownBy(() -> driver.install(new ContainerSpec(id, "1", ""), escaping)).hasMessage("The LXC bundle of " + id
			+ " is refused: the member \"rootfs/../../escaped\" has a \"..\" in its path");

		assertThat(sandbox.lxcPath()).isEmptyDirectory();
		assertThat(work.resolve("installed/escaped")).doesNotExist();
	}

	@Test
	void operationsOnAMissingContainerSayItIsMissing() {
		assertThatThrownBy(() -> driver.start("nope")).hasMessage("LXC has no container nope in " + sandbox.lxcPath())
			.satisfies(e -> assertThat(((DriverException) e).kind()).isEqualTo(DriverException.Kind.NOT_FOUND));
		assertThatThrownBy(() -> driver.stop("nope", Duration.ofSeconds(1))).isInstanceOf(DriverException.class);
		assertThatThrownBy(() -> driver.remove("nope")).isInstanceOf(DriverException.class);
		assertThatThrownBy(() -> driver.logs("nope", 1)).isInstanceOf(DriverException.class);
	}

	DaemonConfig withTools(Path toolsDir, Duration timeout) {
		DaemonConfig base = TestConfig.daemon(work, null, timeout);
		return new DaemonConfig(base.file(), base.service(), base.logging(),
			new RuntimeSettings(base.runtimes().podman(), new RuntimeSettings.Lxc(toolsDir)));
	}

	Path fakeTools(String lxcLsScript) throws Exception {
		Path bin = Files.createDirectories(shared.resolve("fake-lxc-" + System.nanoTime()));
		Path ls = bin.resolve("lxc-ls");
		Files.writeString(ls, "#!/bin/sh\n" + lxcLsScript);
		ls.toFile().setExecutable(true);
		return bin;
	}

	@Test
	void hungGarbledAndMissingToolsAreClearErrors() throws Exception {
		LxcDriver hung = newDriver(withTools(fakeTools("sleep 300\n"), Duration.ofSeconds(1)));
		LxcDriver garbled = newDriver(withTools(fakeTools("echo 'Error: not what lxc-ls prints'\n"), TIMEOUT));
		LxcDriver missing = newDriver(withTools(shared.resolve("no-such-dir"), TIMEOUT));
		try {
			assertThatThrownBy(hung::states).hasMessageContaining("did not finish within 1 s and was killed")
				.satisfies(e -> assertThat(((DriverException) e).kind()).isEqualTo(DriverException.Kind.TIMED_OUT));
			assertThatThrownBy(garbled::states).hasMessage("lxc-ls answered a line it should not: Error: not what lxc-ls prints")
				.satisfies(e -> assertThat(((DriverException) e).kind()).isEqualTo(DriverException.Kind.BAD_OUTPUT));
			assertThatThrownBy(missing::states).hasMessageStartingWith("lxc is not available: cannot run " + shared.resolve("no-such-dir/lxc-ls"))
				.satisfies(e -> assertThat(((DriverException) e).kind()).isEqualTo(DriverException.Kind.UNAVAILABLE));
		} finally {
			hung.close();
			garbled.close();
			missing.close();
		}
	}

	/** A bundle of the ticker with extra members added by Python's tarfile (links the tar tool would not make). */
	Path bundleWith(String name, String config, String extraMembers) throws Exception {
		Path plain = LxcBundles.withConfig(shared, shared.resolve(name + "-plain-" + System.nanoTime() + ".tar.gz"), config, Busybox.TICKER, null);
		Path out = shared.resolve(name + "-" + System.nanoTime() + ".tar.gz");
		Sh.run(null, java.util.Map.of(), List.of("python3", "-c", String.join("\n",
			"import tarfile,io,sys",
			"src=tarfile.open(sys.argv[1],'r:gz'); t=tarfile.open(sys.argv[2],'w:gz')",
			"skip=set(sys.argv[3:])",
			"for m in src.getmembers():",
			"  if m.name.lstrip('./') in skip: continue",
			"  t.addfile(m, src.extractfile(m) if m.isfile() else None)",
			"def l(n,target):",
			"  i=tarfile.TarInfo(n); i.type=tarfile.SYMTYPE; i.linkname=target; t.addfile(i)",
			extraMembers, "t.close()"), plain.toString(), out.toString(), "console.log"));
		return out;
	}

	@Test
	void aSecondRootfsLineNamingTheHostIsRefusedAtInstallAndTheDecoySurvives() throws Exception {
		Decoy decoy = new Decoy(shared.resolve("decoy-rootfs-" + id));
		String config = LxcBundles.config("evil") + "lxc.rootfs.path = dir:" + decoy.dir() + "\n";
		Path bundle = LxcBundles.withConfig(shared, shared.resolve("second-rootfs.tar.gz"), config, Busybox.TICKER, null);
		assertThatThrownBy(() -> driver.install(new ContainerSpec(id, "1", ""), bundle)).hasMessage("The LXC bundle of " + id
			+ " is refused: the LXC config names two root file systems (\"dir:/var/lib/lxc/evil/rootfs\" and \"dir:" + decoy.dir()
			+ "\"); the manager installs the bundle's rootfs/ folder only")
			.satisfies(e -> assertThat(((DriverException) e).kind()).isEqualTo(DriverException.Kind.BAD_ARTIFACT));
		assertThat(sandbox.lxcPath()).isEmptyDirectory();
		assertThat(decoy.intact()).isTrue();
	}

	@Test
	void removeDeletesOnlyTheContainersFolderWhateverItsConfigSaysNow() throws Exception {
		// A config edited on the device after the install (or by a container's own hook) names the host's folder:
		// lxc-destroy would delete it; the driver deletes the container's folder and nothing else.
		Decoy decoy = new Decoy(shared.resolve("decoy-edited-" + id));
		driver.install(new ContainerSpec(id, "1", ""), ticker);
		Path dir = sandbox.lxcPath().resolve(id);
		Files.writeString(dir.resolve("config"), Files.readString(dir.resolve("config")) + "lxc.rootfs.path = dir:" + decoy.dir() + "\n");
		Files.createSymbolicLink(dir.resolve("rootfs/host-link"), decoy.dir());
		Files.createSymbolicLink(dir.resolve("host-link"), decoy.canary());
		driver.remove(id);
		assertThat(dir).doesNotExist();
		assertThat(decoy.intact()).isTrue();
	}

	@Test
	void removeNeverDeletesThroughAMountPoint() throws Exception {
		Decoy decoy = new Decoy(shared.resolve("decoy-mount-" + id));
		driver.install(new ContainerSpec(id, "1", ""), ticker);
		Path dir = sandbox.lxcPath().resolve(id);
		Path mnt = Files.createDirectories(dir.resolve("rootfs/mnt/host"));
		Sh.run("mount", "--bind", decoy.dir().toString(), mnt.toString());
		try {
			assertThatThrownBy(() -> driver.remove(id)).hasMessageContaining(mnt + " is a mount point; it is not deleted through")
				.satisfies(e -> assertThat(((DriverException) e).kind()).isEqualTo(DriverException.Kind.FAILED));
			assertThat(decoy.intact()).isTrue();
		} finally {
			Sh.run("umount", mnt.toString());
		}
		driver.remove(id);
		assertThat(dir).doesNotExist();
		assertThat(decoy.intact()).isTrue();
	}

	@Test
	void linksOutsideRootfsAreRefusedAndNoneForTheManagersOwnFiles() throws Exception {
		Decoy decoy = new Decoy(shared.resolve("decoy-links-" + id));
		Path consoleLink = bundleWith("console-link", LxcBundles.config("c"), "l('console.log','" + decoy.canary() + "')");
		assertThatThrownBy(() -> driver.install(new ContainerSpec(id, "1", ""), consoleLink))
			.hasMessage("The LXC bundle of " + id + " is refused: its console.log is a link to " + decoy.canary());
		Path outside = bundleWith("outside-link", LxcBundles.config("c"), "l('notes','" + decoy.dir() + "')");
		assertThatThrownBy(() -> driver.install(new ContainerSpec(id, "1", ""), outside))
			.hasMessage("The LXC bundle of " + id + " is refused: the link notes points outside the bundle (" + decoy.dir()
				+ "); only links under rootfs/ may");
		// Under rootfs/ an absolute link points inside the container: it is kept, never followed.
		Path inside = bundleWith("rootfs-link", LxcBundles.config("c"), "l('rootfs/etc/host','" + decoy.dir() + "')");
		driver.install(new ContainerSpec(id, "1", ""), inside);
		assertThat(Files.readSymbolicLink(sandbox.lxcPath().resolve(id + "/rootfs/etc/host"))).isEqualTo(decoy.dir());
		driver.remove(id);
		assertThat(decoy.intact()).isTrue();
	}

	@Test
	void logsReadTheConsoleItselfNeverALinkPutInItsPlace() throws Exception {
		Decoy decoy = new Decoy(shared.resolve("decoy-console-" + id));
		driver.install(new ContainerSpec(id, "1", ""), ticker);
		Path dir = sandbox.lxcPath().resolve(id);
		Files.createSymbolicLink(dir.resolve("console.log"), decoy.canary());
		assertThatThrownBy(() -> driver.logs(id, 10)).isInstanceOf(DriverException.class);
		Files.delete(dir.resolve("console.log"));
		driver.remove(id);
		assertThat(decoy.intact()).isTrue();
	}
}
