package cc.container.dcp.internal;

import static org.assertj.core.api.Assertions.assertThat;

import cc.container.api.InstallException;
import cc.container.api.Supervisor;
import cc.container.api.config.DaemonConfig;
import cc.container.api.runtime.RuntimeDriver;
import cc.container.config.internal.StoreConfiguration;
import cc.container.driver.lxc.internal.LxcDriverAccess;
import cc.container.driver.podman.internal.PodmanDriverAccess;
import cc.container.exec.internal.CommandRunnerImpl;
import cc.container.supervisor.internal.SupervisorAccess;
import cc.container.testing.Await;
import cc.container.testing.Busybox;
import cc.container.testing.LxcBundles;
import cc.container.testing.LxcSandbox;
import cc.container.testing.Packages;
import cc.container.testing.PodmanSandbox;
import cc.container.testing.TestConfig;
import cc.container.testing.TestLogger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A process installing a package is killed with SIGKILL at a random instant, again and again; the next installer to
 * start finds either the complete installation or nothing, and a clean staging folder.
 */
class InstallCrashTest {
	@TempDir
	Path dir;

	/** Everything an installer needs, on a working path and an isolated Podman store. */
	record Stack(DaemonConfig config, StoreConfiguration store, Supervisor supervisor, InstallerImpl installer, RuntimeDriver podman,
		RuntimeDriver lxc) implements AutoCloseable {
		static Stack open(Path work, PodmanSandbox sandbox) throws Exception {
			DaemonConfig config = TestConfig.daemon(work, sandbox, Duration.ofSeconds(60));
			StoreConfiguration store = new StoreConfiguration(config.service().containersFile());
			CommandRunnerImpl runner = new CommandRunnerImpl(work.resolve("exec-" + ProcessHandle.current().pid()), s -> { });
			RuntimeDriver p = PodmanDriverAccess.create(runner, config, TestLogger.create());
			RuntimeDriver l = LxcDriverAccess.create(runner, config, TestLogger.create());
			Files.writeString(work.resolve("boot_id"), "b\n");
			Supervisor s = SupervisorAccess.create(TestConfig.service(config), store, TestLogger.create(), work.resolve("boot_id"), p, l);
			InstallerImpl i = new InstallerImpl(TestConfig.service(config), store, s, TestLogger.create(), Duration.ofSeconds(1), InstallerImpl.RESERVE);
			i.bindDriver(p, Map.of(RuntimeDriver.RUNTIME, "podman"));
			i.bindDriver(l, Map.of(RuntimeDriver.RUNTIME, "lxc"));
			return new Stack(config, store, s, i, p, l);
		}

		@Override
		public void close() {
			installer.close();
			SupervisorAccess.close(supervisor);
		}
	}

	/** The child process: installs args[3] on working path args[0] with Podman store args[1] and run root args[2]. */
	public static void main(String[] args) throws Exception {
		try (Stack s = Stack.open(Path.of(args[0]), new PodmanSandbox(Path.of(args[1]), Path.of(args[2])))) {
			s.installer().install(Path.of(args[3]), true, p -> { });
			System.out.println("installed");
		}
		System.exit(0);
	}

	@Test
	void aKilledInstallLeavesAllOrNothing() throws Exception {
		Path work = Files.createDirectories(dir.resolve("work"));
		Path runRoot = Path.of("/tmp", "ccrr-crash-" + ProcessHandle.current().pid());
		PodmanSandbox sandbox = new PodmanSandbox(dir.resolve("podman"), runRoot);
		byte[] image = Files.readAllBytes(sandbox.imageArchive("localhost/c/t:1", Busybox.TICKER, dir.resolve("t.tar")));
		byte[] bundle = Files.readAllBytes(LxcBundles.create(dir, dir.resolve("b.tar.gz"), "b", Busybox.TICKER, null));
		Path podPkg = Packages.dcp(dir.resolve("pod.tar.gz"), Packages.manifest("crash-pod", "1", "podman", image), "image.tar", image);
		Path lxcPkg = Packages.dcp(dir.resolve("lxc.tar.gz"), Packages.manifest("crash-lxc", "1", "lxc", bundle), "rootfs.tar.gz", bundle);
		LxcSandbox lxc = new LxcSandbox(work.resolve("installed/lxc"));
		String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
		int complete = 0;
		int nothing = 0;
		try {
			for (int round = 0; round < 12; round++) {
				Path pkg = round % 2 == 0 ? podPkg : lxcPkg;
				String id = round % 2 == 0 ? "crash-pod" : "crash-lxc";
				Process child = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), InstallCrashTest.class.getName(),
					work.toString(), dir.resolve("podman").toString(), runRoot.toString(), pkg.toString())
					.redirectErrorStream(true).redirectOutput(dir.resolve("child.log").toFile()).start();
				Thread.sleep(ThreadLocalRandom.current().nextInt(500, 2500));
				child.descendants().forEach(ProcessHandle::destroyForcibly);
				child.destroyForcibly();
				assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
				try (Stack s = Stack.open(work, sandbox)) {
					RuntimeDriver d = id.equals("crash-pod") ? s.podman() : s.lxc();
					Await.until("the recovery of round " + round, Duration.ofSeconds(60), () -> {
						try (Stream<Path> st = Files.list(work.resolve("staging"))) {
							return st.findAny().isEmpty();
						} catch (Exception e) {
							return !Files.exists(work.resolve("staging"));
						}
					});
					boolean registered = s.store().container(id).isPresent();
					boolean inRuntime = d.states().containsKey(id);
					assertThat(inRuntime).as("round %d: the runtime agrees with the configuration", round).isEqualTo(registered);
					if (registered) {
						complete++;
						s.installer().remove(id);
					} else {
						nothing++;
					}
					assertThat(d.states()).as("round %d: no stray container", round).doesNotContainKey(id);
				}
			}
		} catch (InstallException e) {
			throw new AssertionError(e);
		} finally {
			lxc.close();
			sandbox.close();
		}
		System.out.printf("kill -9 during install: %d complete, %d nothing%n", complete, nothing);
		assertThat(complete + nothing).isEqualTo(12);
	}
}
