package cc.container.api.config;

import java.util.List;
import java.util.Objects;

/**
 * A container's telemetry for a remote manager: the {@code drm} block of a package's {@code registration_defaults}
 * (the vendor's Digi Remote Manager settings), kept in the container's entry of {@code cc-containers.conf}.
 *
 * @param enabled whether the container's statistics are published
 * @param sampleIntervalSeconds seconds between two samples, 1 or more
 * @param metrics the metrics published, each one of {@link #METRICS}, in their order, without repeats
 */
public record DrmSettings(boolean enabled, int sampleIntervalSeconds, List<String> metrics) {

	/** Every metric, in the order {@code "all"} stands for. */
	public static final List<String> METRICS = List.of("uptime", "cpu", "mem", "net/rx", "net/tx", "disk/read", "disk/write");

	/** Checks the interval and the metrics. */
	public DrmSettings {
		Objects.requireNonNull(metrics, "metrics");
		metrics = List.copyOf(metrics);
		if (sampleIntervalSeconds < 1) {
			throw new IllegalArgumentException("stats_sample_interval_s must be 1 or more, got " + sampleIntervalSeconds);
		}
		for (String m : metrics) {
			if (!METRICS.contains(m)) {
				throw new IllegalArgumentException("stats_list_of_metrics holds \"" + m + "\", which is none of " + String.join(", ", METRICS));
			}
		}
		if (metrics.stream().distinct().count() != metrics.size()) {
			throw new IllegalArgumentException("stats_list_of_metrics names a metric twice");
		}
	}
}
