package cc.container.supervisor.internal;

/** Names of the signals that end containers, from an exit status of 128 + n. */
final class Signals {
	private static final String[] NAMES = { null, "HUP", "INT", "QUIT", "ILL", "TRAP", "ABRT", "BUS", "FPE", "KILL", "USR1", "SEGV",
		"USR2", "PIPE", "ALRM", "TERM", "STKFLT", "CHLD", "CONT", "STOP", "TSTP", "TTIN", "TTOU", "URG", "XCPU", "XFSZ", "VTALRM",
		"PROF", "WINCH", "IO", "PWR", "SYS" };

	private Signals() {
	}

	/** The signal of an exit status above 128, or {@code null}. */
	static String of(Integer exitCode) {
		if (exitCode == null || exitCode <= 128 || exitCode - 128 >= NAMES.length) {
			return null;
		}
		return NAMES[exitCode - 128];
	}
}
