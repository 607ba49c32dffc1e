package cc.container.dist;

import static org.assertj.core.api.Assertions.assertThat;

import cc.container.testing.Await;
import cc.container.testing.Busybox;
import cc.container.testing.LxcBundles;
import cc.container.testing.LxcSandbox;
import cc.container.testing.Packages;
import cc.container.testing.PodmanSandbox;
import cc.container.testing.Sh;
import cc.container.util.json.Json;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code cc-containers.conf} and the daemon configuration edited by hand while the daemon runs: what each field change
 * does once reloaded ({@code containerctl daemon reload}, SIGHUP), an invalid edit, an edit followed by
 * {@code config set} (the edit survives), and a file never written over an edit the daemon has not read.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class HandEditIT {
	static final Duration WAIT = Duration.ofSeconds(90);

	@TempDir
	static Path dir;
	static PodmanSandbox podman;
	static LxcSandbox lxc;
	static Path work;
	static Path conf;
	static Path file;
	static Daemon daemon;

	static CtlIT.Result ctl(String... args) throws Exception {
		return CtlIT.containerctl(Daemon.DIST, conf, dir, args);
	}

	@SuppressWarnings("unchecked")
	static Map<String, Object> status(String id) throws Exception {
		return (Map<String, Object>) Json.parse(ctl("status", id, "--json").out().getBytes(StandardCharsets.UTF_8));
	}

	/** Edits the containers configuration as a user would: the text itself. */
	static void edit(UnaryOperator<String> change) throws Exception {
		Files.writeString(file, change.apply(Files.readString(file)));
	}

	@BeforeAll
	static void daemon() throws Exception {
		work = Files.createDirectories(dir.resolve("work"));
		podman = new PodmanSandbox(dir.resolve("podman"));
		lxc = new LxcSandbox(work.resolve("installed/lxc"));
		conf = Daemon.writeConfig(dir, "ctl.sock", "DEBUG", podman);
		file = work.resolve("cc-containers.conf");
		byte[] image = Files.readAllBytes(podman.imageArchive("localhost/he/ticker:1", Busybox.TICKER, dir.resolve("ticker.tar")));
		byte[] bundle = Files.readAllBytes(LxcBundles.create(dir, dir.resolve("b.tar.gz"), "b", Busybox.TICKER, null));
		daemon = Daemon.start(dir, "--config-file", conf.toString());
		Await.until("the control socket", WAIT, () -> Files.exists(dir.resolve("ctl.sock")));
		for (String runtime : List.of("podman", "lxc")) {
			byte[] payload = runtime.equals("podman") ? image : bundle;
			Map<String, Object> m = Packages.manifest("he-" + runtime, "1", runtime, payload);
			m.put("registration_defaults", Map.of("autostart", true, "monitor", true,
				"restart", Map.of("enabled", true, "max_retries", 0L, "window", 60L, "retry_delay", 0L)));
			Path pkg = Packages.dcp(dir.resolve(runtime + ".tar.gz"), m, runtime.equals("podman") ? "image.tar" : "rootfs.tar.gz", payload);
			assertThat(ctl("install", pkg.toString()).status()).isZero();
		}
	}

	@AfterAll
	static void stop() throws Exception {
		if (daemon != null) {
			daemon.close();
		}
		lxc.close();
		podman.close();
	}

	static long pid(String id) throws Exception {
		Object p = status(id).get("pid");
		return p == null ? 0 : ((Number) p).longValue();
	}

	@Test
	@Order(1)
	void aReloadAppliesTheRestartPolicyAndAutostartAtOnce() throws Exception {
		edit(t -> t.replaceFirst("\"enabled\" : true", "\"enabled\" : false").replaceFirst("\"autostart\" : true", "\"autostart\" : false"));
		assertThat(ctl("daemon", "status").out()).contains("config_problems: 1",
			file + " was edited after the daemon read it; containerctl daemon reload applies the edit");
		CtlIT.Result r = ctl("daemon", "reload");
		assertThat(r.status()).as(r.err()).isZero();
		assertThat(r.out()).contains(conf + ": reloaded\n", file + ": reloaded, 2 container(s): he-podman changed\n");
		assertThat(ctl("daemon", "status").out()).contains("config_problems: none");
		assertThat(ctl("list").out().lines().filter(l -> l.startsWith("he-podman")).findFirst().orElseThrow()).endsWith("no");
		long before = pid("he-podman");
		Sh.run("kill", "-9", Long.toString(before));
		Await.until("the crash seen", WAIT, () -> {
			try {
				return "exited".equals(status("he-podman").get("status"));
			} catch (Exception e) {
				return false;
			}
		});
		assertThat(status("he-podman").get("history").toString()).contains("its restart policy is disabled");
		assertThat(ctl("start", "he-podman").status()).isZero();
	}

	/** Changes one field of one entry, as a user would with an editor. */
	@SuppressWarnings("unchecked")
	static void editEntry(String id, String field, Object value) throws Exception {
		Map<String, Object> doc = (Map<String, Object>) Json.parse(Files.readAllBytes(file));
		for (Object e : (List<Object>) doc.get("containers")) {
			if (id.equals(((Map<?, ?>) e).get("id"))) {
				((Map<String, Object>) e).put(field, value);
			}
		}
		Files.write(file, Json.write(doc));
	}

	/**
	 * Waits until the daemon has written state.json {@code polls} more times (each poll does: he-podman runs monitored, so
	 * each brings its new statistics).
	 */
	static void awaitPolls(int polls) throws Exception {
		java.util.Set<Object> seen = new java.util.HashSet<>();
		Await.until(polls + " polls", WAIT, () -> {
			try {
				seen.add(((Map<?, ?>) Json.parse(Files.readAllBytes(work.resolve("state.json")))).get("updated_at"));
			} catch (Exception e) {
				// being replaced: the next look reads it
			}
			return seen.size() > polls;
		});
	}

	@Test
	@Order(2)
	void monitorOffMeansNotWatchedAndOnAgainCatchesUp() throws Exception {
		editEntry("he-lxc", "monitor", false);
		assertThat(ctl("daemon", "reload").status()).isZero();
		assertThat(ctl("config", "get", "he-lxc", "monitor").out()).isEqualTo("false\n");
		Sh.run("kill", "-9", Long.toString(pid("he-lxc")));
		// Not watched: the polls that would have restarted a watched container pass, and nothing happens.
		awaitPolls(3);
		assertThat(lxc.state("he-lxc")).isEqualTo("STOPPED");
		assertThat((List<?>) status("he-lxc").get("history")).isEmpty();
		assertThat(ctl("config", "set", "he-lxc", "monitor", "true").status()).isZero();
		Await.until("he-lxc restarted once watched again", WAIT, () -> "RUNNING".equals(lxc.state("he-lxc")));
	}

	@Test
	@Order(3)
	void anEditFollowedByConfigSetSurvives() throws Exception {
		edit(t -> t.replaceFirst("\"max_retries\" : 0", "\"max_retries\" : 7"));
		assertThat(ctl("config", "set", "he-podman", "friendly_name", "Edited Pod").status()).isZero();
		String text = Files.readString(file);
		assertThat(text).contains("\"max_retries\" : 7", "\"friendly_name\" : \"Edited Pod\"");
		assertThat(ctl("config", "get", "he-podman", "restart.max_retries").out()).isEqualTo("7\n");
	}

	@Test
	@Order(4)
	void anInvalidEditKeepsWhatIsInForceAndIsNeverWrittenOver() throws Exception {
		String before = Files.readString(file);
		edit(t -> t.replaceFirst("\"window\" : 60", "\"window\" : 0"));
		String invalid = Files.readString(file);
		CtlIT.Result r = ctl("daemon", "reload");
		assertThat(r.status()).isEqualTo(1);
		assertThat(r.out()).contains("not reloaded, the last good entries stay in force: " + file + ": containers[0].restart.window: must be a whole "
			+ "number from 1 to 604800, got 0");
		assertThat(r.err()).isEqualTo("containerctl: a configuration file is not valid; what was in force stays (the lines above say which)\n");
		assertThat(ctl("daemon", "status").out()).contains("was edited and is not valid, the last good entries stay in force");
		assertThat(ctl("list").out()).contains("he-podman", "he-lxc");
		r = ctl("config", "set", "he-podman", "autostart", "true");
		assertThat(r.status()).isEqualTo(1);
		assertThat(r.err()).startsWith("containerctl: " + file + " was edited and is not valid, so the change was not written");
		assertThat(Files.readString(file)).as("the user's file as the user left it").isEqualTo(invalid);
		assertThat(Files.readString(dir.resolve("cc-containerd.log"))).contains("containers[0].restart.window: must be a whole number");
		Files.writeString(file, before);
		assertThat(ctl("daemon", "reload").status()).isZero();
	}

	@Test
	@Order(5)
	void editedCreateArgsDoNotTouchTheRunningContainer() throws Exception {
		edit(t -> t.replace("\"create_args\" : \"--network none\"", "\"create_args\" : \"--network none --env EDITED=yes\""));
		assertThat(ctl("daemon", "reload").status()).isZero();
		assertThat(podman.podman("inspect", "--format", "{{.Config.Env}}", "he-podman")).doesNotContain("EDITED");
		assertThat(Files.readString(dir.resolve("cc-containerd.log"))).contains("The create_args of container he-podman changed in the file; "
			+ "the container keeps those it was created with, and an update creates it with its package's.");
	}

	@Test
	@Order(6)
	void anEntryRemovedByHandReleasesItsContainerWithoutDeletingIt() throws Exception {
		String before = Files.readString(file);
		@SuppressWarnings("unchecked")
		Map<String, Object> doc = (Map<String, Object>) Json.parse(before.getBytes(StandardCharsets.UTF_8));
		List<Object> entries = new ArrayList<>((List<Object>) doc.get("containers"));
		entries.removeIf(e -> "he-lxc".equals(((Map<?, ?>) e).get("id")));
		doc.put("containers", entries);
		Files.write(file, Json.write(doc));
		long pid = pid("he-lxc");
		CtlIT.Result r = ctl("daemon", "reload");
		assertThat(r.out()).contains("he-lxc released");
		assertThat(ctl("list").out()).doesNotContain("he-lxc");
		assertThat(ctl("status", "he-lxc").status()).isEqualTo(4);
		assertThat(lxc.state("he-lxc")).as("still there, still running").isEqualTo("RUNNING");
		assertThat(lxc.pid("he-lxc")).isEqualTo(pid);
		// Put back by hand (SIGHUP this time): adopted as it runs.
		Files.writeString(file, before);
		Sh.run("kill", "-HUP", Long.toString(daemon.process.pid()));
		Await.until("he-lxc adopted again", WAIT, () -> {
			try {
				return pid("he-lxc") == pid && "running".equals(status("he-lxc").get("status"));
			} catch (Exception e) {
				return false;
			}
		});
		assertThat(Files.readString(dir.resolve("cc-containerd.log"))).contains("SIGHUP: " + file + ": reloaded");
	}

	@Test
	@Order(7)
	void theDaemonConfigurationReloadsAndSaysWhatNeedsARestart() throws Exception {
		String original = Files.readString(conf);
		Files.writeString(conf, original.replace("\"monitor_interval\":1", "\"monitor_interval\":2")
			.replace(dir.resolve("work").toString(), dir.resolve("elsewhere").toString()));
		CtlIT.Result r = ctl("daemon", "reload");
		assertThat(r.status()).as(r.err()).isZero();
		assertThat(r.out()).contains(conf + ": reloaded; service.working_path changed; it takes effect when the daemon restarts");
		assertThat(ctl("daemon", "status").out()).contains("service.working_path changed; it takes effect when the daemon restarts");
		assertThat(ctl("list").out()).contains("he-podman");
		Files.writeString(conf, original);
		assertThat(ctl("daemon", "reload").out()).contains(conf + ": reloaded\n");
		assertThat(ctl("daemon", "status").out()).contains("config_problems: none");
	}
}
