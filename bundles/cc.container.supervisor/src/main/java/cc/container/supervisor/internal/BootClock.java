package cc.container.supervisor.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.LongSupplier;

/**
 * Milliseconds since the device booted: monotonic (wall clock changes do not move it) and shared by every process
 * of one boot, so restart times survive a daemon restart. Read from {@code /proc/uptime} once, then advanced with
 * {@link System#nanoTime()}.
 */
final class BootClock implements LongSupplier {
	private final long uptimeAtStartMs;
	private final long nanoAtStart;

	BootClock() {
		this.nanoAtStart = System.nanoTime();
		this.uptimeAtStartMs = readUptimeMs();
	}

	private static long readUptimeMs() {
		try {
			String s = Files.readString(Path.of("/proc/uptime")).trim().split("\\s+")[0];
			return (long) (Double.parseDouble(s) * 1000);
		} catch (IOException | RuntimeException e) {
			return 0;
		}
	}

	@Override
	public long getAsLong() {
		return uptimeAtStartMs + (System.nanoTime() - nanoAtStart) / 1_000_000;
	}

	/** The kernel's id of this boot, or an empty string when it cannot be read. */
	static String bootId(Path file) {
		try {
			return Files.readString(file).trim();
		} catch (IOException e) {
			return "";
		}
	}
}
