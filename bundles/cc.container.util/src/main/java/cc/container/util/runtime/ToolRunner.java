package cc.container.util.runtime;

import cc.container.api.exec.Command;
import cc.container.api.exec.CommandException;
import cc.container.api.exec.CommandResult;
import cc.container.api.exec.CommandRunner;
import cc.container.api.runtime.DriverException;
import cc.container.api.runtime.RuntimeDriver;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * How a driver runs its runtime's tools through the command runner: failures to run become {@link DriverException}s
 * that name the runtime and the command.
 */
public final class ToolRunner {
	private final String runtime;
	private final CommandRunner runner;

	/** A tool runner for {@code runtime} ({@code lxc}, {@code podman}). */
	public ToolRunner(String runtime, CommandRunner runner) {
		this.runtime = runtime;
		this.runner = runner;
	}

	/** Runs a command; a non-zero exit status is returned, not thrown. */
	public CommandResult run(List<String> argv, Map<String, String> env, Duration timeout) throws DriverException {
		Command c = new Command(argv, env, null, timeout, Command.DEFAULT_MAX_OUTPUT);
		try {
			return runner.run(c);
		} catch (CommandException e) {
			throw translate(e);
		}
	}

	/**
	 * Runs a command inside a container (a health check) and gives its exit status and the last line it wrote
	 * (standard output, else standard error), at most {@value #MAX_EXEC_OUTPUT} characters.
	 */
	public RuntimeDriver.ExecResult exec(List<String> argv, Map<String, String> env, Duration timeout) throws DriverException {
		CommandResult r = run(argv, env, timeout);
		String out = lastLine(r.stdout());
		if (out.isEmpty()) {
			out = lastLine(r.stderr());
		}
		return new RuntimeDriver.ExecResult(r.exitCode(), out.length() > MAX_EXEC_OUTPUT ? out.substring(0, MAX_EXEC_OUTPUT) + "..." : out);
	}

	/** The most of a health check's output kept. */
	static final int MAX_EXEC_OUTPUT = 200;

	private static String lastLine(String s) {
		String[] lines = s.strip().split("\n");
		return lines.length == 0 ? "" : lines[lines.length - 1].strip();
	}

	/** Runs a command that must succeed; otherwise the exception says {@code what} failed and why. */
	public CommandResult check(String what, List<String> argv, Map<String, String> env, Duration timeout) throws DriverException {
		CommandResult r = run(argv, env, timeout);
		if (!r.ok()) {
			throw failed(what, r);
		}
		return r;
	}

	/** The exception for a command that ran and failed. */
	public DriverException failed(String what, CommandResult r) {
		return new DriverException(runtime, DriverException.Kind.FAILED,
			what + " failed: " + r.reason() + " (" + r.command().display() + ", exit " + r.exitCode() + ")");
	}

	/** The exception for a command that did not run to its end. */
	public DriverException translate(CommandException e) {
		switch (e.kind()) {
			case NOT_STARTED:
				return new DriverException(runtime, DriverException.Kind.UNAVAILABLE, runtime + " is not available: " + e.getMessage(), e);
			case TIMED_OUT:
				return new DriverException(runtime, DriverException.Kind.TIMED_OUT, e.getMessage(), e);
			default:
				return new DriverException(runtime, DriverException.Kind.FAILED, e.getMessage(), e);
		}
	}

	/** The runtime's name. */
	public String runtime() {
		return runtime;
	}

	/** The command runner. */
	public CommandRunner runner() {
		return runner;
	}
}
