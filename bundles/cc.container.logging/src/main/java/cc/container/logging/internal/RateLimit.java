package cc.container.logging.internal;

/**
 * A token bucket: {@code burst} at once, then {@code rate} a second; what is over is counted, for one line saying so.
 * The clock is given, so that tests can drive it.
 */
final class RateLimit {
	private final double rate;
	private final double burst;
	private double tokens;
	private long last;
	private long dropped;

	RateLimit(int rate, int burst, long nowNanos) {
		this.rate = rate;
		this.burst = burst;
		this.tokens = burst;
		this.last = nowNanos;
	}

	/** Whether one more may pass now; when not, it is counted as dropped. */
	synchronized boolean take(long nowNanos) {
		tokens = Math.min(burst, tokens + (nowNanos - last) / 1e9 * rate);
		last = nowNanos;
		if (tokens >= 1) {
			tokens--;
			return true;
		}
		dropped++;
		return false;
	}

	/** How many were dropped since the last call. */
	synchronized long drained() {
		long d = dropped;
		dropped = 0;
		return d;
	}
}
