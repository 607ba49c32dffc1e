package cc.container.shell.internal;

import cc.container.api.DaemonReport;
import cc.container.api.LogControl;
import cc.container.api.Supervisor;
import cc.container.api.command.ContainerCommands;
import cc.container.api.config.ContainersConfiguration;
import cc.container.api.config.DaemonConfiguration;
import cc.container.api.config.LogLevel;
import cc.container.util.command.CommandLine.UsageException;
import cc.container.util.command.CommandLine;
import cc.container.util.json.ReportJson;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code daemon status | log-level | reload | stop-managed}. */
final class DaemonCommands {
	private final DaemonConfiguration daemon;
	private final Supervisor supervisor;
	private final ContainersConfiguration containers;
	private final LogControl logControl;

	DaemonCommands(DaemonConfiguration daemon, Supervisor supervisor, ContainersConfiguration containers, LogControl logControl) {
		this.daemon = daemon;
		this.supervisor = supervisor;
		this.containers = containers;
		this.logControl = logControl;
	}

	int run(CommandLine c, ContainerCommands.Session io) throws UsageException, Cli.Failure {
		switch (c.spec().name()) {
			case "daemon log-level": {
				LogLevel l;
				try {
					l = LogLevel.parse(c.param(0));
				} catch (IllegalArgumentException e) {
					throw new UsageException(e.getMessage());
				}
				logControl.setLevel(l);
				io.out().println("log level: " + l.name());
				return Cli.OK;
			}
			case "daemon reload": {
				Supervisor.ReloadReport r = supervisor.reload();
				r.lines().forEach(io.out()::println);
				if (!r.ok()) {
					throw new Cli.Failure(Cli.FAILED, "a configuration file is not valid; what was in force stays (the lines above say which)");
				}
				return Cli.OK;
			}
			case "daemon stop-managed": {
				Duration grace = Duration.ofSeconds(Math.max(1, daemon.config().service().commandTimeout().toSeconds() / 2));
				Map<String, String> failed = supervisor.stopAllForShutdown(grace);
				if (!failed.isEmpty()) {
					List<String> names = new ArrayList<>();
					failed.forEach((id, why) -> names.add(id + " (" + why + ")"));
					throw new Cli.Failure(Cli.FAILED, "could not stop " + String.join(", ", names));
				}
				io.out().println("every managed container is stopped; the daemon starts and restarts none until it restarts");
				return Cli.OK;
			}
			default:
				return status(c, io);
		}
	}

	private int status(CommandLine c, ContainerCommands.Session io) {
		DaemonReport d = supervisor.daemon();
		Map<String, Object> m = new LinkedHashMap<>();
		m.put("pid", d.pid());
		m.put("version", d.version());
		m.put("started_at", ReportJson.time(d.startedAt()));
		m.put("uptime", ContainerViews.duration(Duration.between(d.startedAt(), Instant.now()).toSeconds()));
		m.put("boot_id", d.bootId());
		m.put("log_level", logControl.level().name());
		m.put("containers", (long) supervisor.containers().size());
		m.put("running", supervisor.containers().stream().filter(r -> r.pid() > 0).count());
		List<Object> problems = new ArrayList<>();
		daemon.problem().ifPresent(problems::add);
		containers.problem().ifPresent(problems::add);
		m.put("config_problems", problems);
		if (c.has("--json")) {
			Cli.json(io, m);
		} else {
			m.forEach((k, v) -> {
				if (k.equals("config_problems")) {
					io.out().println(k + ": " + (problems.isEmpty() ? "none" : problems.size()));
					problems.forEach(p -> io.out().println("  " + p));
				} else {
					io.out().println(k + ": " + v);
				}
			});
		}
		return Cli.OK;
	}
}
