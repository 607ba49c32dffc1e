package cc.container.supervisor.internal;

import cc.container.api.ContainerReport;
import cc.container.api.DaemonReport;
import cc.container.api.HistoryEntry;
import cc.container.util.json.ReportJson;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The JSON of state.json (schema version 1, documented in docs/state-json.md). The same objects are what
 * {@code containerctl status --json} and {@code list --json} print.
 */
public final class StateJson {

	private StateJson() {
	}

	/** A time as state.json writes it, or {@code null}. */
	public static String time(Instant t) {
		return ReportJson.time(t);
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

	/** A document without the time it was made: two documents with the same content leave the same file but that time. */
	static Map<String, Object> content(Map<String, Object> doc) {
		Map<String, Object> c = new HashMap<>(doc);
		c.remove("updated_at");
		return c;
	}

	/** One container's object. */
	public static Map<String, Object> container(ContainerReport c) {
		return ReportJson.container(c);
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
							e.get("oom") instanceof Boolean ? (Boolean) e.get("oom") : null, String.valueOf(e.get("decision")),
							e.get("detail") instanceof String d ? d : null));
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
