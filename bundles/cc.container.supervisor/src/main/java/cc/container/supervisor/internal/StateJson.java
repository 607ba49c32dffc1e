package cc.container.supervisor.internal;

import cc.container.api.ContainerReport;
import cc.container.api.ContainerStats;
import cc.container.api.DaemonReport;
import cc.container.api.HistoryEntry;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The JSON of state.json (schema version 1, documented in docs/state-json.md). The same objects are what
 * {@code containerctl status --json} and {@code list --json} print.
 */
public final class StateJson {
	static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

	private StateJson() {
	}

	/** A time as state.json writes it, or {@code null}. */
	public static String time(Instant t) {
		return t == null ? null : TIME.format(t);
	}

	static Instant parseTime(Object o) {
		if (!(o instanceof String)) {
			return null;
		}
		try {
			return Instant.parse((String) o);
		} catch (RuntimeException e) {
			return null;
		}
	}

	/** The whole document. */
	static Map<String, Object> document(Instant updatedAt, DaemonReport daemon, List<ContainerReport> containers,
		Map<String, List<Long>> restartTimes) {
		Map<String, Object> doc = new LinkedHashMap<>();
		doc.put("version", 1L);
		doc.put("updated_at", time(updatedAt));
		Map<String, Object> d = new LinkedHashMap<>();
		d.put("pid", daemon.pid());
		d.put("version", daemon.version());
		d.put("started_at", time(daemon.startedAt()));
		d.put("boot_id", daemon.bootId());
		doc.put("daemon", d);
		List<Object> list = new ArrayList<>();
		for (ContainerReport c : containers) {
			Map<String, Object> m = container(c);
			@SuppressWarnings("unchecked")
			Map<String, Object> restarts = (Map<String, Object>) m.get("restarts");
			restarts.put("window_uptime_ms", new ArrayList<Object>(restartTimes.getOrDefault(c.id(), List.of())));
			list.add(m);
		}
		doc.put("containers", list);
		return doc;
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
			Map<String, Object> x = new LinkedHashMap<>();
			x.put("at", time(e.at()));
			x.put("event", e.event());
			x.put("exit_code", e.exitCode() == null ? null : (Object) (long) e.exitCode());
			x.put("signal", e.signal());
			x.put("oom", e.oom());
			x.put("decision", e.decision());
			h.add(x);
		}
		m.put("history", h);
		return m;
	}

	static Map<String, Object> stats(ContainerStats s) {
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

	/** What a previous daemon left in state.json for one container. */
	record Saved(String desired, String status, int total, Instant lastAt, boolean gaveUp, List<Long> windowTimes, List<HistoryEntry> history,
		long pid, Instant startedAt, Instant exitedAt, Integer exitCode) {
	}

	/** The saved containers of a state.json document, by id; and its boot id under the key "". */
	static Map<String, Saved> read(Object tree, String[] bootId) {
		Map<String, Saved> out = new LinkedHashMap<>();
		if (!(tree instanceof Map)) {
			return out;
		}
		Map<?, ?> doc = (Map<?, ?>) tree;
		if (doc.get("daemon") instanceof Map) {
			Object b = ((Map<?, ?>) doc.get("daemon")).get("boot_id");
			bootId[0] = b instanceof String ? (String) b : null;
		}
		if (!(doc.get("containers") instanceof List)) {
			return out;
		}
		for (Object o : (List<?>) doc.get("containers")) {
			if (!(o instanceof Map)) {
				continue;
			}
			Map<?, ?> m = (Map<?, ?>) o;
			if (!(m.get("id") instanceof String)) {
				continue;
			}
			Map<?, ?> r = m.get("restarts") instanceof Map ? (Map<?, ?>) m.get("restarts") : Map.of();
			List<Long> times = new ArrayList<>();
			if (r.get("window_uptime_ms") instanceof List) {
				for (Object t : (List<?>) r.get("window_uptime_ms")) {
					if (t instanceof Number) {
						times.add(((Number) t).longValue());
					}
				}
			}
			List<HistoryEntry> history = new ArrayList<>();
			if (m.get("history") instanceof List) {
				for (Object h : (List<?>) m.get("history")) {
					if (h instanceof Map) {
						Map<?, ?> e = (Map<?, ?>) h;
						history.add(new HistoryEntry(parseTime(e.get("at")), String.valueOf(e.get("event")), intOrNull(e.get("exit_code")),
							e.get("signal") instanceof String ? (String) e.get("signal") : null,
							e.get("oom") instanceof Boolean ? (Boolean) e.get("oom") : null, String.valueOf(e.get("decision"))));
					}
				}
			}
			Integer total = intOrNull(r.get("total"));
			Integer pid = intOrNull(m.get("pid"));
			out.put((String) m.get("id"), new Saved(m.get("desired") instanceof String ? (String) m.get("desired") : null,
				m.get("status") instanceof String ? (String) m.get("status") : null, total == null ? 0 : total, parseTime(r.get("last_at")),
				Boolean.TRUE.equals(r.get("gave_up")), times, history, pid == null ? 0 : pid, parseTime(m.get("started_at")),
				parseTime(m.get("exited_at")), intOrNull(m.get("exit_code"))));
		}
		return out;
	}

	private static Integer intOrNull(Object o) {
		return o instanceof Number ? ((Number) o).intValue() : null;
	}
}
