package cc.container.shell.internal;

import cc.container.api.config.ContainerConfig;
import cc.container.api.config.DrmSettings;
import cc.container.api.config.RestartPolicy;
import cc.container.util.command.CommandLine.UsageException;
import cc.container.util.command.Commands;
import cc.container.util.drm.Drm;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The settings of a container that {@code config get} shows and {@code config set} changes: the ones a user owns
 * (the package only gives their first values). Each value is checked as the containers configuration checks it.
 */
final class ConfigKeys {
	/** The interval a container gets when its telemetry is first enabled by hand (the vendor's recipes use 30 s). */
	static final int DEFAULT_DRM_INTERVAL = 30;

	private ConfigKeys() {
	}

	static String key(String k) throws UsageException {
		if (!Commands.CONFIG_KEYS.contains(k)) {
			throw new UsageException("unknown key \"" + k + "\": use " + String.join(", ", Commands.CONFIG_KEYS));
		}
		return k;
	}

	static String value(ContainerConfig c, String key) {
		DrmSettings d = c.drm();
		return switch (key) {
			case "autostart" -> Boolean.toString(c.autostart());
			case "monitor" -> Boolean.toString(c.monitor());
			case "friendly_name" -> c.friendlyName() == null ? "" : c.friendlyName();
			case "restart.enabled" -> Boolean.toString(c.restart().enabled());
			case "restart.max_retries" -> Integer.toString(c.restart().maxRetries());
			case "restart.retry_delay" -> Integer.toString(c.restart().retryDelaySeconds());
			case "restart.window" -> Integer.toString(c.restart().windowSeconds());
			case "drm.enabled" -> d == null ? "false" : Boolean.toString(d.enabled());
			case "drm.stats_sample_interval_s" -> d == null ? "-" : Integer.toString(d.sampleIntervalSeconds());
			default -> d == null ? "-" : String.join(",", d.metrics());
		};
	}

	static ContainerConfig with(ContainerConfig c, String key, String v) throws UsageException {
		RestartPolicy r = c.restart();
		DrmSettings d = c.drm() != null ? c.drm() : new DrmSettings(false, DEFAULT_DRM_INTERVAL, DrmSettings.METRICS);
		switch (key) {
			case "autostart":
				return c.withAutostart(bool(key, v));
			case "monitor":
				return c.withMonitor(bool(key, v));
			case "friendly_name":
				return c.withFriendlyName(v.isEmpty() ? null : v);
			case "restart.enabled":
				return c.withRestart(new RestartPolicy(bool(key, v), r.maxRetries(), r.retryDelaySeconds(), r.windowSeconds()));
			case "restart.max_retries":
				return c.withRestart(new RestartPolicy(r.enabled(), whole(key, v, 0, 1_000_000), r.retryDelaySeconds(), r.windowSeconds()));
			case "restart.retry_delay":
				return c.withRestart(new RestartPolicy(r.enabled(), r.maxRetries(), whole(key, v, 0, 86_400), r.windowSeconds()));
			case "restart.window":
				return c.withRestart(new RestartPolicy(r.enabled(), r.maxRetries(), r.retryDelaySeconds(), whole(key, v, 1, 604_800)));
			case "drm.enabled":
				return c.withDrm(new DrmSettings(bool(key, v), d.sampleIntervalSeconds(), d.metrics()));
			case "drm.stats_sample_interval_s":
				return c.withDrm(new DrmSettings(d.enabled(), whole(key, v, 1, (int) Drm.MAX_INTERVAL), d.metrics()));
			default:
				return c.withDrm(new DrmSettings(d.enabled(), d.sampleIntervalSeconds(), metrics(key, v)));
		}
	}

	/** {@code all}, an empty value (none), or metric names separated by commas, checked as a package's are. */
	private static List<String> metrics(String key, String v) throws UsageException {
		List<Object> names = new ArrayList<>();
		for (String n : v.split(",")) {
			if (!n.isBlank()) {
				names.add(n.trim());
			}
		}
		try {
			return Drm.parse(java.util.Map.of("enabled", true, "stats_sample_interval_s", 1L, "stats_list_of_metrics", names)).metrics();
		} catch (IllegalArgumentException e) {
			throw new UsageException(key + " takes all, or metric names separated by commas from " + String.join(", ", DrmSettings.METRICS)
				+ ", not \"" + v + "\"");
		}
	}

	private static boolean bool(String key, String v) throws UsageException {
		if (v.equals("true") || v.equals("false")) {
			return Boolean.parseBoolean(v);
		}
		throw new UsageException(key + " takes true or false, not \"" + v + "\"");
	}

	private static int whole(String key, String v, int min, int max) throws UsageException {
		try {
			int n = Integer.parseInt(v);
			if (n >= min && n <= max) {
				return n;
			}
		} catch (NumberFormatException e) {
			// the message below
		}
		throw new UsageException(key + " takes a whole number from " + min + " to " + max + ", not \"" + v + "\"");
	}

	static List<String> all() {
		return Arrays.asList(Commands.CONFIG_KEYS.toArray(new String[0]));
	}
}
