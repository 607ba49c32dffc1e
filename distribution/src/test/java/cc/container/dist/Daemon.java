package cc.container.dist;

import cc.container.testing.PodmanSandbox;
import cc.container.util.json.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/** The built distribution's {@code bin/cc-containerd}, run as its own process the way a user runs it. */
final class Daemon implements AutoCloseable {
	static final Path DIST = Path.of(System.getProperty("cc.dist.dir", "target/cc-container-mng")).toAbsolutePath();

	final Process process;
	final Path stdout;
	final Path stderr;

	private Daemon(Process process, Path stdout, Path stderr) {
		this.process = process;
		this.stdout = stdout;
		this.stderr = stderr;
	}

	static Daemon start(Path workDir, String... args) throws IOException {
		return start(workDir, workDir.resolve("felix-cache"), args);
	}

	/** Starts a daemon whose output goes to {@code workDir} and whose bundle cache is {@code storage}. */
	static Daemon start(Path workDir, Path storage, String... args) throws IOException {
		return start(workDir, storage, java.util.Map.of(), args);
	}

	/** The same with {@code env} added to its environment ({@code CC_CONTAINERD_JAVA_OPTS} there comes after the test's own). */
	static Daemon start(Path workDir, Path storage, java.util.Map<String, String> env, String... args) throws IOException {
		return startFrom(DIST, workDir, storage, env, args);
	}

	/**
	 * The shipped tarball ({@code cc-container-mng-<version>.tar.gz} beside {@link #DIST}) unpacked into {@code into}:
	 * its {@code cc-container-mng} folder, by its real path (what the launcher and the daemon print).
	 */
	static Path unpackTarball(Path into) throws IOException {
		Path tarball;
		try (java.util.stream.Stream<Path> s = Files.list(DIST.getParent())) {
			tarball = s.filter(p -> p.getFileName().toString().matches("cc-container-mng-.*\\.tar\\.gz")).findFirst().orElseThrow();
		}
		Files.createDirectories(into);
		cc.container.testing.Sh.run("tar", "xzf", tarball.toString(), "-C", into.toString());
		return into.resolve("cc-container-mng").toRealPath();
	}

	/** The same from the installation in {@code home} (a copy of the distribution that a test may change). */
	static Daemon startFrom(Path home, Path workDir, Path storage, java.util.Map<String, String> env, String... args) throws IOException {
		List<String> cmd = new ArrayList<>();
		cmd.add(home.resolve("bin/cc-containerd").toString());
		cmd.addAll(List.of(args));
		Path out = workDir.resolve("daemon.out");
		Path err = workDir.resolve("daemon.err");
		ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile());
		pb.environment().putAll(env);
		pb.environment().put("CC_CONTAINERD_JAVA_OPTS", "-Dcc.containerd.storage=" + storage + " -Dcc.containerd.upgrades="
			+ workDir.resolve("upgrades") + " " + env.getOrDefault("CC_CONTAINERD_JAVA_OPTS", ""));
		return new Daemon(pb.start(), out, err);
	}

	/**
	 * Writes the daemon configuration {@code dir/cc-container-mng.conf} of an end-to-end test: working path
	 * {@code dir/work}, monitor every second, the control socket {@code dir/<socket>}, the log file
	 * {@code dir/cc-containerd.log} at {@code fileLevel}, and Podman in {@code podman}'s sandbox.
	 */
	static Path writeConfig(Path dir, String socket, String fileLevel, PodmanSandbox podman) throws IOException {
		return writeConfig(dir, socket, fileLevel, podman, 1);
	}

	/** The same with another {@code monitor_interval}. */
	static Path writeConfig(Path dir, String socket, String fileLevel, PodmanSandbox podman, long monitorInterval) throws IOException {
		Path conf = dir.resolve("cc-container-mng.conf");
		Files.writeString(conf, Json.writeCompact(Map.of(
			"service", Map.of("working_path", dir.resolve("work").toString(), "monitor_interval", monitorInterval, "command_timeout", 30L,
				"control_socket", dir.resolve(socket).toString()),
			"logging", Map.of("level", "INFO", "syslog", Map.of("enabled", false), "console", Map.of("enabled", false),
				"file", Map.of("enabled", true, "path", dir.resolve("cc-containerd.log").toString(), "level", fileLevel)),
			"runtimes", Map.of("podman", Map.of("global_args", podman.globalArgs(), "env", podman.environment())))));
		return conf;
	}

	String stderrText() throws IOException {
		return Files.readString(stderr, StandardCharsets.UTF_8);
	}

	int waitForExit(Duration timeout) throws InterruptedException {
		if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
			throw new AssertionError("the daemon did not exit within " + timeout);
		}
		return process.exitValue();
	}

	static void await(String what, Duration timeout, BooleanSupplier condition) throws InterruptedException {
		long deadline = System.nanoTime() + timeout.toNanos();
		while (!condition.getAsBoolean()) {
			if (System.nanoTime() > deadline) {
				throw new AssertionError("timed out after " + timeout + " waiting for " + what);
			}
			Thread.sleep(25);
		}
	}

	static boolean fileContains(Path file, String text) {
		try {
			return Files.exists(file) && Files.readString(file, StandardCharsets.UTF_8).contains(text);
		} catch (IOException e) {
			return false;
		}
	}

	@Override
	public void close() throws InterruptedException {
		if (process.isAlive()) {
			process.destroy();
			if (!process.waitFor(20, TimeUnit.SECONDS)) {
				process.destroyForcibly().waitFor();
			}
		}
	}
}
