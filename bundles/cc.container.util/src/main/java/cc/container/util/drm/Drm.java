package cc.container.util.drm;

import cc.container.api.config.DrmSettings;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Reads a {@code drm} block (a container's telemetry for a remote manager) by the rules of the vendor's package
 * generator: {@code enabled} true or false; {@code stats_sample_interval_s} a whole number, 1 or more;
 * {@code stats_list_of_metrics} absent, null or a list of metric names, each trimmed, from {@code uptime}, {@code cpu},
 * {@code mem}, {@code net/rx}, {@code net/tx}, {@code disk/read}, {@code disk/write}, repeats dropped (the first place
 * kept), {@code "all"} standing for every one of them in that order and going with no other name. Both the package
 * reader and the containers configuration read it here.
 */
public final class Drm {
	/** The longest interval accepted: a day. */
	public static final long MAX_INTERVAL = 86_400;

	private Drm() {
	}

	/**
	 * The settings of a {@code drm} object.
	 *
	 * @throws IllegalArgumentException naming the field (relative to the block) and what is wrong
	 */
	public static DrmSettings parse(Object block) {
		if (!(block instanceof Map)) {
			throw new IllegalArgumentException("must be an object");
		}
		Map<?, ?> m = (Map<?, ?>) block;
		Object enabled = m.get("enabled");
		if (!(enabled instanceof Boolean)) {
			throw new IllegalArgumentException(".enabled must be true or false");
		}
		Long interval = cc.container.util.json.Json.wholeNumber(m.get("stats_sample_interval_s"));
		if (interval == null || interval < 1 || interval > MAX_INTERVAL) {
			throw new IllegalArgumentException(".stats_sample_interval_s must be a whole number of seconds from 1 to " + MAX_INTERVAL);
		}
		List<String> metrics = new ArrayList<>();
		Object list = m.get("stats_list_of_metrics");
		if (list != null) {
			if (!(list instanceof List)) {
				throw new IllegalArgumentException(".stats_list_of_metrics must be a list of metric names");
			}
			boolean all = false;
			for (Object o : (List<?>) list) {
				if (!(o instanceof String) || ((String) o).isBlank()) {
					throw new IllegalArgumentException(".stats_list_of_metrics must be a list of metric names");
				}
				String name = ((String) o).trim();
				if (name.equals("all")) {
					all = true;
				} else if (!DrmSettings.METRICS.contains(name)) {
					throw new IllegalArgumentException(".stats_list_of_metrics holds \"" + name + "\", which is none of "
						+ String.join(", ", DrmSettings.METRICS) + " (or all)");
				} else if (!metrics.contains(name)) {
					metrics.add(name);
				}
			}
			if (all && !metrics.isEmpty()) {
				throw new IllegalArgumentException(".stats_list_of_metrics names \"all\" with other metrics");
			}
			if (all) {
				metrics.addAll(DrmSettings.METRICS);
			}
		}
		return new DrmSettings((Boolean) enabled, (int) (long) interval, metrics);
	}

	/** The block as the generator writes it (the metrics expanded). */
	public static Map<String, Object> json(DrmSettings d) {
		Map<String, Object> m = new java.util.LinkedHashMap<>();
		m.put("enabled", d.enabled());
		m.put("stats_sample_interval_s", (long) d.sampleIntervalSeconds());
		m.put("stats_list_of_metrics", new ArrayList<Object>(d.metrics()));
		return m;
	}
}
