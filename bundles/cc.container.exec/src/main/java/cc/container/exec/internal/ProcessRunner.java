package cc.container.exec.internal;

import cc.container.api.exec.Command;
import cc.container.api.exec.CommandException;
import cc.container.api.exec.CommandResult;
import cc.container.api.exec.RunningCommand;
import cc.container.util.Lines;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.IntConsumer;

/**
 * Runs processes for the command runner component. Standard output and error of a command that runs to its end go
 * to two files in a private folder rather than pipes: no reader threads per command, and a tool that leaves a
 * daemonized child holding its output open (as {@code lxc-start} does) cannot block the caller.
 */
final class ProcessRunner {
	private static final File DEV_NULL = new File("/dev/null");
	private final Path tmpDir;
	private final Consumer<String> debug;

	ProcessRunner(Path tmpDir, Consumer<String> debug) {
		this.tmpDir = tmpDir;
		this.debug = debug;
	}

	CommandResult run(Command command) throws CommandException {
		Path out = null;
		Path err = null;
		long start = System.nanoTime();
		Process p;
		try {
			Files.createDirectories(tmpDir);
			out = Files.createTempFile(tmpDir, "cmd-", ".out");
			err = Files.createTempFile(tmpDir, "cmd-", ".err");
			ProcessBuilder pb = builder(command).redirectInput(ProcessBuilder.Redirect.from(DEV_NULL))
				.redirectOutput(out.toFile()).redirectError(err.toFile());
			try {
				p = pb.start();
			} catch (IOException e) {
				throw notStarted(command, e);
			}
			boolean done;
			try {
				done = p.waitFor(command.timeout().toMillis(), TimeUnit.MILLISECONDS);
			} catch (InterruptedException e) {
				killTree(p);
				Thread.currentThread().interrupt();
				throw new CommandException(CommandException.Kind.INTERRUPTED, command,
					"interrupted while running " + command.display() + "; it was killed", e);
			}
			Duration took = Duration.ofNanos(System.nanoTime() - start);
			if (!done) {
				killTree(p);
				debug.accept("Timed out after " + command.timeout().toSeconds() + " s and killed: " + command.display());
				throw new CommandException(CommandException.Kind.TIMED_OUT, command, command.display() + " did not finish within "
					+ command.timeout().toSeconds() + " s and was killed with the processes it started", null);
			}
			boolean[] truncated = new boolean[1];
			String stdout = read(out, command.maxOutput(), truncated);
			String stderr = read(err, command.maxOutput(), truncated);
			CommandResult r = new CommandResult(command, p.exitValue(), stdout, stderr, took, truncated[0]);
			debug.accept("Ran " + command.display() + " in " + took.toMillis() + " ms: exit " + r.exitCode()
				+ (r.ok() ? "" : " (" + r.reason() + ")"));
			return r;
		} catch (IOException e) {
			throw new CommandException(CommandException.Kind.NOT_STARTED, command,
				"cannot run " + command.display() + ": " + e.getMessage(), e);
		} finally {
			deleteQuietly(out);
			deleteQuietly(err);
		}
	}

	RunningCommand stream(Command command, boolean mergeStderr, Consumer<String> lines, IntConsumer exit) throws CommandException {
		ProcessBuilder pb = builder(command).redirectInput(ProcessBuilder.Redirect.from(DEV_NULL));
		if (mergeStderr) {
			pb.redirectErrorStream(true);
		} else {
			pb.redirectError(ProcessBuilder.Redirect.DISCARD);
		}
		Process p;
		try {
			p = pb.start();
		} catch (IOException e) {
			throw notStarted(command, e);
		}
		debug.accept("Started " + command.display() + " (pid " + p.pid() + ")");
		Thread reader = new Thread(() -> {
			try (InputStream in = p.getInputStream()) {
				Lines.split(in, lines);
			} catch (IOException | RuntimeException e) {
				// the stream ended because the process was killed, or a listener failed: the process goes either way
			}
			killTree(p);
			int status;
			try {
				status = p.waitFor();
			} catch (InterruptedException e) {
				status = -1;
			}
			debug.accept("Ended " + command.display() + " (pid " + p.pid() + "): exit " + status);
			exit.accept(status);
		}, "cc-exec-" + command.argv().get(0).replaceAll(".*/", "") + "-" + p.pid());
		reader.setDaemon(true);
		reader.start();
		return new RunningCommand() {
			@Override
			public boolean isAlive() {
				return p.isAlive();
			}

			@Override
			public void close() {
				killTree(p);
			}
		};
	}

	private ProcessBuilder builder(Command command) {
		ProcessBuilder pb = new ProcessBuilder(command.argv());
		Map<String, String> env = pb.environment();
		command.environment().forEach((k, v) -> {
			if (v == null) {
				env.remove(k);
			} else {
				env.put(k, v);
			}
		});
		if (command.directory() != null) {
			pb.directory(command.directory().toFile());
		}
		return pb;
	}

	private static CommandException notStarted(Command command, IOException e) {
		String why = e.getMessage();
		int at = why == null ? -1 : why.indexOf("error=");
		String reason = at >= 0 ? why.substring(why.indexOf(',', at) + 1).trim() : String.valueOf(why);
		return new CommandException(CommandException.Kind.NOT_STARTED, command,
			"cannot run " + command.argv().get(0) + ": " + reason.toLowerCase(java.util.Locale.ROOT), e);
	}

	/** Kills a process and every process it started (children first seen, so none is re-parented unseen). */
	static void killTree(Process p) {
		for (int round = 0; round < 3; round++) {
			List<ProcessHandle> tree = new ArrayList<>();
			p.descendants().forEach(tree::add);
			tree.forEach(ProcessHandle::destroyForcibly);
			if (round == 0) {
				p.destroyForcibly();
			}
			if (tree.isEmpty()) {
				break;
			}
		}
		try {
			p.waitFor(5, TimeUnit.SECONDS);
		} catch (InterruptedException e) {
			Thread.currentThread().interrupt();
		}
	}

	private static String read(Path file, int max, boolean[] truncated) throws IOException {
		long size = Files.size(file);
		if (size > max) {
			truncated[0] = true;
		}
		try (InputStream in = Files.newInputStream(file)) {
			return new String(in.readNBytes((int) Math.min(size, max)), StandardCharsets.UTF_8);
		}
	}

	private static void deleteQuietly(Path p) {
		if (p != null) {
			try {
				Files.deleteIfExists(p);
			} catch (IOException e) {
				// a leftover temporary file is removed with the folder at the next start
			}
		}
	}
}
