package cc.container.api.exec;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One invocation of an external program: never through a shell, always with a timeout.
 *
 * @param argv the program and its arguments, passed as they are
 * @param environment variables added to (or, with a {@code null} value, removed from) the daemon's environment
 * @param directory the working directory, or {@code null} for the daemon's
 * @param timeout how long the program may run before it and every process it started are killed
 * @param maxOutput how many bytes of standard output and of standard error are kept (the rest is read and dropped)
 */
public record Command(List<String> argv, Map<String, String> environment, Path directory, Duration timeout, int maxOutput) {

	/** Output kept by default: 8 MiB of each stream. */
	public static final int DEFAULT_MAX_OUTPUT = 8 << 20;

	/** Checks and copies the parts. */
	public Command {
		argv = List.copyOf(argv);
		if (argv.isEmpty()) {
			throw new IllegalArgumentException("a command needs a program");
		}
		environment = environment == null ? Map.of() : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(environment));
		Objects.requireNonNull(timeout, "timeout");
		if (timeout.isNegative() || timeout.isZero()) {
			throw new IllegalArgumentException("a command needs a positive timeout");
		}
		if (maxOutput < 0) {
			throw new IllegalArgumentException("maxOutput must be 0 or more");
		}
	}

	/** A command with no extra environment, the daemon's working directory and the default output cap. */
	public static Command of(List<String> argv, Duration timeout) {
		return new Command(argv, Map.of(), null, timeout, DEFAULT_MAX_OUTPUT);
	}

	/** A copy with this extra environment. */
	public Command withEnvironment(Map<String, String> env) {
		return new Command(argv, env, directory, timeout, maxOutput);
	}

	/** The command line as a person would type it, for messages (arguments with spaces quoted). */
	public String display() {
		StringBuilder b = new StringBuilder();
		for (String a : argv) {
			if (b.length() > 0) {
				b.append(' ');
			}
			b.append(a.isEmpty() || a.matches(".*[\\s'\"\\\\$].*") ? "'" + a.replace("'", "'\\''") + "'" : a);
		}
		return b.toString();
	}
}
