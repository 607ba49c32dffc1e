package cc.container.shell.internal;

import cc.container.api.ContainerReport;
import cc.container.api.ContainerStatus;
import cc.container.api.HistoryEntry;
import cc.container.api.Supervisor;
import cc.container.api.command.ContainerCommands;
import cc.container.api.config.ContainerConfig;
import cc.container.api.config.ContainersConfiguration;
import cc.container.api.runtime.ContainerStats;
import cc.container.util.command.CommandLine;
import cc.container.util.json.ReportJson;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** What the manager knows of its containers, for people (tables) and scripts ({@code --json}: state.json's objects). */
final class ContainerViews {
	private final Supervisor supervisor;
	private final ContainersConfiguration containers;

	ContainerViews(Supervisor supervisor, ContainersConfiguration containers) {
		this.supervisor = supervisor;
		this.containers = containers;
	}

	ContainerReport report(String id) throws Cli.Failure {
		return supervisor.container(id).orElseThrow(() -> new Cli.Failure(Cli.NOT_FOUND, "no managed container has the id \"" + id + "\""));
	}

	int list(CommandLine c, ContainerCommands.Session io) {
		List<ContainerReport> all = supervisor.containers();
		if (c.has("--json")) {
			List<Object> list = new ArrayList<>();
			all.forEach(r -> list.add(ReportJson.container(r)));
			Cli.json(io, list);
			return Cli.OK;
		}
		Table t = new Table("ID", "NAME", "RUNTIME", "VERSION", "STATUS", "UPTIME", "RESTARTS", "AUTOSTART");
		for (ContainerReport r : all) {
			boolean auto = containers.container(r.id()).map(ContainerConfig::autostart).orElse(false);
			t.row(r.id(), r.friendlyName() == null ? "-" : r.friendlyName(), r.runtime(), r.version() == null ? "-" : r.version(),
				status(r), uptime(r), Integer.toString(r.restarts().total()), auto ? "yes" : "no");
		}
		t.print(io.out());
		return Cli.OK;
	}

	int status(CommandLine c, ContainerCommands.Session io) throws Cli.Failure {
		Map<String, Object> m = ReportJson.container(report(c.param(0)));
		if (c.has("--json")) {
			Cli.json(io, m);
			return Cli.OK;
		}
		print(io.out(), "", m);
		return Cli.OK;
	}

	@SuppressWarnings("unchecked")
	private static void print(PrintStream out, String prefix, Map<String, Object> m) {
		for (Map.Entry<String, Object> e : m.entrySet()) {
			Object v = e.getValue();
			if (v instanceof Map) {
				print(out, prefix + e.getKey() + ".", (Map<String, Object>) v);
			} else if (v instanceof List && e.getKey().equals("history")) {
				out.println(prefix + e.getKey() + ": " + ((List<?>) v).size() + " entries" + (((List<?>) v).isEmpty() ? "" : " (containerctl history)"));
			} else if (v instanceof List) {
				out.println(prefix + e.getKey() + ": " + String.join(",", ((List<?>) v).stream().map(String::valueOf).toList()));
			} else {
				out.println(prefix + e.getKey() + ": " + (v == null ? "-" : v));
			}
		}
	}

	int history(CommandLine c, ContainerCommands.Session io) throws Cli.Failure {
		ContainerReport r = report(c.param(0));
		if (c.has("--json")) {
			Cli.json(io, ReportJson.container(r).get("history"));
			return Cli.OK;
		}
		Table t = new Table("AT", "EVENT", "EXIT", "SIGNAL", "OOM", "DECISION");
		for (HistoryEntry h : r.history()) {
			t.row(ReportJson.time(h.at()), h.event(), h.exitCode() == null ? "-" : h.exitCode().toString(), h.signal() == null ? "-" : h.signal(),
				h.oom() == null ? "-" : h.oom().toString(), h.decision() + (h.detail() == null ? "" : " (" + h.detail() + ")"));
		}
		t.print(io.out());
		return Cli.OK;
	}

	int stats(CommandLine c, ContainerCommands.Session io) throws Cli.Failure {
		List<ContainerReport> rs = c.param(0) != null ? List.of(report(c.param(0))) : supervisor.containers();
		if (c.has("--json")) {
			Map<String, Object> m = new LinkedHashMap<>();
			rs.forEach(r -> m.put(r.id(), r.stats() == null ? null : ReportJson.stats(r.stats())));
			Cli.json(io, m);
			return Cli.OK;
		}
		Table t = new Table("ID", "CPU %", "MEM", "LIMIT", "NET RX/TX", "BLOCK R/W", "PIDS", "SAMPLED");
		for (ContainerReport r : rs) {
			ContainerStats s = r.stats();
			if (s == null) {
				t.row(r.id(), "-", "-", "-", "-", "-", "-", "-");
			} else {
				t.row(r.id(), String.format(Locale.ROOT, "%.1f", s.cpuPercent()), bytes(s.memBytes()), s.memLimitBytes() == 0 ? "-" : bytes(s.memLimitBytes()),
					bytes(s.netRxBytes()) + "/" + bytes(s.netTxBytes()), bytes(s.blkReadBytes()) + "/" + bytes(s.blkWriteBytes()),
					Long.toString(s.pids()), ReportJson.time(s.sampledAt()));
			}
		}
		t.print(io.out());
		return Cli.OK;
	}

	/** Its status, with its health while it runs and has a check: {@code running (healthy)}. */
	static String status(ContainerReport r) {
		return r.status().json() + (r.health() != null && r.status() == ContainerStatus.RUNNING ? " (" + r.health().status() + ")" : "");
	}

	static String uptime(ContainerReport r) {
		if (r.pid() <= 0 || r.startedAt() == null) {
			return "-";
		}
		return duration(Duration.between(r.startedAt(), Instant.now()).toSeconds());
	}

	static String duration(long s) {
		if (s < 0) {
			return "-";
		}
		if (s < 60) {
			return s + "s";
		}
		if (s < 3600) {
			return (s / 60) + "m" + String.format("%02ds", s % 60);
		}
		if (s < 86400) {
			return (s / 3600) + "h" + String.format("%02dm", (s % 3600) / 60);
		}
		return (s / 86400) + "d" + String.format("%02dh", (s % 86400) / 3600);
	}

	static String bytes(long b) {
		if (b < 0) {
			return "-";
		}
		if (b < 1024) {
			return b + "B";
		}
		String[] u = { "KiB", "MiB", "GiB", "TiB" };
		double v = b;
		int i = -1;
		while (v >= 1024 && i < u.length - 1) {
			v /= 1024;
			i++;
		}
		return String.format(Locale.ROOT, "%.1f%s", v, u[i]);
	}
}
