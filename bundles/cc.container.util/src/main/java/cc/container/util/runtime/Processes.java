package cc.container.util.runtime;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Processes that are not the daemon's children, as the kernel sees them. */
public final class Processes {
	private Processes() {
	}

	/**
	 * Whether {@code p} still runs. {@link ProcessHandle#isAlive()} is true for a zombie as well: a process that ended
	 * but that its parent has not yet reaped. A container's monitor re-parented to the system's init stays one for as
	 * long as that init takes to reap it (seconds on some), and it has finished everything by then.
	 */
	public static boolean running(ProcessHandle p) {
		if (!p.isAlive()) {
			return false;
		}
		try {
			String stat = Files.readString(Path.of("/proc", Long.toString(p.pid()), "stat"));
			int close = stat.lastIndexOf(')');
			char state = close >= 0 && close + 2 < stat.length() ? stat.charAt(close + 2) : '?';
			return state != 'Z' && state != 'X';
		} catch (IOException e) {
			return false; // gone between the two looks
		}
	}
}
