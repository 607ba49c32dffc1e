package cc.container.util.json;

import cc.container.api.ContainerReport;
import cc.container.api.HistoryEntry;
import cc.container.api.runtime.ContainerStats;
import cc.container.util.drm.Drm;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A container's report as JSON: the object of {@code containers} in state.json (docs/state-json.md), which
 * {@code containerctl status --json} and {@code list --json} print too.
 */
public final class ReportJson {
	static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

	private ReportJson() {
	}

	/** A time as state.json writes it, or {@code null}. */
	public static String time(Instant t) {
		return t == null ? null : TIME.format(t);
	}

	/** One container's object. */
	public static Map<String, Object> container(ContainerReport c) {
		Map<String, Object> m = new LinkedHashMap<>();
		m.put("id", c.id());
		m.put("friendly_name", c.friendlyName());
		m.put("runtime", c.runtime());
		m.put("version", c.version());
		m.put("desired", c.desired().json());
		m.put("status", c.status().json());
		m.put("pid", c.pid() > 0 ? (Object) c.pid() : null);
		m.put("started_at", time(c.startedAt()));
		m.put("exited_at", time(c.exitedAt()));
		m.put("exit_code", c.exitCode() == null ? null : (Object) (long) c.exitCode());
		Map<String, Object> r = new LinkedHashMap<>();
		r.put("total", (long) c.restarts().total());
		r.put("in_window", (long) c.restarts().inWindow());
		r.put("last_at", time(c.restarts().lastAt()));
		r.put("gave_up", c.restarts().gaveUp());
		m.put("restarts", r);
		m.put("stats", c.stats() == null ? null : stats(c.stats()));
		List<Object> h = new ArrayList<>();
		for (HistoryEntry e : c.history()) {
			h.add(history(e));
		}
		m.put("history", h);
		m.put("drm", c.drm() == null ? null : Drm.json(c.drm()));
		m.put("health", c.health() == null ? null : health(c.health()));
		return m;
	}

	/** One entry of a container's restart history. */
	public static Map<String, Object> history(HistoryEntry e) {
		Map<String, Object> x = new LinkedHashMap<>();
		x.put("at", time(e.at()));
		x.put("event", e.event());
		x.put("exit_code", e.exitCode() == null ? null : (Object) (long) e.exitCode());
		x.put("signal", e.signal());
		x.put("oom", e.oom());
		x.put("decision", e.decision());
		if (e.detail() != null) {
			x.put("detail", e.detail());
		}
		return x;
	}

	/** What a container's health check says. */
	public static Map<String, Object> health(ContainerReport.Health h) {
		Map<String, Object> m = new LinkedHashMap<>();
		m.put("status", h.status());
		m.put("failing_streak", (long) h.failingStreak());
		m.put("last_check_at", time(h.lastCheckAt()));
		m.put("last_output", h.lastOutput());
		return m;
	}

	public static Map<String, Object> stats(ContainerStats s) {
		Map<String, Object> m = new LinkedHashMap<>();
		m.put("sampled_at", time(s.sampledAt()));
		m.put("uptime_s", s.uptimeSeconds());
		m.put("cpu_percent", Math.round(s.cpuPercent() * 100) / 100.0);
		m.put("mem_bytes", s.memBytes());
		m.put("mem_limit_bytes", s.memLimitBytes());
		m.put("net_rx_bytes", s.netRxBytes());
		m.put("net_tx_bytes", s.netTxBytes());
		m.put("blk_read_bytes", s.blkReadBytes());
		m.put("blk_write_bytes", s.blkWriteBytes());
		m.put("pids", s.pids());
		return m;
	}

}
