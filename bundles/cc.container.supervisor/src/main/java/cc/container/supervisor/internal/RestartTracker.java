package cc.container.supervisor.internal;

import cc.container.api.config.RestartPolicy;
import java.util.ArrayList;
import java.util.List;

/**
 * The restart policy of SPEC section 4 as plain code, on a monotonic clock in milliseconds.
 *
 * <p>An unexpected stop is restarted after {@code retry_delay} unless {@code max_retries} restarts already happened
 * within the last {@code window} seconds (a sliding window); then the policy gives up until a user starts the
 * container, which clears the count. {@code max_retries} 0 means no limit. Every restart attempt counts, also one
 * that fails.
 */
final class RestartTracker {
	/** What to do after an unexpected stop. */
	record Decision(Kind kind, long delayMs, int attempt, String text) {
		enum Kind {
			/** Restart after {@link Decision#delayMs()}. */
			RESTART,
			/** Do not restart: the policy is disabled. */
			NONE,
			/** Do not restart: max_retries restarts already happened within the window. */
			GIVE_UP
		}
	}

	private final List<Long> restarts = new ArrayList<>();
	private int total;
	private boolean gaveUp;

	RestartTracker(int total, List<Long> restartTimes, boolean gaveUp) {
		this.total = total;
		this.restarts.addAll(restartTimes);
		this.gaveUp = gaveUp;
	}

	/** Decides what to do about an unexpected stop seen at {@code nowMs}. */
	Decision onUnexpectedStop(RestartPolicy p, long nowMs) {
		if (!p.enabled()) {
			return new Decision(Decision.Kind.NONE, 0, 0, "not restarted: its restart policy is disabled");
		}
		int recent = inWindow(p, nowMs);
		if (p.maxRetries() > 0 && recent >= p.maxRetries()) {
			gaveUp = true;
			return new Decision(Decision.Kind.GIVE_UP, 0, 0,
				"gave up: " + recent + " restarts within " + p.windowSeconds() + " s (max_retries " + p.maxRetries() + ")");
		}
		int attempt = recent + 1;
		String of = p.maxRetries() > 0 ? attempt + " of " + p.maxRetries() : "attempt " + attempt;
		return new Decision(Decision.Kind.RESTART, p.retryDelaySeconds() * 1000L, attempt,
			"restart in " + p.retryDelaySeconds() + " s (" + of + " in " + p.windowSeconds() + " s)");
	}

	/** Counts a restart attempt made at {@code nowMs}. */
	void recordRestart(long nowMs) {
		restarts.add(nowMs);
		total++;
		if (restarts.size() > 10_000) {
			restarts.subList(0, restarts.size() - 10_000).clear();
		}
	}

	/** A user started the container: the count starts again. */
	void reset() {
		restarts.clear();
		gaveUp = false;
	}

	/** Restarts within the window ending at {@code nowMs}; older ones are forgotten. */
	int inWindow(RestartPolicy p, long nowMs) {
		long from = nowMs - p.windowSeconds() * 1000L;
		restarts.removeIf(t -> t <= from || t > nowMs + 1000);
		return restarts.size();
	}

	int total() {
		return total;
	}

	boolean gaveUp() {
		return gaveUp;
	}

	List<Long> times() {
		return List.copyOf(restarts);
	}
}
