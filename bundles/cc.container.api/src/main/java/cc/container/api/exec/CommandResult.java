package cc.container.api.exec;

import java.time.Duration;

/**
 * What a finished command left behind.
 *
 * @param command the command that ran
 * @param exitCode its exit status (128 + n when a signal n ended it)
 * @param stdout its standard output (UTF-8), at most {@link Command#maxOutput()} bytes of it
 * @param stderr its standard error (UTF-8), at most {@link Command#maxOutput()} bytes of it
 * @param duration how long it ran
 * @param truncated whether either stream was longer than the cap
 */
public record CommandResult(Command command, int exitCode, String stdout, String stderr, Duration duration, boolean truncated) {

	/** Whether the command exited with status 0. */
	public boolean ok() {
		return exitCode == 0;
	}

	/** The last non-empty line of standard error, else of standard output: what a failed tool said, in short. */
	public String reason() {
		String r = lastLine(stderr);
		return r.isEmpty() ? lastLine(stdout) : r;
	}

	private static String lastLine(String s) {
		String[] lines = s.strip().split("\n");
		String last = lines[lines.length - 1].strip();
		return last.length() > 300 ? last.substring(0, 300) + "…" : last;
	}
}
