package cc.container.integration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import cc.container.api.runtime.ContainerEvent;
import cc.container.api.runtime.ContainerSpec;
import cc.container.api.runtime.ContainerState;
import cc.container.api.runtime.ContainerStats;
import cc.container.api.runtime.DriverException;
import cc.container.api.runtime.RuntimeStatus;
import cc.container.driver.podman.internal.PodmanDriver;
import cc.container.exec.internal.CommandRunnerImpl;
import cc.container.testing.Await;
import cc.container.testing.Busybox;
import cc.container.testing.PodmanSandbox;
import cc.container.testing.Sh;
import cc.container.testing.TestConfig;
import cc.container.testing.TestLogger;
import cc.container.util.runtime.Processes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.io.TempDir;

/** The Podman driver against the real Podman, in a store of its own. */
class PodmanDriverTest {
	static final Duration TIMEOUT = Duration.ofSeconds(30);

	@TempDir
	static Path shared;
	static PodmanSandbox sandbox;
	static Path ticker;
	static Path failing;

	final List<String> log = new CopyOnWriteArrayList<>();
	PodmanDriver driver;
	String id;

	@BeforeAll
	static void images() {
		sandbox = new PodmanSandbox(shared.resolve("podman"));
		ticker = sandbox.imageArchive("localhost/test/ticker:1", Busybox.TICKER, shared.resolve("ticker.tar"));
		failing = sandbox.imageArchive("localhost/test/failing:1", Busybox.EXIT_AT_ONCE, shared.resolve("failing.tar"));
	}

	@AfterAll
	static void cleanUp() {
		sandbox.close();
	}

	@BeforeEach
	void driver(TestInfo info) {
		driver = newDriver(TIMEOUT, "podman", sandbox.globalArgs());
		id = TestConfig.containerId("pod-", info.getTestMethod().orElseThrow().getName());
	}

	@AfterEach
	void closeDriver() {
		driver.close();
		try {
			sandbox.podman("rm", "--force", "--time", "0", id);
		} catch (IllegalStateException e) {
			// already gone
		}
	}

	PodmanDriver newDriver(Duration timeout, String binary, List<String> args) {
		return PodmanDriver.standalone(new CommandRunnerImpl(shared.resolve("exec"), s -> log.add("DEBUG " + s)),
			() -> TestConfig.daemon(shared.resolve("work"), args, sandbox.environment(), binary, timeout), TestLogger.into(log));
	}

	@Test
	void anExitedContainerFoundByAFullQueryStartsWithoutAnotherInspect() throws Exception {
		driver.install(new ContainerSpec(id, "1", "--network none"), ticker);
		driver.start(id);
		driver.stop(id, Duration.ZERO);
		driver.close();
		driver = newDriver(TIMEOUT, "podman", sandbox.globalArgs()); // as after a boot: nothing known of it
		assertThat(state(id).status()).isEqualTo(RuntimeStatus.EXITED);
		assertThat(log).anyMatch(l -> l.contains("{{.PidFile}}"));
		log.clear();
		driver.start(id);
		assertThat(state(id).pid()).isEqualTo(podmanPid(id));
		assertThat(log).as("the start learnt its pid from the pid file the query found").noneMatch(l -> l.contains("container inspect"));
	}

	@Test
	void aPackageCannotRenameItsContainerNorHideItFromTheManager() throws Exception {
		// Podman keeps the last --name and label given: the manager's come after the package's create_args.
		driver.install(new ContainerSpec(id, "1", "--network none --name " + id + "-other --label cc-container-mng.managed=false"
			+ " --label cc-container-mng.version=9"), ticker);
		assertThatThrownBy(() -> sandbox.podman("container", "exists", id + "-other")).isInstanceOf(IllegalStateException.class);
		assertThat(sandbox.podman("inspect", "--format", "{{.Name}} {{index .Config.Labels \"cc-container-mng.managed\"}} "
			+ "{{index .Config.Labels \"cc-container-mng.version\"}}", id).trim()).isEqualTo(id + " true 1");
		assertThat(driver.states()).containsKey(id);
	}

	@Test
	void anEventStreamThatADeadDaemonLeftIsEnded() throws Exception {
		List<String> stream = new ArrayList<>(List.of("podman"));
		stream.addAll(sandbox.globalArgs());
		stream.addAll(List.of("events", "--format", "json", "--filter", "type=container", "--filter", "label=cc-container-mng.managed=true"));
		// Started by a shell that ends at once: the stream is left to init, as a daemon killed with -9 leaves its own.
		StringBuilder cmd = new StringBuilder();
		for (String a : stream) {
			cmd.append('\'').append(a.replace("'", "'\\''")).append("' ");
		}
		ProcessBuilder pb = new ProcessBuilder("sh", "-c", cmd + ">/dev/null 2>&1 </dev/null & echo $!");
		pb.environment().putAll(sandbox.environment());
		Process sh = pb.start();
		long orphan = Long.parseLong(new String(sh.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).trim());
		sh.waitFor();
		try {
			Await.until("the left stream running, its shell gone", Duration.ofSeconds(30), () -> ProcessHandle.of(orphan).filter(Processes::running).isPresent()
				&& ProcessHandle.of(orphan).flatMap(ProcessHandle::parent).map(p -> p.pid() != sh.pid()).orElse(true));
			try (AutoCloseable sub = driver.events(e -> { })) {
				Await.until("the left stream ended", Duration.ofSeconds(30), () -> !ProcessHandle.of(orphan).filter(Processes::running).isPresent());
				assertThat(log).anyMatch(l -> l.contains("Ended a Podman event stream (pid " + orphan + ")"));
				assertThat(driver.eventStreamRunning()).as("the driver's own stream runs").isTrue();
			}
		} finally {
			ProcessHandle.of(orphan).ifPresent(ProcessHandle::destroyForcibly);
		}
	}

	@Test
	void aContainerThatWritesFiftyMegabytesStaysUnderItsCap() throws Exception {
		long cap = 256 << 10;
		driver.close();
		driver = PodmanDriver.standalone(new CommandRunnerImpl(shared.resolve("exec"), s -> log.add("DEBUG " + s)),
			() -> LxcDriverTest.withLogMax(TestConfig.daemon(shared.resolve("work"), sandbox.globalArgs(), sandbox.environment(), "podman", TIMEOUT), cap),
			TestLogger.into(log));
		Path image = sandbox.imageArchive("localhost/test/chatty:1",
			"#!/bin/sh\nyes 'a line of output that fills the log' | head -c 52428800\necho\necho done writing\nwhile true; do sleep 1; done\n",
			shared.resolve("chatty.tar"));
		driver.install(new ContainerSpec(id, "1", "--network none"), image);
		driver.start(id);
		Await.until("the 50 MB written", Duration.ofSeconds(120), () -> {
			try {
				return driver.logs(id, 5).contains("done writing");
			} catch (DriverException e) {
				throw new AssertionError(e);
			}
		});
		Path file = Path.of(sandbox.podman("inspect", "--format", "{{.HostConfig.LogConfig.Path}}", id).trim());
		assertThat(Files.size(file)).as("bytes kept of 50 MB written (cap %d)", cap).isLessThanOrEqualTo(cap + 4096);
	}

	ContainerState state(String name) throws DriverException {
		return driver.states().get(name);
	}

	long podmanPid(String name) {
		return Long.parseLong(sandbox.podman("inspect", "--format", "{{.State.Pid}}", name).trim());
	}

	@Test
	void fullLifecycleAsPodmanSeesIt() throws Exception {
		driver.install(new ContainerSpec(id, "1.0", "--network none"), ticker);
		assertThat(sandbox.podman("ps", "-a", "--format", "{{.Names}} {{.Labels}}")).contains(id + " map[cc-container-mng.managed:true cc-container-mng.version:1.0]");
		assertThat(sandbox.podman("images", "--format", "{{.Repository}}:{{.Tag}}")).contains("localhost/cc-container-mng/" + id + ":1.0")
			.doesNotContain("localhost/test/ticker");
		assertThat(state(id).status()).isEqualTo(RuntimeStatus.CREATED);
		assertThat(state(id).version()).isEqualTo("1.0");

		driver.start(id);
		ContainerState running = state(id);
		assertThat(running.status()).isEqualTo(RuntimeStatus.RUNNING);
		assertThat(running.pid()).isPositive().isEqualTo(podmanPid(id));
		assertThat(running.startedAt()).isNotNull();

		Await.until("a tick in the logs", TIMEOUT, () -> {
			try {
				return driver.logs(id, 10).stream().anyMatch(l -> l.startsWith("tick"));
			} catch (DriverException e) {
				throw new AssertionError(e);
			}
		});
		assertThat(driver.logs(id, 100)).startsWith("started");
		assertThat(driver.logs(id, 1)).hasSize(1);

		List<String> followed = new CopyOnWriteArrayList<>();
		try (AutoCloseable f = driver.followLogs(id, 0, followed::add)) {
			Await.until("a followed tick", TIMEOUT, () -> followed.stream().anyMatch(l -> l.startsWith("tick")));
		}

		Map<String, ContainerStats> stats = driver.stats();
		assertThat(stats).containsKey(id);
		ContainerStats s = stats.get(id);
		assertThat(s.pids()).isPositive();
		assertThat(s.memBytes()).isPositive();
		assertThat(s.memLimitBytes()).isZero();
		assertThat(s.uptimeSeconds()).isGreaterThanOrEqualTo(0);

		long start = System.nanoTime();
		driver.stop(id, Duration.ofSeconds(1));
		Duration took = Duration.ofNanos(System.nanoTime() - start);
		assertThat(took).as("the init ignores SIGTERM: killed after the grace period").isGreaterThanOrEqualTo(Duration.ofMillis(900));
		ContainerState stopped = state(id);
		assertThat(stopped.status()).isEqualTo(RuntimeStatus.EXITED);
		assertThat(stopped.exitCode()).isEqualTo(137);
		assertThat(stopped.oomKilled()).isFalse();
		assertThat(sandbox.podman("inspect", "--format", "{{.State.Status}}", id).trim()).isEqualTo("exited");
		driver.stop(id, Duration.ofSeconds(1)); // stopping a stopped container is no error

		driver.remove(id);
		assertThat(sandbox.podman("ps", "-a", "--format", "{{.Names}}")).doesNotContain(id);
		assertThat(sandbox.podman("images", "--format", "{{.Repository}}")).doesNotContain("cc-container-mng/" + id);
		assertThat(state(id)).isNull();
	}

	@Test
	void killedInitYieldsADiedEventWithinASecond() throws Exception {
		driver.install(new ContainerSpec(id, "1", "--network none"), ticker);
		List<ContainerEvent> events = new CopyOnWriteArrayList<>();
		try (AutoCloseable sub = driver.events(events::add)) {
			Await.until("the event stream", TIMEOUT, driver::eventStreamRunning);
			driver.start(id);
			Await.until("a started event", TIMEOUT, () -> events.stream().anyMatch(e -> e.id().equals(id) && e.type() == ContainerEvent.Type.STARTED));
			long pid = state(id).pid();
			long killed = System.nanoTime();
			Sh.run("kill", "-9", Long.toString(pid));
			Await.until("a died event", TIMEOUT, () -> events.stream().anyMatch(e -> e.id().equals(id) && e.type() == ContainerEvent.Type.DIED));
			Duration latency = Duration.ofNanos(System.nanoTime() - killed);
			assertThat(latency).isLessThan(Duration.ofSeconds(1));
			ContainerEvent died = events.stream().filter(e -> e.type() == ContainerEvent.Type.DIED).findFirst().orElseThrow();
			assertThat(died.exitCode()).isEqualTo(137);
		}
		Await.until("the event stream to stop with its last listener", TIMEOUT, () -> !driver.eventStreamRunning());
	}

	@Test
	void eventStreamIsRestartedWhenItDies() throws Exception {
		driver.install(new ContainerSpec(id, "1", "--network none"), ticker);
		List<ContainerEvent> events = new CopyOnWriteArrayList<>();
		try (AutoCloseable sub = driver.events(events::add)) {
			Await.until("the event stream", TIMEOUT, driver::eventStreamRunning);
			Sh.run("pkill", "-9", "-f", "podman --root " + sandbox.dir().resolve("root") + " .*events");
			Await.until("the event stream to restart", TIMEOUT, () -> log.stream().anyMatch(l -> l.contains("Podman event stream ended")));
			driver.start(id); // possibly before the new stream listens: it replays what happened since the old one ended
			Await.until("the event stream to run again", TIMEOUT, driver::eventStreamRunning);
			Await.until("a started event from the new stream", TIMEOUT,
				() -> events.stream().anyMatch(e -> e.id().equals(id) && e.type() == ContainerEvent.Type.STARTED));
		}
	}

	@Test
	void containerThatExitsAtOnceReportsItsExitCode() throws Exception {
		driver.install(new ContainerSpec(id, "2", "--network none"), failing);
		driver.start(id);
		Await.until("the exit", TIMEOUT, () -> {
			try {
				return state(id).status() == RuntimeStatus.EXITED;
			} catch (DriverException e) {
				throw new AssertionError(e);
			}
		});
		assertThat(state(id).exitCode()).isEqualTo(3);
		assertThat(driver.logs(id, 5)).contains("failing");
	}

	@Test
	void aRestartedDriverFindsItsContainersAgainAndLeavesForeignOnesAlone() throws Exception {
		driver.install(new ContainerSpec(id, "1", "--network none"), ticker);
		driver.start(id);
		long pid = state(id).pid();
		sandbox.podman("create", "--name", id + "-foreign", "localhost/cc-container-mng/" + id + ":1");
		try {
			driver.close();
			driver = newDriver(TIMEOUT, "podman", sandbox.globalArgs());
			Map<String, ContainerState> states = driver.states();
			assertThat(states).containsKey(id).doesNotContainKey(id + "-foreign");
			assertThat(states.get(id).pid()).isEqualTo(pid);
			assertThat(driver.stats()).containsOnlyKeys(id);
		} finally {
			sandbox.podman("rm", "-f", id + "-foreign");
		}
	}

	@Test
	void renameKeepsTheContainer() throws Exception {
		driver.install(new ContainerSpec(id, "1", "--network none"), ticker);
		driver.rename(id, id + "-old");
		try {
			assertThat(driver.states()).containsKey(id + "-old").doesNotContainKey(id);
			driver.rename(id + "-old", id);
			assertThat(driver.states()).containsKey(id);
		} finally {
			try {
				sandbox.podman("rm", "-f", id + "-old");
			} catch (IllegalStateException e) {
				// renamed back
			}
		}
	}

	@Test
	void operationsOnAMissingContainerSayItIsMissing() {
		assertThatThrownBy(() -> driver.start("no-such-container")).isInstanceOf(DriverException.class)
			.hasMessage("Podman has no container no-such-container")
			.satisfies(e -> assertThat(((DriverException) e).kind()).isEqualTo(DriverException.Kind.NOT_FOUND));
		assertThatThrownBy(() -> driver.stop("no-such-container", Duration.ofSeconds(1))).hasMessage("Podman has no container no-such-container");
		assertThatThrownBy(() -> driver.remove("no-such-container")).hasMessage("Podman has no container no-such-container");
	}

	@Test
	void anArchivePodmanRejectsLeavesNothing() throws Exception {
		Path bad = shared.resolve("not-an-image.tar");
		Files.writeString(bad, "this is not a docker archive");
		assertThatThrownBy(() -> driver.install(new ContainerSpec(id, "1", ""), bad)).isInstanceOf(DriverException.class)
			.hasMessageStartingWith("Podman cannot load the image of " + id + ": ")
			.satisfies(e -> assertThat(((DriverException) e).kind()).isEqualTo(DriverException.Kind.BAD_ARTIFACT));
		assertThat(driver.states()).doesNotContainKey(id);
	}

	@Test
	void unsplittableCreateArgsAreRefusedBeforeAnythingIsLoaded() {
		assertThatThrownBy(() -> driver.install(new ContainerSpec(id, "1", "--entrypoint '[\"/x\"]"), ticker))
			.hasMessage("create_args of " + id + " cannot be split into words: no closing quotation: the ' at position 14 is not closed");
		assertThat(sandbox.podman("images", "--format", "{{.Repository}}")).doesNotContain("cc-container-mng/" + id);
	}

	@Test
	void createArgsThatPodmanRefusesRemoveTheLoadedImage() {
		assertThatThrownBy(() -> driver.install(new ContainerSpec(id, "1", "--no-such-option"), ticker))
			.hasMessageStartingWith("podman create of " + id + " failed: ");
		assertThat(sandbox.podman("images", "--format", "{{.Repository}}")).doesNotContain("cc-container-mng/" + id);
	}

	// ------------------------------------------------------------ a fake podman

	Path fake(String script) throws Exception {
		Path bin = Files.createDirectories(shared.resolve("fake-" + System.nanoTime()));
		Path podman = bin.resolve("podman");
		Files.writeString(podman, "#!/bin/sh\n" + script);
		podman.toFile().setExecutable(true);
		return podman;
	}

	@Test
	void aHungPodmanIsKilledWithItsChildrenAtTheCommandTimeout() throws Exception {
		Path pids = shared.resolve("hung-pids-" + System.nanoTime());
		Path podman = fake("sleep 300 &\necho $! >> " + pids + "\necho $$ >> " + pids + "\nwait\n");
		PodmanDriver hung = newDriver(Duration.ofSeconds(1), podman.toString(), List.of());
		try {
			long start = System.nanoTime();
			assertThatThrownBy(hung::states).isInstanceOf(DriverException.class)
				.hasMessageContaining("did not finish within 1 s and was killed")
				.hasMessageContaining(podman + " ps --all")
				.satisfies(e -> assertThat(((DriverException) e).kind()).isEqualTo(DriverException.Kind.TIMED_OUT));
			assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(20));
			for (String pid : Files.readAllLines(pids)) {
				Await.until("process " + pid + " to be gone", Duration.ofSeconds(5),
					() -> !ProcessHandle.of(Long.parseLong(pid.trim())).map(ProcessHandle::isAlive).orElse(false));
			}
		} finally {
			hung.close();
		}
	}

	@Test
	void garbageFromPodmanIsAClearError() throws Exception {
		Path podman = fake("echo '[{\"Names\": [\"x\"], \"State\": '\n");
		PodmanDriver garbage = newDriver(TIMEOUT, podman.toString(), List.of());
		try {
			assertThatThrownBy(garbage::states).isInstanceOf(DriverException.class)
				.hasMessageStartingWith("Podman answered something that is not JSON to " + podman + " ps --all")
				.satisfies(e -> assertThat(((DriverException) e).kind()).isEqualTo(DriverException.Kind.BAD_OUTPUT));
		} finally {
			garbage.close();
		}
	}

	@Test
	void aMissingPodmanIsAClearError() {
		PodmanDriver missing = newDriver(TIMEOUT, "/nonexistent/bin/podman", List.of());
		try {
			assertThatThrownBy(missing::states).isInstanceOf(DriverException.class)
				.hasMessage("podman is not available: cannot run /nonexistent/bin/podman: no such file or directory")
				.satisfies(e -> assertThat(((DriverException) e).kind()).isEqualTo(DriverException.Kind.UNAVAILABLE));
		} finally {
			missing.close();
		}
	}
}
