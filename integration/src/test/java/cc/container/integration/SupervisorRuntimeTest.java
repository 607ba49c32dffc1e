package cc.container.integration;

import static org.assertj.core.api.Assertions.assertThat;

import cc.container.api.ContainerReport;
import cc.container.api.ContainerStatus;
import cc.container.api.DesiredState;
import cc.container.api.config.ContainerConfig;
import cc.container.api.config.ContainersConfiguration;
import cc.container.api.config.DaemonConfig;
import cc.container.api.config.RestartPolicy;
import cc.container.api.runtime.ContainerSpec;
import cc.container.api.runtime.RuntimeDriver;
import cc.container.config.internal.StoreConfiguration;
import cc.container.driver.lxc.internal.LxcDriver;
import cc.container.driver.podman.internal.PodmanDriver;
import cc.container.exec.internal.CommandRunnerImpl;
import cc.container.supervisor.internal.DriverWhiteboard;
import cc.container.supervisor.internal.ShutdownStop;
import cc.container.supervisor.internal.SupervisorImpl;
import cc.container.testing.Await;
import cc.container.testing.Busybox;
import cc.container.testing.LxcBundles;
import cc.container.testing.LxcSandbox;
import cc.container.testing.PodmanSandbox;
import cc.container.testing.Sh;
import cc.container.testing.TestConfig;
import cc.container.testing.TestLogger;
import cc.container.util.json.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
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
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The supervisor with the real drivers against real Podman and real LXC: crash restarts, giving up, a user's stop,
 * a daemon restart, a reboot, the shutdown stop and a driver that goes away. Each test runs for both runtimes.
 */
class SupervisorRuntimeTest {
	static final Duration WAIT = Duration.ofSeconds(60);

	@TempDir
	static Path shared;
	static PodmanSandbox podman;
	static LxcSandbox lxc;
	static Path image;
	static Path failingImage;
	static Path bundle;
	static Path failingBundle;

	Path work;
	DaemonConfig config;
	StoreConfiguration store;
	final List<String> log = new CopyOnWriteArrayList<>();
	final List<SupervisorImpl> supervisors = new ArrayList<>();
	final List<String> exits = new CopyOnWriteArrayList<>();
	RuntimeDriver podmanDriver;
	RuntimeDriver lxcDriver;
	DriverWhiteboard drivers;
	String bootIdFile;

	@BeforeAll
	static void fixtures() {
		podman = new PodmanSandbox(shared.resolve("podman"));
		image = podman.imageArchive("localhost/sup/ticker:1", Busybox.TICKER, shared.resolve("ticker.tar"));
		failingImage = podman.imageArchive("localhost/sup/failing:1", Busybox.EXIT_AT_ONCE, shared.resolve("failing.tar"));
		bundle = LxcBundles.create(shared, shared.resolve("ticker.tar.gz"), "ticker", Busybox.TICKER, null);
		failingBundle = LxcBundles.create(shared, shared.resolve("failing.tar.gz"), "failing", Busybox.EXIT_AT_ONCE, null);
	}

	@AfterAll
	static void cleanUp() {
		podman.close();
	}

	@BeforeEach
	void setUp() throws Exception {
		work = Files.createDirectories(shared.resolve("work-" + System.nanoTime()));
		config = TestConfig.daemon(work, podman, Duration.ofSeconds(30));
		lxc = new LxcSandbox(config.service().lxcPath());
		store = new StoreConfiguration(config.service().containersFile());
		podmanDriver = PodmanDriver.standalone(new CommandRunnerImpl(work.resolve("exec"), s -> { }), () -> config, TestLogger.create());
		lxcDriver = LxcDriver.standalone(new CommandRunnerImpl(work.resolve("exec"), s -> { }), () -> config, TestLogger.create());
		Path boot = work.resolve("boot_id");
		Files.writeString(boot, "boot-1\n");
		bootIdFile = boot.toString();
	}

	@AfterEach
	void tearDown() {
		supervisors.forEach(SupervisorImpl::deactivate);
		for (String id : store.containers().stream().map(ContainerConfig::id).toList()) {
			try {
				driver(store.container(id).orElseThrow().runtime()).remove(id);
			} catch (Exception e) {
				// gone already
			}
		}
		lxc.close();
	}

	RuntimeDriver driver(String runtime) {
		return runtime.equals("podman") ? podmanDriver : lxcDriver;
	}

	ContainersConfiguration containers() {
		return store;
	}

	SupervisorImpl supervisor(String mode) {
		drivers = new DriverWhiteboard();
		drivers.add(podmanDriver);
		drivers.add(lxcDriver);
		SupervisorImpl s = new SupervisorImpl(Parts.host(mode, Path.of(bootIdFile)), TestConfig.service(config), containers(), drivers,
			TestLogger.into(log));
		supervisors.add(s);
		if (SupervisorImpl.STOP_MANAGED.equals(mode)) {
			// What the ShutdownStop component does in the stop-managed mode.
			Thread t = new Thread(() -> ShutdownStop.run(s, drivers, config.service().commandTimeout(), containers(), TestLogger.into(log),
				(message, status) -> exits.add(status + " " + message)));
			t.start();
		}
		return s;
	}

	/** Installs a container in the runtime and configures it. */
	String install(String runtime, String name, boolean failing, boolean autostart, RestartPolicy policy) throws Exception {
		String id = runtime + "-" + name;
		Path payload = runtime.equals("podman") ? (failing ? failingImage : image) : (failing ? failingBundle : bundle);
		driver(runtime).install(new ContainerSpec(id, "1", runtime.equals("podman") ? "--network none" : ""), payload);
		store.put(new ContainerConfig(id, null, "1", runtime, runtime.equals("podman") ? "--network none" : "", autostart, true, policy));
		return id;
	}

	long runtimePid(String runtime, String id) {
		if (runtime.equals("podman")) {
			return Long.parseLong(podman.podman("inspect", "--format", "{{.State.Pid}}", id).trim());
		}
		return lxc.pid(id);
	}

	/** The container's object in state.json, as a user reads it. */
	@SuppressWarnings("unchecked")
	Map<String, Object> stateOf(String id) {
		try {
			Map<String, Object> doc = (Map<String, Object>) Json.parse(Files.readAllBytes(config.service().stateFile()));
			for (Object o : (List<Object>) doc.get("containers")) {
				Map<String, Object> c = (Map<String, Object>) o;
				if (id.equals(c.get("id"))) {
					return c;
				}
			}
			return Map.of();
		} catch (Exception e) {
			return Map.of();
		}
	}

	@SuppressWarnings("unchecked")
	static long restartsTotal(Map<String, Object> c) {
		Object r = c.get("restarts");
		return r instanceof Map ? ((Number) ((Map<String, Object>) r).get("total")).longValue() : -1;
	}

	/** Waits for {@code n} more polls of {@code s} to complete: what the supervisor would do by itself, it did. */
	static void awaitPolls(SupervisorImpl s, int n) {
		long from = s.polls();
		Await.until(n + " polls", WAIT, () -> s.polls() >= from + n);
	}

	void awaitStatus(SupervisorImpl s, String id, ContainerStatus status) {
		Await.until(id + " to be " + status.json(), WAIT, () -> s.container(id).map(r -> r.status() == status).orElse(false));
	}

	@ParameterizedTest
	@ValueSource(strings = { "podman", "lxc" })
	void aKilledContainerIsRestartedAfterItsDelayAndStateJsonTellsIt(String runtime) throws Exception {
		String id = install(runtime, "crash", false, false, new RestartPolicy(true, 3, 1, 60));
		SupervisorImpl s = supervisor(null);
		ContainerReport started = s.start(id);
		long pid = started.pid();
		assertThat(pid).isEqualTo(runtimePid(runtime, id));
		Sh.run("kill", "-9", Long.toString(pid));
		Await.until("a restart with a new pid", WAIT, () -> {
			Map<String, Object> c = stateOf(id);
			return "running".equals(c.get("status")) && restartsTotal(c) == 1 && c.get("pid") instanceof Number
				&& ((Number) c.get("pid")).longValue() != pid;
		});
		Map<String, Object> c = stateOf(id);
		assertThat(((Number) c.get("pid")).longValue()).isEqualTo(runtimePid(runtime, id));
		assertThat(c.get("desired")).isEqualTo("running");
		@SuppressWarnings("unchecked")
		List<Map<String, Object>> history = (List<Map<String, Object>>) c.get("history");
		assertThat(history).hasSize(1);
		assertThat(history.get(0).get("event")).isEqualTo("died");
		assertThat(history.get(0).get("decision")).isEqualTo("restart in 1 s (1 of 3 in 60 s)");
		if (runtime.equals("podman")) {
			assertThat(history.get(0).get("exit_code")).isEqualTo(137L);
			assertThat(history.get(0).get("signal")).isEqualTo("KILL");
		}
	}

	@ParameterizedTest
	@ValueSource(strings = { "podman", "lxc" })
	void aContainerThatExitsAtOnceIsRestartedExactlyMaxRetriesTimesThenFailed(String runtime) throws Exception {
		String id = install(runtime, "failing", true, false, new RestartPolicy(true, 2, 0, 60));
		SupervisorImpl s = supervisor(null);
		try {
			s.start(id);
		} catch (cc.container.api.SupervisorException e) {
			// it may die before the start is confirmed: that is an unexpected stop too
		}
		awaitStatus(s, id, ContainerStatus.FAILED);
		Await.until("state.json to say failed", WAIT, () -> "failed".equals(stateOf(id).get("status")));
		assertThat(restartsTotal(stateOf(id))).isEqualTo(2);
		assertThat(log).anyMatch(l -> l.startsWith("ERROR Container " + id + " stopped unexpectedly") && l.contains("gave up"));
		// Nothing more happens by itself: two more polls later the count is the same.
		awaitPolls(s, 2);
		assertThat(s.container(id).orElseThrow().restarts().total()).isEqualTo(2);
		assertThat(s.container(id).orElseThrow().status()).isEqualTo(ContainerStatus.FAILED);
	}

	@ParameterizedTest
	@ValueSource(strings = { "podman", "lxc" })
	void aUserStopIsNeverUndone(String runtime) throws Exception {
		String id = install(runtime, "stop", false, true, new RestartPolicy(true, 0, 0, 60));
		SupervisorImpl s = supervisor(null);
		s.start(id);
		ContainerReport stopped = s.stop(id, Duration.ofSeconds(1));
		assertThat(stopped.status()).isEqualTo(ContainerStatus.STOPPED);
		assertThat(stopped.desired()).isEqualTo(DesiredState.STOPPED);
		awaitPolls(s, 2);
		assertThat(driver(runtime).states().get(id).running()).isFalse();
		assertThat(s.container(id).orElseThrow().status()).isEqualTo(ContainerStatus.STOPPED);
		// Also not after the daemon restarts.
		s.deactivate();
		SupervisorImpl again = supervisor(null);
		awaitPolls(again, 2);
		assertThat(driver(runtime).states().get(id).running()).isFalse();
		assertThat(again.container(id).orElseThrow().desired()).isEqualTo(DesiredState.STOPPED);
	}

	@ParameterizedTest
	@ValueSource(strings = { "podman", "lxc" })
	void aDaemonRestartAdoptsRunningContainersAndKeepsTheirCounters(String runtime) throws Exception {
		String id = install(runtime, "adopt", false, false, new RestartPolicy(true, 5, 0, 60));
		SupervisorImpl s = supervisor(null);
		long pid = s.start(id).pid();
		Sh.run("kill", "-9", Long.toString(pid));
		Await.until("the restart", WAIT, () -> s.container(id).map(r -> r.restarts().total() == 1 && r.status() == ContainerStatus.RUNNING).orElse(false));
		long newPid = s.container(id).orElseThrow().pid();
		s.deactivate(); // the daemon stops; its containers keep running
		SupervisorImpl again = supervisor(null);
		awaitStatus(again, id, ContainerStatus.RUNNING);
		ContainerReport r = again.container(id).orElseThrow();
		assertThat(r.pid()).isEqualTo(newPid).isEqualTo(runtimePid(runtime, id));
		assertThat(r.restarts().total()).isEqualTo(1);
		assertThat(r.restarts().inWindow()).isEqualTo(1);
		assertThat(r.history()).hasSize(1);
		assertThat(log).anyMatch(l -> l.equals("INFO Container " + id + " adopted: it runs with pid " + newPid + "."));
	}

	@ParameterizedTest
	@ValueSource(strings = { "podman", "lxc" })
	void aNewBootStartsTheAutostartContainersOnly(String runtime) throws Exception {
		String auto = install(runtime, "auto", false, true, new RestartPolicy(true, 3, 0, 60));
		String manual = install(runtime, "manual", false, false, new RestartPolicy(true, 3, 0, 60));
		SupervisorImpl s = supervisor(null); // the first start on this boot: autostart containers start
		awaitStatus(s, auto, ContainerStatus.RUNNING);
		s.start(manual);
		s.deactivate();
		driver(runtime).stop(auto, Duration.ZERO);
		driver(runtime).stop(manual, Duration.ZERO);
		Files.writeString(Path.of(bootIdFile), "boot-2\n"); // the device rebooted
		SupervisorImpl after = supervisor(null);
		awaitStatus(after, auto, ContainerStatus.RUNNING);
		assertThat(after.container(auto).orElseThrow().restarts().total()).isZero();
		awaitPolls(after, 2);
		assertThat(after.container(manual).orElseThrow().status()).isEqualTo(ContainerStatus.STOPPED);
		assertThat(driver(runtime).states().get(manual).running()).isFalse();
	}

	@ParameterizedTest
	@ValueSource(strings = { "podman", "lxc" })
	void stopManagedContainersStopsEverythingAndKeepsTheDesiredState(String runtime) throws Exception {
		String a = install(runtime, "sa", false, true, new RestartPolicy(true, 3, 0, 60));
		String b = install(runtime, "sb", false, true, new RestartPolicy(true, 3, 0, 60));
		SupervisorImpl s = supervisor(null);
		awaitStatus(s, a, ContainerStatus.RUNNING);
		awaitStatus(s, b, ContainerStatus.RUNNING);
		s.deactivate();
		supervisor(SupervisorImpl.STOP_MANAGED);
		Await.until("the shutdown stop to finish", WAIT, () -> !exits.isEmpty());
		assertThat(exits).containsExactly("0 null");
		assertThat(driver(runtime).states().get(a).running()).isFalse();
		assertThat(driver(runtime).states().get(b).running()).isFalse();
		assertThat(stateOf(a).get("desired")).isEqualTo("running");
		assertThat(stateOf(a).get("status")).isEqualTo("stopped");
	}

	@Test
	void stopManagedContainersNamesThoseItCouldNotStopAndExitsOne() throws Exception {
		RestartPolicy policy = new RestartPolicy(true, 3, 0, 60);
		String stopped = install("lxc", "sok", false, true, policy);
		String stuck = install("podman", "sstuck", false, true, policy);
		SupervisorImpl s = supervisor(null);
		awaitStatus(s, stopped, ContainerStatus.RUNNING);
		awaitStatus(s, stuck, ContainerStatus.RUNNING);
		s.deactivate();
		// The real podman, but it refuses every stop, as a wedged runtime would at shutdown.
		Path refusing = work.resolve("podman-refusing-stop");
		Files.writeString(refusing, "#!/bin/sh\nfor a in \"$@\"; do [ \"$a\" = stop ] && { echo 'Error: simulated refusal' >&2; exit 125; }; done\n"
			+ "exec podman \"$@\"\n");
		Files.setPosixFilePermissions(refusing, PosixFilePermissions.fromString("rwxr-xr-x"));
		DaemonConfig refusingConfig = TestConfig.daemon(work, podman.globalArgs(), podman.environment(), refusing.toString(), Duration.ofSeconds(30));
		podmanDriver = PodmanDriver.standalone(new CommandRunnerImpl(work.resolve("exec"), x -> { }), () -> refusingConfig, TestLogger.create());
		supervisor(SupervisorImpl.STOP_MANAGED);
		Await.until("the shutdown stop to finish", WAIT, () -> !exits.isEmpty());
		assertThat(exits).singleElement().asString().startsWith("1 could not stop " + stuck + " (").contains("simulated refusal")
			.doesNotContain(stopped);
		assertThat(driver("lxc").states().get(stopped).running()).isFalse();
		assertThat(driver("podman").states().get(stuck).running()).isTrue();
		assertThat(stateOf(stuck).get("desired")).isEqualTo("running");
	}

	@ParameterizedTest
	@ValueSource(strings = { "podman", "lxc" })
	void aDriverAwayFreezesSupervisionAndItsReturnResumesIt(String runtime) throws Exception {
		String id = install(runtime, "away", false, false, new RestartPolicy(true, 5, 0, 60));
		SupervisorImpl s = supervisor(null);
		long pid = s.start(id).pid();
		drivers.remove(driver(runtime));
		awaitStatus(s, id, ContainerStatus.UNKNOWN);
		awaitPolls(s, 2);
		assertThat(runtimePid(runtime, id)).as("not restarted while its driver is away").isEqualTo(pid);
		drivers.add(driver(runtime));
		awaitStatus(s, id, ContainerStatus.RUNNING);
		assertThat(s.container(id).orElseThrow().pid()).isEqualTo(pid);
		assertThat(s.container(id).orElseThrow().restarts().total()).isZero();
		Sh.run("kill", "-9", Long.toString(pid));
		Await.until("a restart after the driver's return", WAIT,
			() -> s.container(id).map(r -> r.restarts().total() == 1 && r.status() == ContainerStatus.RUNNING).orElse(false));
	}
}
