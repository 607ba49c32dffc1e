package cc.container.dist;

import static org.assertj.core.api.Assertions.assertThat;

import cc.container.testing.Await;
import cc.container.testing.Busybox;
import cc.container.testing.Decoy;
import cc.container.testing.LxcBundles;
import cc.container.testing.LxcSandbox;
import cc.container.testing.Packages;
import cc.container.testing.PodmanSandbox;
import cc.container.testing.Sh;
import cc.container.util.json.Json;
import java.io.DataOutputStream;
import java.math.BigDecimal;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Containment, against one running daemon: hostile packages, clients that misbehave, long stops and a second daemon
 * can neither damage the device nor stop supervision. Every "host" path a hostile case names is a decoy folder with a
 * canary under the test's own folder; after each case the canary is checked, and after all of them the same daemon
 * still restarts a container killed with {@code kill -9}.
 *
 * <p>The daemon polls only every 30 s here: a crash handled within seconds was seen by the runtime's event, so a
 * stalled client or a long stop did not hold up the threads that watch the containers.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ContainmentIT {
	static final Duration WAIT = Duration.ofSeconds(90);

	@TempDir
	static Path dir;
	static PodmanSandbox podman;
	static LxcSandbox lxc;
	static Path work;
	static Path conf;
	static Path socket;
	static Daemon daemon;
	static Decoy decoy;
	static byte[] image;
	static byte[] chattyImage;
	static byte[] bundle;
	static byte[] chattyBundle;
	static int count;

	static CtlIT.Result ctl(String... args) throws Exception {
		return CtlIT.containerctl(Daemon.DIST, conf, dir, args);
	}

	@BeforeAll
	static void daemon() throws Exception {
		work = Files.createDirectories(dir.resolve("work"));
		podman = new PodmanSandbox(dir.resolve("podman"));
		lxc = new LxcSandbox(work.resolve("installed/lxc"));
		socket = dir.resolve("ctl.sock");
		conf = Daemon.writeConfig(dir, socket.getFileName().toString(), "INFO", podman, 30);
		decoy = new Decoy(dir.resolve("decoy-host"));
		image = Files.readAllBytes(podman.imageArchive("localhost/cm/ticker:1", Busybox.TICKER, dir.resolve("ticker.tar")));
		chattyImage = Files.readAllBytes(podman.imageArchive("localhost/cm/chatty:1",
			"#!/bin/sh\nwhile true; do echo 'chatty chatty chatty chatty chatty chatty chatty chatty chatty chatty'; done\n",
			dir.resolve("chatty.tar")));
		bundle = Files.readAllBytes(LxcBundles.create(dir, dir.resolve("bundle.tar.gz"), "b", Busybox.TICKER, null));
		chattyBundle = Files.readAllBytes(LxcBundles.create(dir, dir.resolve("chatty-bundle.tar.gz"), "c",
			"#!/bin/sh\nexec >/dev/console 2>&1\nwhile true; do echo 'chatty chatty chatty chatty chatty chatty chatty chatty chatty'; done\n", null));
		daemon = Daemon.start(dir, "--config-file", conf.toString());
		Await.until("the control socket", WAIT, () -> Files.exists(socket));
	}

	@AfterAll
	static void stop() throws Exception {
		if (daemon != null) {
			daemon.close();
		}
		lxc.close();
		podman.close();
		assertThat(decoy.intact()).as("the decoy of the host's files").isTrue();
	}

	static Path file(String name) {
		return dir.resolve("hostile-" + name + "-" + (++count) + ".tar.gz");
	}

	static Map<String, Object> manifest(String id, String runtime, byte[] payload) throws Exception {
		Map<String, Object> m = Packages.manifest(id, "1", runtime, payload);
		m.put("registration_defaults", Map.of("autostart", true, "monitor", true,
			"restart", Map.of("enabled", true, "max_retries", 0L, "window", 60L, "retry_delay", 0L)));
		return m;
	}

	static Path lxcPackage(String name, String config, String pythonExtra) throws Exception {
		Path b = LxcBundles.withConfig(dir, dir.resolve(name + "-bundle-" + (++count) + ".tar.gz"), config, Busybox.TICKER, null);
		if (pythonExtra != null) {
			Path out = dir.resolve(name + "-bundle-x-" + count + ".tar.gz");
			Sh.run(null, Map.of(), List.of("python3", "-c", String.join("\n",
				"import tarfile,sys",
				"src=tarfile.open(sys.argv[1],'r:gz'); t=tarfile.open(sys.argv[2],'w:gz')",
				"for m in src.getmembers(): t.addfile(m, src.extractfile(m) if m.isfile() else None)",
				"def l(n,target):",
				"  i=tarfile.TarInfo(n); i.type=tarfile.SYMTYPE; i.linkname=target; t.addfile(i)",
				pythonExtra, "t.close()"), b.toString(), out.toString()));
			b = out;
		}
		byte[] payload = Files.readAllBytes(b);
		return Packages.dcp(file(name), manifest("evil-" + name, "lxc", payload), "rootfs.tar.gz", payload);
	}

	/** A package whose members are the manifest, the checksum and the payload, after {@code extra} raw members. */
	static Path raw(String name, Packages.Members extra) throws Exception {
		byte[] manifest = Json.write(manifest("evil-" + name, "podman", image));
		Instant t = Instant.parse("2026-11-28T20:00:00Z");
		return Packages.raw(file(name), tar -> {
			extra.write(tar);
			tar.file("manifest.json", 0644, t, manifest);
			try {
				tar.file("checksums/sha256sums.txt", 0644, t, (Packages.sha256(image) + "  payload/image.tar\n").getBytes(StandardCharsets.UTF_8));
			} catch (Exception e) {
				throw new java.io.IOException(e);
			}
			tar.file("payload/image.tar", 0644, t, image);
		});
	}

	/** Installs {@code pkg} through containerctl: refused with exactly one line containing {@code why}, nothing left. */
	static void refused(Path pkg, String why) throws Exception {
		String images = podman.podman("images", "-a", "--format", "{{.ID}}");
		CtlIT.Result r = ctl("install", pkg.toString());
		assertThat(r.status()).as(pkg + ": " + r.err()).isIn(1, 4);
		assertThat(r.err().lines()).as("one sentence for " + pkg.getFileName()).hasSize(1);
		assertThat(r.err()).contains(why);
		assertThat(r.out()).doesNotContain("installed");
		assertThat(work.resolve("staging")).isEmptyDirectory();
		try (Stream<Path> s = Files.list(lxc.lxcPath())) {
			assertThat(s.map(p -> p.getFileName().toString())).noneMatch(n -> n.startsWith("evil") || n.startsWith(".staging"));
		}
		assertThat(podman.podman("ps", "-a", "--format", "{{.Names}}")).doesNotContain("evil");
		assertThat(podman.podman("images", "-a", "--format", "{{.ID}}")).isEqualTo(images);
		assertThat(decoy.intact()).as("the decoy after " + pkg.getFileName()).isTrue();
	}

	static long pid(String id) throws Exception {
		Map<?, ?> m = (Map<?, ?>) Json.parse(ctl("status", id, "--json").out().getBytes(StandardCharsets.UTF_8));
		return ((Number) m.get("pid")).longValue();
	}

	static void restartedAfterKill(String id, Duration within) throws Exception {
		long before = pid(id);
		assertThat(before).as(id + " runs").isPositive();
		Sh.run("kill", "-9", Long.toString(before));
		long t0 = System.nanoTime();
		Await.until(id + " restarted with a new pid", within, () -> {
			try {
				long now = pid(id);
				return now > 0 && now != before;
			} catch (Exception e) {
				return false;
			}
		});
		assertThat(Duration.ofNanos(System.nanoTime() - t0)).as("restart of " + id).isLessThan(within);
	}

	@Test
	@Order(1)
	void hostilePackagesAreRefusedByTheRunningDaemonAndItStillSupervises() throws Exception {
		long daemonPid = daemon.process.pid();
		// Archives no tool writes: chains and sizes of extended headers, names past any path, many members.
		refused(raw("pax-chain", tar -> {
			for (int i = 0; i < 9; i++) {
				tar.member("././@PaxHeader", 'x', 0644, Instant.EPOCH, cc.container.util.tar.TarWriter.paxRecord("comment", "x".repeat(200)), "");
			}
			tar.file("metadata/x", 0644, Instant.EPOCH, new byte[1]);
		}), "more than 8 extended headers follow each other without a member");
		refused(raw("pax-huge", tar -> tar.member("././@PaxHeader", 'x', 0644, Instant.EPOCH,
			cc.container.util.tar.TarWriter.paxRecord("comment", "x".repeat(200_000)), "")), "is too large (at most 65536)");
		refused(raw("pax-global", tar -> {
			for (int i = 0; i < 4; i++) {
				tar.member("././@PaxGlobal", 'g', 0644, Instant.EPOCH, cc.container.util.tar.TarWriter.paxRecord("c" + i, "x".repeat(30_000)), "");
				tar.file("metadata/g" + i, 0644, Instant.EPOCH, new byte[1]);
			}
		}), "the global PAX headers hold more than 65536 bytes");
		refused(raw("long-name", tar -> {
			tar.member("././@PaxHeader", 'x', 0644, Instant.EPOCH, cc.container.util.tar.TarWriter.paxRecord("path", "metadata/" + "d/".repeat(3000)), "");
			tar.file("x", 0644, Instant.EPOCH, new byte[1]);
		}), "longer than 4096 characters");
		refused(raw("many-members", tar -> {
			for (int i = 0; i < 300; i++) {
				tar.file("metadata/f" + i, 0644, Instant.EPOCH, new byte[1]);
			}
		}), "it has more than 256 members");
		refused(raw("fifo", tar -> tar.member("metadata/fifo", '6', 0644, Instant.EPOCH, new byte[0], "")), "is a special file");
		// Manifests whose numbers or nesting would cost gigabytes or deep stacks once read.
		Map<String, Object> huge = manifest("evil-number", "podman", image);
		huge.put("version", new BigDecimal("1e999999999"));
		refused(Packages.dcp(file("huge-number"), huge, "image.tar", image), "is out of range");
		Map<String, Object> deep = manifest("evil-deep", "podman", image);
		Object nest = "x";
		for (int i = 0; i < 100; i++) {
			nest = List.of(nest);
		}
		deep.put("labels", Map.of("deep", nest));
		refused(Packages.dcp(file("deep"), deep, "image.tar", image), "nest deeper than 32 levels");
		Map<String, Object> big = manifest("evil-big", "podman", image);
		big.put("description", "x".repeat(2 << 20));
		refused(Packages.dcp(file("big-manifest"), big, "image.tar", image), "manifest.json is too large");
		// LXC bundles naming the host: a second root file system, links for the files the manager reads.
		refused(lxcPackage("rootfs-twice", LxcBundles.config("e") + "lxc.rootfs.path = dir:" + decoy.dir() + "\n", null),
			"names two root file systems");
		refused(lxcPackage("console-link", LxcBundles.config("e"), "l('console.log','" + decoy.canary() + "')"),
			"its console.log is a link to " + decoy.canary());
		refused(lxcPackage("outside-link", LxcBundles.config("e"), "l('host','" + decoy.dir() + "')"), "points outside the bundle");
		// Not a package at all: a FIFO would block the installer for ever, a folder is no file.
		Path fifo = dir.resolve("package.fifo");
		Sh.run("mkfifo", fifo.toString());
		refused(fifo, "is not a regular file");
		refused(dir, "is not a regular file");

		assertThat(daemon.process.isAlive()).isTrue();
		assertThat(daemon.process.pid()).isEqualTo(daemonPid);
		// The same daemon still installs, runs and restarts containers.
		Path good = Packages.dcp(dir.resolve("good.tar.gz"), manifest("good-pod", "podman", image), "image.tar", image);
		assertThat(ctl("install", good.toString()).status()).isZero();
		Path goodLxc = Packages.dcp(dir.resolve("good-lxc.tar.gz"), manifest("good-lxc", "lxc", bundle), "rootfs.tar.gz", bundle);
		assertThat(ctl("install", goodLxc.toString()).status()).isZero();
		restartedAfterKill("good-pod", Duration.ofSeconds(20));
		restartedAfterKill("good-lxc", Duration.ofSeconds(20));
	}

	@Test
	@Order(2)
	void clientsThatSendNothingOrTooMuchAreDroppedAndOthersServed() throws Exception {
		List<SocketChannel> idle = new ArrayList<>();
		try {
			for (int i = 0; i < 80; i++) {
				SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
				ch.connect(UnixDomainSocketAddress.of(socket));
				idle.add(ch);
			}
			// A request frame that announces a megabyte and sends none of it costs the daemon nothing.
			SocketChannel big = SocketChannel.open(StandardProtocolFamily.UNIX);
			big.connect(UnixDomainSocketAddress.of(socket));
			new DataOutputStream(Channels.newOutputStream(big)).write(new byte[] { 'Q', 0, 16, 0, 0 });
			idle.add(big);
			// 80 clients hold every thread the socket has for them; the 81st is told so at once, with status 1.
			CtlIT.Result r = ctl("daemon", "status");
			assertThat(r.status()).isEqualTo(1);
			assertThat(r.err()).isEqualTo("containerctl: the daemon serves 64 clients already; try again shortly\n");
			// Within the request timeout they are dropped, and the daemon serves again.
			Await.until("the idle clients dropped", Duration.ofSeconds(30), () -> {
				try {
					return ctl("daemon", "status").status() == 0;
				} catch (Exception e) {
					return false;
				}
			});
			assertThat(Files.readString(dir.resolve("cc-containerd.log"))).contains("A containerctl client sent no request within 10 s; it is disconnected.");
		} finally {
			for (SocketChannel ch : idle) {
				ch.close();
			}
		}
	}

	@Test
	@Order(3)
	void aFollowerThatStopsReadingIsDroppedAndNeverHoldsUpSupervision() throws Exception {
		Path chatty = Packages.dcp(dir.resolve("chatty.tar.gz"), manifest("chatty", "podman", chattyImage), "image.tar", chattyImage);
		assertThat(ctl("install", chatty.toString()).status()).isZero();
		Path chattyLxc = Packages.dcp(dir.resolve("chatty-lxc.tar.gz"), manifest("chatty-lxc", "lxc", chattyBundle), "rootfs.tar.gz", chattyBundle);
		assertThat(ctl("install", chattyLxc.toString()).status()).isZero();
		// Followers whose output nobody reads: their pipes fill, then the daemon's writes to them wait. The LXC one is
		// fed by the driver's thread that also watches the containers' init processes.
		List<Process> stalled = new ArrayList<>();
		for (String id : List.of("chatty", "chatty-lxc")) {
			stalled.add(new ProcessBuilder(Daemon.DIST.resolve("bin/containerctl").toString(), "--config-file", conf.toString(), "logs", id, "-f")
				.redirectError(ProcessBuilder.Redirect.DISCARD).start());
		}
		try {
			Thread.sleep(2000); // let the pipes fill: this waits for the stall the test is about, it checks nothing
			restartedAfterKill("good-lxc", Duration.ofSeconds(10));
			restartedAfterKill("good-pod", Duration.ofSeconds(10));
			assertThat(ctl("daemon", "status").status()).isZero();
			Await.until("the stalled follower dropped", Duration.ofSeconds(60),
				() -> Daemon.fileContains(dir.resolve("cc-containerd.log"), "stopped reading what the daemon sends"));
		} finally {
			stalled.forEach(Process::destroyForcibly);
		}
		assertThat(ctl("remove", "chatty").status()).isZero();
		assertThat(ctl("remove", "chatty-lxc").status()).isZero();
	}

	@Test
	@Order(4)
	void fourLongStopsDoNotHoldUpTheRestartOfAnother() throws Exception {
		List<String> slow = List.of("slow-1", "slow-2", "slow-3", "slow-4");
		for (String id : slow) {
			// The ticker ignores SIGTERM: each stop waits out its 60 s grace period.
			Path p = Packages.dcp(dir.resolve(id + ".tar.gz"), manifest(id, "podman", image), "image.tar", image);
			assertThat(ctl("install", p.toString()).status()).isZero();
		}
		List<Process> stops = new ArrayList<>();
		for (String id : slow) {
			stops.add(new ProcessBuilder(Daemon.DIST.resolve("bin/containerctl").toString(), "--config-file", conf.toString(), "stop", id, "-t", "60")
				.redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.DISCARD).start());
		}
		Await.until("four stops under way", WAIT, () -> slow.stream().allMatch(id -> {
			try {
				return ctl("status", id).out().contains("status: stopping");
			} catch (Exception e) {
				return false;
			}
		}));
		restartedAfterKill("good-pod", Duration.ofSeconds(10));
		restartedAfterKill("good-lxc", Duration.ofSeconds(10));
		// End the stops early: their containers die, and each stop returns.
		for (String id : slow) {
			Sh.run("kill", "-9", podman.podman("inspect", "--format", "{{.State.Pid}}", id).trim());
		}
		for (Process p : stops) {
			assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
			assertThat(p.exitValue()).isZero();
		}
		for (String id : slow) {
			assertThat(ctl("remove", id).status()).isZero();
		}
	}

	@Test
	@Order(5)
	void aSecondDaemonOnTheSameConfigurationTouchesNothing() throws Exception {
		Object socketInode = Files.getAttribute(socket, "unix:ino");
		Path cache = dir.resolve("felix-cache");
		List<String> before;
		try (Stream<Path> s = Files.list(cache)) {
			before = s.map(p -> p.getFileName().toString()).toList();
		}
		// The same installation (its bundle cache): refused by the launcher before the framework starts.
		for (List<String> extra : List.of(List.<String>of(), List.of("--shell"))) {
			List<String> args = new ArrayList<>(List.of("--config-file", conf.toString()));
			args.addAll(extra);
			try (Daemon second = Daemon.start(Files.createDirectories(dir.resolve("second-" + extra.size())), cache, args.toArray(String[]::new))) {
				assertThat(second.waitForExit(Duration.ofSeconds(60))).isEqualTo(1);
				String err = second.stderrText();
				assertThat(err.lines()).hasSize(1);
				assertThat(err).startsWith("cc-containerd: another cc-containerd (pid " + daemon.process.pid() + ") runs from this installation");
				assertThat(err).contains(extra.isEmpty() ? "this one stops without changing anything" : "reach it with containerctl --config-file " + conf);
			}
		}
		// Another installation on the same working path: refused by the configuration component before anything else runs.
		try (Daemon third = Daemon.start(Files.createDirectories(dir.resolve("third")), "--config-file", conf.toString())) {
			assertThat(third.waitForExit(Duration.ofSeconds(60))).isEqualTo(1);
			assertThat(third.stderrText()).contains("cc-containerd: another cc-containerd (pid " + daemon.process.pid() + ") runs with the working path "
				+ work + "; reach it with containerctl; this one stops without changing anything");
		}
		assertThat(Files.getAttribute(socket, "unix:ino")).as("the socket was not replaced").isEqualTo(socketInode);
		assertThat(ctl("daemon", "status").status()).isZero();
		try (Stream<Path> s = Files.list(cache)) {
			assertThat(s.map(p -> p.getFileName().toString())).containsExactlyInAnyOrderElementsOf(before);
		}
		restartedAfterKill("good-pod", Duration.ofSeconds(20));
	}

	@Test
	@Order(6)
	void stopManagedContainersAsksTheRunningDaemon() throws Exception {
		// Run by hand (or by a unit) while the daemon runs: it asks the daemon, which stops them and holds.
		try (Daemon stopper = Daemon.start(Files.createDirectories(dir.resolve("stopper")), dir.resolve("felix-cache"), "--config-file",
			conf.toString(), "--stop-managed-containers")) {
			assertThat(stopper.waitForExit(Duration.ofSeconds(90))).as(stopper.stderrText()).isZero();
		}
		for (String id : List.of("good-pod", "good-lxc")) {
			Map<?, ?> m = (Map<?, ?>) Json.parse(ctl("status", id, "--json").out().getBytes(StandardCharsets.UTF_8));
			assertThat(m.get("status")).isEqualTo("stopped");
			assertThat(m.get("desired")).as("the desired state is kept for the next boot").isEqualTo("running");
		}
		assertThat(podman.podman("inspect", "--format", "{{.State.Running}}", "good-pod").trim()).isEqualTo("false");
		assertThat(lxc.state("good-lxc")).isEqualTo("STOPPED");
		// The running daemon starts nothing again by itself (it is about to be stopped by the system).
		assertThat(ctl("daemon", "status", "--json").out()).contains("\"running\" : 0");
	}
}
