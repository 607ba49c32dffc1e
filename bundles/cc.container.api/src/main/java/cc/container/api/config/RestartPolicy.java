package cc.container.api.config;

/**
 * What the manager does when a container stops unexpectedly (SPEC section 4).
 *
 * @param enabled whether the container is restarted at all
 * @param maxRetries restarts allowed within {@code windowSeconds} before the manager gives up; 0 means no limit
 * @param retryDelaySeconds seconds to wait before each restart
 * @param windowSeconds length of the sliding window in which restarts are counted
 */
public record RestartPolicy(boolean enabled, int maxRetries, int retryDelaySeconds, int windowSeconds) {

	/** The policy of an entry that names none: no automatic restart. */
	public static final RestartPolicy DEFAULT = new RestartPolicy(false, 3, 3, 60);

	/** Checks the ranges. */
	public RestartPolicy {
		if (maxRetries < 0) {
			throw new IllegalArgumentException("max_retries must be 0 or more, got " + maxRetries);
		}
		if (retryDelaySeconds < 0) {
			throw new IllegalArgumentException("retry_delay must be 0 or more, got " + retryDelaySeconds);
		}
		if (windowSeconds < 1) {
			throw new IllegalArgumentException("window must be 1 or more, got " + windowSeconds);
		}
	}
}
