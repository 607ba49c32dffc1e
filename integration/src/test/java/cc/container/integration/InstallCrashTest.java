package cc.container.integration;

import static org.assertj.core.api.Assertions.assertThat;

import cc.container.api.config.DaemonConfig;
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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A process installing a package is killed with SIGKILL at a random instant while the installation is under way, again
 * and again; the next installer to start finds either the complete installation or nothing, and a clean staging
 * folder.
 */
class InstallCrashTest {
	@TempDir
	Path dir;

	/** The daemon's parts on a working path and an isolated Podman store. */
	static Parts open(Path work, PodmanSandbox sandbox) throws Exception {
		DaemonConfig config = TestConfig.daemon(work, sandbox, Duration.ofSeconds(60));
		Files.writeString(work.resolve("boot_id"), "b\n");
		return Parts.open(config, work.resolve("exec-" + ProcessHandle.current().pid()), work.resolve("boot_id"), TestLogger.create());
	}

	/** The child process: installs args[3] on working path args[0] with Podman store args[1] and run root args[2]. */
	public static void main(String[] args) throws Exception {
		try (Parts p = open(Path.of(args[0]), new PodmanSandbox(Path.of(args[1]), Path.of(args[2])))) {
			p.installer().install(Path.of(args[3]), true, x -> { });
			System.out.println("installed");
		}
		System.exit(0);
	}

	/**
	 * Each round kills the installing process while its journal is on disk: after the journal appeared (the runtime is
	 * about to be touched) and before it is gone (the installation is complete), at a random instant within that window;
	 * a kill that came too late is not counted, and the next round aims earlier.
	 */
	@Test
	void aKillWhileTheInstallationIsUnderWayLeavesAllOrNothing() throws Exception {
		Path work = Files.createDirectories(dir.resolve("work"));
		Path runRoot = Path.of("/tmp", "ccrr-crash-" + ProcessHandle.current().pid());
		PodmanSandbox sandbox = new PodmanSandbox(dir.resolve("podman"), runRoot);
		byte[] image = Files.readAllBytes(sandbox.imageArchive("localhost/c/t:1", Busybox.TICKER, dir.resolve("t.tar")));
		byte[] bundle = Files.readAllBytes(LxcBundles.create(dir, dir.resolve("b.tar.gz"), "b", Busybox.TICKER, null));
		Path podPkg = Packages.dcp(dir.resolve("pod.tar.gz"), Packages.manifest("crash-pod", "1", "podman", image), "image.tar", image);
		Path lxcPkg = Packages.dcp(dir.resolve("lxc.tar.gz"), Packages.manifest("crash-lxc", "1", "lxc", bundle), "rootfs.tar.gz", bundle);
		LxcSandbox lxc = new LxcSandbox(work.resolve("installed/lxc"));
		String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
		// How long after its journal appears an installation may be killed: about its length, shortened after a late kill.
		Map<String, Integer> aim = new HashMap<>(Map.of("crash-pod", 1500, "crash-lxc", 300));
		int inWindow = 0;
		int complete = 0;
		int attempts = 0;
		try {
			while (inWindow < 12) {
				assertThat(attempts++).as("attempts to kill an installation while it is under way").isLessThan(40);
				String id = inWindow % 2 == 0 ? "crash-pod" : "crash-lxc";
				Path pkg = id.equals("crash-pod") ? podPkg : lxcPkg;
				Path journal = work.resolve("staging").resolve(id + ".journal");
				Process child = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), InstallCrashTest.class.getName(),
					work.toString(), dir.resolve("podman").toString(), runRoot.toString(), pkg.toString())
					.redirectErrorStream(true).redirectOutput(dir.resolve("child.log").toFile()).start();
				long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
				while (!Files.exists(journal) && child.isAlive() && System.nanoTime() < deadline) {
					Thread.sleep(1);
				}
				assertThat(Files.exists(journal)).as("the journal of %s appeared (%s)", id, Files.readString(dir.resolve("child.log"))).isTrue();
				Thread.sleep(ThreadLocalRandom.current().nextInt(aim.get(id) + 1));
				child.descendants().forEach(ProcessHandle::destroyForcibly);
				child.destroyForcibly();
				assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
				boolean hit = Files.exists(journal);
				if (hit) {
					inWindow++;
				} else {
					aim.put(id, aim.get(id) / 2); // too late: the installation had finished
				}
				List<String> log = new CopyOnWriteArrayList<>();
				DaemonConfig config = TestConfig.daemon(work, sandbox, Duration.ofSeconds(60));
				try (Parts p = Parts.open(config, work.resolve("exec"), work.resolve("boot_id"), TestLogger.into(log))) {
					Await.until("the recovery of " + id, Duration.ofSeconds(60), () -> !Files.exists(journal));
					boolean registered = p.store().container(id).isPresent();
					var states = p.driver(id.equals("crash-pod") ? "podman" : "lxc").states();
					boolean inRuntime = states.containsKey(id);
					assertThat(inRuntime).as("%s: the runtime agrees with the configuration (it shows %s)", id, states.keySet()).isEqualTo(registered);
					if (hit) {
						assertThat(log).as("the recovery of %s said what it did", id)
							.anyMatch(l -> l.contains("The installation of " + id + " was interrupted"));
						complete += registered ? 1 : 0;
					}
					if (registered) {
						p.installer().remove(id);
					}
					assertThat(p.driver(id.equals("crash-pod") ? "podman" : "lxc").states()).as("no stray container").doesNotContainKey(id);
				}
				try (Stream<Path> st = Files.list(work.resolve("staging"))) {
					assertThat(st.toList()).as("a clean staging folder").isEmpty();
				}
			}
		} finally {
			lxc.close();
			sandbox.close();
		}
		System.out.printf("kill -9 while an installation was under way (journal on disk): %d rounds, %d complete, %d undone; %d attempts%n",
			inWindow, complete, inWindow - complete, attempts);
	}
}
