package cc.container.supervisor.internal;

import cc.container.api.config.RestartPolicy;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The restart policy's memory of one container, immutable: automatic restarts in all, their times (milliseconds since
 * boot, a monotonic clock shared by every process of one boot, so the counts survive a daemon restart), whether the
 * policy gave up, and when the last restart happened. The policy itself is {@link #decide}.
 *
 * @param total automatic restarts since the container was installed
 * @param times the restarts that may still be within a window, oldest first
 * @param gaveUp whether the policy gave up
 * @param lastAt when the last automatic restart happened, or null
 */
record RestartCounts(int total, List<Long> times, boolean gaveUp, Instant lastAt) {
	/** No restart yet. */
	static final RestartCounts NONE = new RestartCounts(0, List.of(), false, null);
	/** The most restart times kept. */
	static final int MAX_TIMES = 10_000;

	RestartCounts {
		times = List.copyOf(times);
	}

	/** What to do after an unexpected stop, and the counts after it. */
	record Decision(Kind kind, long delayMs, int attempt, String text, RestartCounts next) {
		enum Kind {
			/** Restart after {@link Decision#delayMs()}. */
			RESTART,
			/** Do not restart: the policy is disabled. */
			NONE,
			/** Do not restart: max_retries restarts already happened within the window. */
			GIVE_UP
		}
	}

	/**
	 * The restart policy (docs/configuration.md): an unexpected stop seen at {@code nowMs} is restarted after
	 * {@code retry_delay} unless {@code max_retries} restarts already happened within the last {@code window} seconds
	 * (a sliding window), when it gives up. {@code max_retries} 0 means no limit.
	 */
	Decision decide(RestartPolicy p, long nowMs) {
		if (!p.enabled()) {
			return new Decision(Decision.Kind.NONE, 0, 0, "not restarted: its restart policy is disabled", this);
		}
		int recent = inWindow(p, nowMs);
		if (p.maxRetries() > 0 && recent >= p.maxRetries()) {
			return new Decision(Decision.Kind.GIVE_UP, 0, 0,
				"gave up: " + recent + " restarts within " + p.windowSeconds() + " s (max_retries " + p.maxRetries() + ")",
				new RestartCounts(total, within(p, nowMs), true, lastAt));
		}
		int attempt = recent + 1;
		String of = p.maxRetries() > 0 ? attempt + " of " + p.maxRetries() : "attempt " + attempt;
		return new Decision(Decision.Kind.RESTART, p.retryDelaySeconds() * 1000L, attempt,
			"restart in " + p.retryDelaySeconds() + " s (" + of + " in " + p.windowSeconds() + " s)", new RestartCounts(total, within(p, nowMs),
				gaveUp, lastAt));
	}

	/** With a restart attempt made at {@code nowMs} ({@code at} on the wall clock) counted. */
	RestartCounts restarted(long nowMs, Instant at) {
		List<Long> t = new ArrayList<>(times);
		t.add(nowMs);
		if (t.size() > MAX_TIMES) {
			t = t.subList(t.size() - MAX_TIMES, t.size());
		}
		return new RestartCounts(total + 1, t, gaveUp, at);
	}

	/** A user started the container: the count starts again. */
	RestartCounts reset() {
		return new RestartCounts(total, List.of(), false, lastAt);
	}

	/** Restarts within the window ending at {@code nowMs}. */
	int inWindow(RestartPolicy p, long nowMs) {
		return within(p, nowMs).size();
	}

	/** The restart times within the window ending at {@code nowMs}, oldest first. */
	List<Long> within(RestartPolicy p, long nowMs) {
		long from = nowMs - p.windowSeconds() * 1000L;
		return times.stream().filter(t -> t > from && t <= nowMs + 1000).toList();
	}
}
