package cc.container.util.runtime;

import cc.container.api.runtime.ContainerState;
import java.time.Duration;
import java.util.Map;

/**
 * A driver's last answer to the status query of all its containers. The statistics query needs to know which
 * containers run; it reuses this answer while it is recent instead of asking the runtime again, and every operation
 * that changes a container forgets it.
 */
public final class RecentStates {
	private final long maxAgeNanos;
	private volatile Snapshot last;

	private record Snapshot(Map<String, ContainerState> states, long at) {
	}

	/** Answers count as recent for {@code maxAge}. */
	public RecentStates(Duration maxAge) {
		this.maxAgeNanos = maxAge.toNanos();
	}

	/** The runtime answered {@code states} just now. */
	public void remember(Map<String, ContainerState> states) {
		last = new Snapshot(Map.copyOf(states), System.nanoTime());
	}

	/** A container changed: the last answer no longer holds. */
	public void forget() {
		last = null;
	}

	/** The last answer while it is recent, else null. */
	public Map<String, ContainerState> recent() {
		Snapshot s = last;
		return s != null && System.nanoTime() - s.at() <= maxAgeNanos ? s.states() : null;
	}
}
