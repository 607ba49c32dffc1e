package cc.container.api.config;

import java.time.Duration;
import java.util.Objects;

/**
 * How the manager checks that a container works, beyond its process being alive (docs/configuration.md, "Health
 * checks"). A check that fails {@code retries} times in a row, after the start period, is an unexpected stop: the
 * container is stopped and its restart policy decides what follows.
 *
 * @param type what is checked
 * @param command {@link Type#COMMAND}: a shell command run inside the container ({@code sh -c}); healthy when it exits 0
 * @param port {@link Type#TCP}, {@link Type#HTTP}: the port, on the container's own loopback (its network namespace)
 * @param path {@link Type#HTTP}: the path of the GET; healthy on a 2xx or 3xx status
 * @param interval time between two checks
 * @param timeout time after which a check counts as failed
 * @param retries failures in a row that make the container unhealthy
 * @param startPeriod time after a start during which failures do not count (until the first success)
 */
public record HealthCheck(Type type, String command, int port, String path, Duration interval, Duration timeout, int retries,
	Duration startPeriod) {

	/** What a check does. */
	public enum Type {
		/** Runs a command inside the container. */
		COMMAND,
		/** Connects to a TCP port. */
		TCP,
		/** Sends an HTTP GET. */
		HTTP,
		/** Runs the check the container's image declares (Podman: its HEALTHCHECK). */
		IMAGE;

		/** Its name in the configuration. */
		public String json() {
			return name().toLowerCase(java.util.Locale.ROOT);
		}
	}

	/** Default time between two checks. */
	public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(10);
	/** Default time a check may take. */
	public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);
	/** Default failures in a row that make a container unhealthy. */
	public static final int DEFAULT_RETRIES = 3;

	/** Validates that what the type needs is there. */
	public HealthCheck {
		Objects.requireNonNull(type, "type");
		Objects.requireNonNull(interval, "interval");
		Objects.requireNonNull(timeout, "timeout");
		Objects.requireNonNull(startPeriod, "startPeriod");
		if (type == Type.COMMAND && (command == null || command.isBlank())) {
			throw new IllegalArgumentException("a command check needs a command");
		}
		if ((type == Type.TCP || type == Type.HTTP) && (port < 1 || port > 65535)) {
			throw new IllegalArgumentException("a " + type.json() + " check needs a port from 1 to 65535");
		}
		if (retries < 1) {
			throw new IllegalArgumentException("retries must be at least 1");
		}
		path = type == Type.HTTP && (path == null || path.isEmpty()) ? "/" : path;
	}
}
