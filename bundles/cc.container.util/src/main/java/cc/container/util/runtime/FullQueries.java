package cc.container.util.runtime;

import java.time.Duration;

/**
 * When a driver must ask its runtime for the status of all its containers, rather than answer from what it saw
 * happen since (its own starts and stops, the runtime's events, the processes it watches): at least every
 * {@link #EVERY}, and whenever something happened that it cannot account for. The query is the safety net; what
 * happens in between is followed as it happens.
 *
 * <p>A query counts only if nothing was invalidated while it ran: {@link #begin()} before asking,
 * {@link #complete(long)} with what it returned once the answer is in the driver's view.
 */
public final class FullQueries {
	/** The longest a driver answers from what it followed. */
	public static final Duration EVERY = Duration.ofSeconds(60);

	private long generation;
	private long lastAt;
	private boolean valid;

	/** Whether the runtime must be asked now. */
	public synchronized boolean due() {
		return !valid || System.nanoTime() - lastAt > EVERY.toNanos();
	}

	/** A query starts now; its answer counts if nothing is invalidated before {@link #complete}. */
	public synchronized long begin() {
		return generation;
	}

	/** The answer of the query {@link #begin()} numbered is in the driver's view. */
	public synchronized void complete(long begun) {
		if (begun == generation) {
			valid = true;
			lastAt = System.nanoTime();
		}
	}

	/** Something happened that the driver cannot account for: the next answer asks the runtime. */
	public synchronized void invalidate() {
		generation++;
		valid = false;
	}
}
