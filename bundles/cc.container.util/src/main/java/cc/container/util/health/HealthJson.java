package cc.container.util.health;

import cc.container.api.config.HealthCheck;
import cc.container.util.json.Json;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * A {@code health} block, in the containers configuration and in a package's {@code registration_defaults} (an
 * extension the vendor's manager ignores): {@code type} ({@code command}, {@code tcp}, {@code http} or {@code image}),
 * {@code command} (command), {@code port} (tcp, http), {@code path} (http, default {@code /}), and {@code interval}
 * (10), {@code timeout} (5), {@code retries} (3), {@code start_period} (0), in seconds. Both readers read it here.
 */
public final class HealthJson {
	static final Set<String> FIELDS = Set.of("type", "command", "port", "path", "interval", "timeout", "retries", "start_period");
	/** The longest interval, timeout or start period: a day. */
	static final long MAX_SECONDS = 86_400;

	private HealthJson() {
	}

	/**
	 * The check of a {@code health} object.
	 *
	 * @throws IllegalArgumentException naming the field (relative to the block, {@code .port}) and what is wrong
	 */
	public static HealthCheck parse(Object block) {
		if (!(block instanceof Map<?, ?> m)) {
			throw new IllegalArgumentException("must be an object");
		}
		for (Object k : m.keySet()) {
			if (!FIELDS.contains(String.valueOf(k))) {
				throw new IllegalArgumentException("." + k + " is not a field of a health check (" + String.join(", ", new java.util.TreeSet<>(FIELDS)) + ")");
			}
		}
		HealthCheck.Type type = null;
		if (m.get("type") instanceof String t) {
			for (HealthCheck.Type x : HealthCheck.Type.values()) {
				if (x.json().equals(t.toLowerCase(Locale.ROOT))) {
					type = x;
				}
			}
		}
		if (type == null) {
			throw new IllegalArgumentException(".type must be command, tcp, http or image");
		}
		String command = null;
		if (type == HealthCheck.Type.COMMAND) {
			if (!(m.get("command") instanceof String c) || c.isBlank()) {
				throw new IllegalArgumentException(".command must be a shell command for a command check");
			}
			command = c;
		}
		int port = 0;
		if (type == HealthCheck.Type.TCP || type == HealthCheck.Type.HTTP) {
			Long p = Json.wholeNumber(m.get("port"));
			if (p == null || p < 1 || p > 65535) {
				throw new IllegalArgumentException(".port must be a port number from 1 to 65535 for a " + type.json() + " check");
			}
			port = (int) (long) p;
		}
		String path = null;
		if (type == HealthCheck.Type.HTTP && m.get("path") != null) {
			if (!(m.get("path") instanceof String p) || !p.startsWith("/") || p.chars().anyMatch(ch -> ch <= ' ' || ch == 127)) {
				throw new IllegalArgumentException(".path must be a path starting with / and without spaces");
			}
			path = (String) m.get("path");
		}
		Duration interval = seconds(m, "interval", HealthCheck.DEFAULT_INTERVAL.toSeconds(), 1);
		Duration timeout = seconds(m, "timeout", HealthCheck.DEFAULT_TIMEOUT.toSeconds(), 1);
		Duration start = seconds(m, "start_period", 0, 0);
		Long r = Json.wholeNumber(m.get("retries"));
		long retries = m.get("retries") == null ? HealthCheck.DEFAULT_RETRIES : r != null ? r : -1;
		if (retries < 1 || retries > 1000) {
			throw new IllegalArgumentException(".retries must be a whole number from 1 to 1000");
		}
		return new HealthCheck(type, command, port, path, interval, timeout, (int) retries, start);
	}

	private static Duration seconds(Map<?, ?> m, String name, long def, long min) {
		Object v = m.get(name);
		if (v == null) {
			return Duration.ofSeconds(def);
		}
		Long s = Json.wholeNumber(v);
		if (s == null || s < min || s > MAX_SECONDS) {
			throw new IllegalArgumentException("." + name + " must be a whole number of seconds from " + min + " to " + MAX_SECONDS);
		}
		return Duration.ofSeconds(s);
	}

	/** The block as both files write it. */
	public static Map<String, Object> json(HealthCheck h) {
		Map<String, Object> m = new LinkedHashMap<>();
		m.put("type", h.type().json());
		if (h.type() == HealthCheck.Type.COMMAND) {
			m.put("command", h.command());
		}
		if (h.type() == HealthCheck.Type.TCP || h.type() == HealthCheck.Type.HTTP) {
			m.put("port", (long) h.port());
		}
		if (h.type() == HealthCheck.Type.HTTP) {
			m.put("path", h.path());
		}
		m.put("interval", h.interval().toSeconds());
		m.put("timeout", h.timeout().toSeconds());
		m.put("retries", (long) h.retries());
		m.put("start_period", h.startPeriod().toSeconds());
		return m;
	}
}
