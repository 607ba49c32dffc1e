package cc.container.remote.internal;

import cc.container.api.ContainerReport;
import cc.container.api.ContainerStatus;
import cc.container.api.config.DrmSettings;
import cc.container.api.runtime.ContainerState;
import cc.container.api.runtime.ContainerStats;
import cc.container.api.runtime.RuntimeStatus;
import cc.container.util.json.ReportJson;
import cc.container.util.runtime.Cgroups;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Each container's telemetry as its {@code drm} block asks: every {@code stats_sample_interval_s}, exactly the metrics
 * of {@code stats_list_of_metrics}, sampled from the kernel's cgroup and {@code /proc} files (no runtime process), and
 * so independent of {@code monitor_interval}. A container that does not run, or whose {@code drm} is off or absent,
 * sends none.
 */
final class Telemetry {
	/** One container's sample, ready to publish. */
	record Sample(String id, Map<String, Object> payload) {
	}

	private final Cgroups cgroups = new Cgroups();
	/** When each container's next sample is due (ms since the epoch). */
	private final Map<String, Long> due = new HashMap<>();

	/** The samples due at {@code nowMs} among {@code reports}. */
	List<Sample> due(List<ContainerReport> reports, long nowMs) {
		List<ContainerState> toSample = new ArrayList<>();
		Map<String, DrmSettings> settings = new HashMap<>();
		for (ContainerReport r : reports) {
			DrmSettings drm = r.drm();
			if (drm == null || !drm.enabled() || drm.metrics().isEmpty() || r.status() != ContainerStatus.RUNNING || r.pid() <= 0) {
				due.remove(r.id());
				cgroups.forget(r.id());
				continue;
			}
			long next = due.getOrDefault(r.id(), nowMs);
			if (next > nowMs) {
				continue;
			}
			// The next one an interval after this one's due time, not after now: samples do not drift.
			long interval = drm.sampleIntervalSeconds() * 1000L;
			due.put(r.id(), next + interval > nowMs ? next + interval : nowMs + interval);
			settings.put(r.id(), drm);
			toSample.add(new ContainerState(r.id(), RuntimeStatus.RUNNING, r.pid(), null, null, r.startedAt(), null, r.version()));
		}
		due.keySet().retainAll(reports.stream().map(ContainerReport::id).toList());
		if (toSample.isEmpty()) {
			return List.of();
		}
		Map<String, ContainerStats> stats = cgroups.sample(toSample);
		List<Sample> out = new ArrayList<>();
		for (ContainerState s : toSample) {
			ContainerStats st = stats.get(s.id());
			if (st != null) {
				out.add(new Sample(s.id(), payload(s.id(), st, settings.get(s.id()), s.startedAt())));
			}
		}
		return out;
	}

	/** The sample's message: the container, when, and each metric asked for. */
	static Map<String, Object> payload(String id, ContainerStats st, DrmSettings drm, Instant startedAt) {
		Map<String, Object> m = new LinkedHashMap<>();
		m.put("container", id);
		m.put("at", ReportJson.time(st.sampledAt()));
		Map<String, Object> metrics = new LinkedHashMap<>();
		for (String name : drm.metrics()) {
			metrics.put(name, switch (name) {
				case "uptime" -> startedAt == null ? st.uptimeSeconds() : Math.max(0, (st.sampledAt().toEpochMilli() - startedAt.toEpochMilli()) / 1000);
				case "cpu" -> Math.round(st.cpuPercent() * 100) / 100.0;
				case "mem" -> st.memBytes();
				case "net/rx" -> st.netRxBytes();
				case "net/tx" -> st.netTxBytes();
				case "disk/read" -> st.blkReadBytes();
				case "disk/write" -> st.blkWriteBytes();
				default -> throw new IllegalArgumentException(name); // DrmSettings allows no other
			});
		}
		m.put("metrics", metrics);
		return m;
	}
}
