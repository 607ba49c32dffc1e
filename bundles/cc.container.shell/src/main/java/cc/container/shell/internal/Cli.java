package cc.container.shell.internal;

import cc.container.api.BundleInfo;
import cc.container.api.BundleUpgrades;
import cc.container.api.ContainerReport;
import cc.container.api.DaemonReport;
import cc.container.api.HistoryEntry;
import cc.container.api.InstallException;
import cc.container.api.Installer;
import cc.container.api.LogControl;
import cc.container.api.Supervisor;
import cc.container.api.SupervisorException;
import cc.container.api.UpgradeException;
import cc.container.api.command.ContainerCommands;
import cc.container.api.config.ConfigException;
import cc.container.api.config.ContainerConfig;
import cc.container.api.config.ContainersConfiguration;
import cc.container.api.config.DaemonConfiguration;
import cc.container.api.config.LogLevel;
import cc.container.api.config.RestartPolicy;
import cc.container.api.runtime.ContainerStats;
import cc.container.api.runtime.DriverException;
import cc.container.api.runtime.RuntimeDriver;
import cc.container.util.Text;
import cc.container.util.json.Json;
import cc.container.util.json.ReportJson;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * The commands of SPEC section 7, once: the Gogo {@code container:*} functions and {@code containerctl} (through the
 * control socket) both run them, so output and exit status are the same. Commands parse and format only; the work is
 * done by the API services.
 */
public final class Cli {
	/** Exit status: done. */
	public static final int OK = 0;
	/** Exit status: the operation failed. */
	public static final int FAILED = 1;
	/** Exit status: bad usage. */
	public static final int USAGE = 2;
	/** Exit status: no such container or package. */
	public static final int NOT_FOUND = 4;

	/** The usage of every command. */
	public static final String USAGE_TEXT = String.join("\n",
		"usage: containerctl <command> [args]",
		"  list [--json]                               ID, NAME, RUNTIME, VERSION, STATUS, UPTIME, RESTARTS, AUTOSTART",
		"  status <id> [--json]                        everything state.json knows of it",
		"  start <id> | stop <id> [-t SECONDS] | restart <id> [-t SECONDS]",
		"  install <file.dcp> [--no-start]             verify and install a package",
		"  update <file.dcp> [--force]                 replace the installed version; rolls back if it fails",
		"  remove <id>",
		"  logs <id> [--tail N] [-f|--follow]",
		"  stats [<id>] [--json]",
		"  config get <id> [<key>] | config set <id> <key> <value>",
		"      keys: autostart, monitor, friendly_name, restart.enabled, restart.max_retries, restart.retry_delay, restart.window",
		"  history <id> [--json]                       restart history",
		"  dcp build --manifest M --payload P [--output-dir D] | dcp inspect <file.dcp>",
		"  daemon status [--json] | daemon log-level <level>",
		"  daemon stop-managed                         stop every container for the device's shutdown (desired states kept)",
		"  bundle list [--json]                        the daemon's bundles: version, state, upgraded in the field",
		"  bundle update <jar> [--timeout SECONDS]     replace the bundle the jar names; rolls back if it does not come up",
		"  bundle rollback <symbolic-name> [--timeout SECONDS]   put back the version the last upgrade replaced",
		"Exit status: 0 done, 1 failed, 2 bad usage, 3 daemon unreachable, 4 no such container or package, 5 not permitted.");

	/** A command line that cannot be used. */
	static final class Usage extends Exception {
		private static final long serialVersionUID = 1L;

		Usage(String message) {
			super(message);
		}
	}

	/** An error with its exit status. */
	static final class Failure extends Exception {
		private static final long serialVersionUID = 1L;
		final int status;

		Failure(int status, String message) {
			super(message);
			this.status = status;
		}
	}

	private final Supervisor supervisor;
	private final Installer installer;
	private final ContainersConfiguration containers;
	private final LogControl logControl;
	private final Function<String, RuntimeDriver> drivers;
	private final BundleUpgrades upgrades;
	private final DaemonConfiguration daemon;

	/** The commands over these services; {@code drivers} finds the driver of a runtime (or null). */
	public Cli(DaemonConfiguration daemon, Supervisor supervisor, Installer installer, ContainersConfiguration containers, LogControl logControl,
		Function<String, RuntimeDriver> drivers, BundleUpgrades upgrades) {
		this.daemon = daemon;
		this.upgrades = upgrades;
		this.supervisor = supervisor;
		this.installer = installer;
		this.containers = containers;
		this.logControl = logControl;
		this.drivers = drivers;
	}

	/** Runs one command; returns its exit status. */
	public int run(List<String> args, ContainerCommands.Session io) {
		try {
			if (args.isEmpty()) {
				throw new Usage("a command is needed");
			}
			if (args.contains("--help") || args.contains("-h")) {
				io.out().println(USAGE_TEXT);
				return OK;
			}
			Args a = new Args(args.subList(1, args.size()));
			switch (args.get(0)) {
				case "list":
					return list(a, io);
				case "status":
					return status(a, io);
				case "start":
					return lifecycle("start", a, io);
				case "stop":
					return lifecycle("stop", a, io);
				case "restart":
					return lifecycle("restart", a, io);
				case "install":
					return install(a, io);
				case "update":
					return update(a, io);
				case "remove":
					return remove(a, io);
				case "logs":
					return logs(a, io);
				case "stats":
					return stats(a, io);
				case "config":
					return config(a, io);
				case "history":
					return history(a, io);
				case "daemon":
					return daemon(a, io);
				case "dcp":
					return Dcp.run(a.rest(), io);
				case "bundle":
					return bundle(a, io);
				default:
					throw new Usage("unknown command \"" + args.get(0) + "\"");
			}
		} catch (Usage e) {
			io.err().println(Text.oneLine(e.getMessage()) + " (containerctl --help lists the commands)");
			return USAGE;
		} catch (Failure e) {
			io.err().println(Text.oneLine(e.getMessage()));
			return e.status;
		} catch (RuntimeException e) {
			io.err().println(Text.oneLine("the command failed: " + e));
			return FAILED;
		}
	}

	/** The arguments of one command: flags with or without a value, and positional words. */
	static final class Args {
		private final List<String> words = new ArrayList<>();
		private final Map<String, String> flags = new LinkedHashMap<>();
		private final List<String> all;

		Args(List<String> args) throws Usage {
			this.all = args;
			for (int i = 0; i < args.size(); i++) {
				String s = args.get(i);
				if (s.equals("-t") || s.equals("--tail") || s.equals("--timeout") || s.equals("--manifest") || s.equals("--payload") || s.equals("--output-dir")) {
					if (i + 1 >= args.size()) {
						throw new Usage(s + " needs a value");
					}
					flags.put(s, args.get(++i));
				} else if (s.startsWith("-") && s.length() > 1 && !isNumber(s)) {
					flags.put(s, "");
				} else {
					words.add(s);
				}
			}
		}

		List<String> rest() {
			return all;
		}

		boolean has(String flag) {
			return flags.containsKey(flag);
		}

		String word(int i, String what) throws Usage {
			if (i >= words.size()) {
				throw new Usage("missing " + what);
			}
			return words.get(i);
		}

		int count() {
			return words.size();
		}

		void allow(int maxWords, String... allowed) throws Usage {
			for (String f : flags.keySet()) {
				if (!List.of(allowed).contains(f)) {
					throw new Usage("unknown option \"" + f + "\"");
				}
			}
			if (words.size() > maxWords) {
				throw new Usage("unexpected argument \"" + words.get(maxWords) + "\"");
			}
		}

		int number(String flag, int def, int min, int max) throws Usage {
			String v = flags.get(flag);
			if (v == null) {
				return def;
			}
			try {
				int n = Integer.parseInt(v);
				if (n < min || n > max) {
					throw new NumberFormatException();
				}
				return n;
			} catch (NumberFormatException e) {
				throw new Usage(flag + " takes a whole number from " + min + " to " + max + ", not \"" + v + "\"");
			}
		}

		private static boolean isNumber(String s) {
			return s.matches("-?[0-9]+");
		}
	}

	private ContainerReport report(String id) throws Failure {
		return supervisor.container(id).orElseThrow(() -> new Failure(NOT_FOUND, "no managed container has the id \"" + id + "\""));
	}

	static Failure failure(SupervisorException e) {
		return new Failure(e.kind() == SupervisorException.Kind.NOT_FOUND ? NOT_FOUND : FAILED, e.getMessage());
	}

	static Failure failure(UpgradeException e) {
		return new Failure(e.kind() == UpgradeException.Kind.NOT_FOUND ? NOT_FOUND : FAILED, e.getMessage());
	}

	static Failure failure(InstallException e) {
		return new Failure(e.kind() == InstallException.Kind.NOT_FOUND ? NOT_FOUND : FAILED, e.getMessage());
	}

	private static void json(ContainerCommands.Session io, Object tree) {
		io.out().print(new String(Json.write(tree), StandardCharsets.UTF_8));
	}

	// ---------------------------------------------------------------- list, status, history, stats

	private int list(Args a, ContainerCommands.Session io) throws Usage {
		a.allow(0, "--json");
		List<ContainerReport> all = supervisor.containers();
		if (a.has("--json")) {
			List<Object> list = new ArrayList<>();
			all.forEach(r -> list.add(ReportJson.container(r)));
			json(io, list);
			return OK;
		}
		Table t = new Table("ID", "NAME", "RUNTIME", "VERSION", "STATUS", "UPTIME", "RESTARTS", "AUTOSTART");
		for (ContainerReport r : all) {
			boolean auto = containers.container(r.id()).map(ContainerConfig::autostart).orElse(false);
			t.row(r.id(), r.friendlyName() == null ? "-" : r.friendlyName(), r.runtime(), r.version() == null ? "-" : r.version(),
				r.status().json(), uptime(r), Integer.toString(r.restarts().total()), auto ? "yes" : "no");
		}
		t.print(io.out());
		return OK;
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

	private int status(Args a, ContainerCommands.Session io) throws Usage, Failure {
		a.allow(1, "--json");
		ContainerReport r = report(a.word(0, "container id"));
		Map<String, Object> m = ReportJson.container(r);
		if (a.has("--json")) {
			json(io, m);
			return OK;
		}
		print(io.out(), "", m);
		return OK;
	}

	@SuppressWarnings("unchecked")
	private static void print(PrintStream out, String prefix, Map<String, Object> m) {
		for (Map.Entry<String, Object> e : m.entrySet()) {
			Object v = e.getValue();
			if (v instanceof Map) {
				print(out, prefix + e.getKey() + ".", (Map<String, Object>) v);
			} else if (v instanceof List) {
				out.println(prefix + e.getKey() + ": " + ((List<?>) v).size() + " entries" + (((List<?>) v).isEmpty() ? "" : " (containerctl history)"));
			} else {
				out.println(prefix + e.getKey() + ": " + (v == null ? "-" : v));
			}
		}
	}

	private int history(Args a, ContainerCommands.Session io) throws Usage, Failure {
		a.allow(1, "--json");
		ContainerReport r = report(a.word(0, "container id"));
		if (a.has("--json")) {
			json(io, ReportJson.container(r).get("history"));
			return OK;
		}
		Table t = new Table("AT", "EVENT", "EXIT", "SIGNAL", "OOM", "DECISION");
		for (HistoryEntry h : r.history()) {
			t.row(ReportJson.time(h.at()), h.event(), h.exitCode() == null ? "-" : h.exitCode().toString(), h.signal() == null ? "-" : h.signal(),
				h.oom() == null ? "-" : h.oom().toString(), h.decision());
		}
		t.print(io.out());
		return OK;
	}

	private int stats(Args a, ContainerCommands.Session io) throws Usage, Failure {
		a.allow(1, "--json");
		List<ContainerReport> rs = a.count() == 1 ? List.of(report(a.word(0, "container id"))) : supervisor.containers();
		if (a.has("--json")) {
			Map<String, Object> m = new LinkedHashMap<>();
			rs.forEach(r -> m.put(r.id(), r.stats() == null ? null : ReportJson.stats(r.stats())));
			json(io, m);
			return OK;
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
		return OK;
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

	// ---------------------------------------------------------------- lifecycle

	private int lifecycle(String op, Args a, ContainerCommands.Session io) throws Usage, Failure {
		a.allow(1, op.equals("start") ? new String[0] : new String[] { "-t" });
		String id = a.word(0, "container id");
		Duration grace = Duration.ofSeconds(a.number("-t", 10, 0, 3600));
		try {
			ContainerReport r = switch (op) {
				case "start" -> supervisor.start(id);
				case "stop" -> supervisor.stop(id, grace);
				default -> supervisor.restart(id, grace);
			};
			io.out().println(id + ": " + r.status().json() + (r.pid() > 0 ? " (pid " + r.pid() + ")" : ""));
			return OK;
		} catch (SupervisorException e) {
			throw failure(e);
		}
	}

	private int install(Args a, ContainerCommands.Session io) throws Usage, Failure {
		a.allow(1, "--no-start");
		Path file = Path.of(a.word(0, "package file"));
		try {
			ContainerReport r = installer.install(file, !a.has("--no-start"), progress(io));
			endProgress(io);
			io.out().println("installed " + r.id() + " " + r.version() + ": " + r.status().json());
			return OK;
		} catch (InstallException e) {
			endProgress(io);
			throw failure(e);
		}
	}

	private int update(Args a, ContainerCommands.Session io) throws Usage, Failure {
		a.allow(1, "--force");
		Path file = Path.of(a.word(0, "package file"));
		try {
			ContainerReport r = installer.update(file, a.has("--force"), progress(io));
			endProgress(io);
			io.out().println("updated " + r.id() + " to " + r.version() + ": " + r.status().json());
			return OK;
		} catch (InstallException e) {
			endProgress(io);
			throw failure(e);
		}
	}

	private static java.util.function.Consumer<String> progress(ContainerCommands.Session io) {
		return phase -> {
			if (io.tty()) {
				io.out().print("\r\033[K" + phase + "...");
			} else {
				io.out().println(phase + "...");
			}
			io.out().flush();
		};
	}

	private static void endProgress(ContainerCommands.Session io) {
		if (io.tty()) {
			io.out().print("\r\033[K");
		}
	}

	private int remove(Args a, ContainerCommands.Session io) throws Usage, Failure {
		a.allow(1);
		String id = a.word(0, "container id");
		try {
			installer.remove(id);
			io.out().println("removed " + id);
			return OK;
		} catch (InstallException e) {
			throw failure(e);
		}
	}

	// ---------------------------------------------------------------- logs

	private int logs(Args a, ContainerCommands.Session io) throws Usage, Failure {
		a.allow(1, "--tail", "-f", "--follow");
		String id = a.word(0, "container id");
		ContainerConfig c = containers.container(id).orElseThrow(() -> new Failure(NOT_FOUND, "no managed container has the id \"" + id + "\""));
		RuntimeDriver d = drivers.apply(c.runtime());
		if (d == null) {
			throw new Failure(FAILED, "the " + c.runtime() + " driver is not available (being upgraded?); try again shortly");
		}
		int tail = a.number("--tail", 100, 0, 1_000_000);
		try {
			if (!a.has("-f") && !a.has("--follow")) {
				d.logs(id, tail).forEach(io.out()::println);
				return OK;
			}
			FollowBuffer buffer = new FollowBuffer();
			try (AutoCloseable f = d.followLogs(id, tail, buffer)) {
				while (!io.cancelled() && !Thread.currentThread().isInterrupted()) {
					String line = buffer.take(200);
					if (buffer.overflowed()) {
						throw new Failure(FAILED, "logs -f of " + id + " stopped: its output came faster than it was read (more than "
							+ FollowBuffer.MAX_BYTES / (1 << 20) + " MiB behind)");
					}
					for (; line != null; line = buffer.take(0)) {
						io.out().println(line);
					}
					io.out().flush();
				}
			}
			return OK;
		} catch (DriverException e) {
			throw new Failure(e.kind() == DriverException.Kind.NOT_FOUND ? NOT_FOUND : FAILED, e.getMessage());
		} catch (InterruptedException e) {
			Thread.currentThread().interrupt();
			return OK;
		} catch (Failure e) {
			throw e;
		} catch (Exception e) {
			throw new Failure(FAILED, String.valueOf(e.getMessage()));
		}
	}

	// ---------------------------------------------------------------- config

	static final List<String> KEYS = List.of("autostart", "monitor", "friendly_name", "restart.enabled", "restart.max_retries",
		"restart.retry_delay", "restart.window");

	private int config(Args a, ContainerCommands.Session io) throws Usage, Failure {
		String sub = a.word(0, "config get or config set");
		if (sub.equals("get")) {
			a.allow(3);
			ContainerConfig c = configOf(a.word(1, "container id"));
			if (a.count() == 3) {
				io.out().println(value(c, key(a.word(2, "key"))));
			} else {
				for (String k : KEYS) {
					io.out().println(k + " = " + value(c, k));
				}
			}
			return OK;
		}
		if (!sub.equals("set")) {
			throw new Usage("config takes get or set, not \"" + sub + "\"");
		}
		a.allow(4);
		ContainerConfig c = configOf(a.word(1, "container id"));
		String key = key(a.word(2, "key"));
		String v = a.word(3, "value");
		ContainerConfig next = with(c, key, v);
		try {
			containers.put(next);
		} catch (ConfigException e) {
			throw new Failure(FAILED, e.getMessage());
		}
		io.out().println(c.id() + ": " + key + " = " + value(next, key));
		return OK;
	}

	private ContainerConfig configOf(String id) throws Failure {
		return containers.container(id).orElseThrow(() -> new Failure(NOT_FOUND, "no managed container has the id \"" + id + "\""));
	}

	private static String key(String k) throws Usage {
		if (!KEYS.contains(k)) {
			throw new Usage("unknown key \"" + k + "\": use " + String.join(", ", KEYS));
		}
		return k;
	}

	static String value(ContainerConfig c, String key) {
		return switch (key) {
			case "autostart" -> Boolean.toString(c.autostart());
			case "monitor" -> Boolean.toString(c.monitor());
			case "friendly_name" -> c.friendlyName() == null ? "" : c.friendlyName();
			case "restart.enabled" -> Boolean.toString(c.restart().enabled());
			case "restart.max_retries" -> Integer.toString(c.restart().maxRetries());
			case "restart.retry_delay" -> Integer.toString(c.restart().retryDelaySeconds());
			default -> Integer.toString(c.restart().windowSeconds());
		};
	}

	static ContainerConfig with(ContainerConfig c, String key, String v) throws Usage {
		RestartPolicy r = c.restart();
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
			default:
				return c.withRestart(new RestartPolicy(r.enabled(), r.maxRetries(), r.retryDelaySeconds(), whole(key, v, 1, 604_800)));
		}
	}

	private static boolean bool(String key, String v) throws Usage {
		if (v.equals("true") || v.equals("false")) {
			return Boolean.parseBoolean(v);
		}
		throw new Usage(key + " takes true or false, not \"" + v + "\"");
	}

	private static int whole(String key, String v, int min, int max) throws Usage {
		try {
			int n = Integer.parseInt(v);
			if (n >= min && n <= max) {
				return n;
			}
		} catch (NumberFormatException e) {
			// the message below
		}
		throw new Usage(key + " takes a whole number from " + min + " to " + max + ", not \"" + v + "\"");
	}

	// ---------------------------------------------------------------- daemon

	private int daemon(Args a, ContainerCommands.Session io) throws Usage, Failure {
		String sub = a.word(0, "daemon status or daemon log-level");
		if (sub.equals("stop-managed")) {
			a.allow(1);
			Duration grace = Duration.ofSeconds(Math.max(1, daemon.config().service().commandTimeout().toSeconds() / 2));
			Map<String, String> failed = supervisor.stopAllForShutdown(grace);
			if (!failed.isEmpty()) {
				List<String> names = new ArrayList<>();
				failed.forEach((id, why) -> names.add(id + " (" + why + ")"));
				throw new Failure(FAILED, "could not stop " + String.join(", ", names));
			}
			io.out().println("every managed container is stopped; the daemon starts and restarts none until it restarts");
			return OK;
		}
		if (sub.equals("log-level")) {
			a.allow(2);
			String level = a.word(1, "log level");
			LogLevel l;
			try {
				l = LogLevel.parse(level);
			} catch (IllegalArgumentException e) {
				throw new Usage(e.getMessage());
			}
			logControl.setLevel(l);
			io.out().println("log level: " + l.name());
			return OK;
		}
		if (!sub.equals("status")) {
			throw new Usage("daemon takes status, log-level or stop-managed, not \"" + sub + "\"");
		}
		a.allow(1, "--json");
		DaemonReport d = supervisor.daemon();
		Map<String, Object> m = new LinkedHashMap<>();
		m.put("pid", d.pid());
		m.put("version", d.version());
		m.put("started_at", ReportJson.time(d.startedAt()));
		m.put("uptime", duration(Duration.between(d.startedAt(), Instant.now()).toSeconds()));
		m.put("boot_id", d.bootId());
		m.put("log_level", logControl.level().name());
		m.put("containers", (long) supervisor.containers().size());
		m.put("running", supervisor.containers().stream().filter(r -> r.pid() > 0).count());
		if (a.has("--json")) {
			json(io, m);
		} else {
			m.forEach((k, v) -> io.out().println(k + ": " + v));
		}
		return OK;
	}

	// ---------------------------------------------------------------- bundle

	private int bundle(Args a, ContainerCommands.Session io) throws Usage, Failure {
		String sub = a.word(0, "bundle list, bundle update or bundle rollback");
		switch (sub) {
			case "list": {
				a.allow(1, "--json");
				List<BundleInfo> all = upgrades.list();
				if (a.has("--json")) {
					List<Object> list = new ArrayList<>();
					all.forEach(b -> list.add(bundleJson(b)));
					json(io, list);
					return OK;
				}
				Table t = new Table("ID", "SYMBOLIC-NAME", "VERSION", "STATE", "UPGRADED");
				for (BundleInfo b : all) {
					t.row(Long.toString(b.id()), b.symbolicName(), b.version(), b.state(), b.upgraded()
						? "yes (shipped " + (b.shippedVersion() == null ? "unknown" : b.shippedVersion()) + ")" : "no");
				}
				t.print(io.out());
				return OK;
			}
			case "update": {
				a.allow(2, "--timeout");
				Path jar = Path.of(a.word(1, "bundle jar"));
				Duration settle = Duration.ofSeconds(a.number("--timeout", (int) BundleUpgrades.DEFAULT_SETTLE.toSeconds(), 1, 3600));
				try {
					BundleInfo b = upgrades.update(jar, settle, progress(io));
					endProgress(io);
					io.out().println("updated " + b.symbolicName() + " to " + b.version() + " (was " + b.replaced().get(b.replaced().size() - 1)
						+ "): " + b.state());
					return OK;
				} catch (UpgradeException e) {
					endProgress(io);
					throw failure(e);
				}
			}
			case "rollback": {
				a.allow(2, "--timeout");
				String bsn = a.word(1, "bundle symbolic name");
				Duration settle = Duration.ofSeconds(a.number("--timeout", (int) BundleUpgrades.DEFAULT_SETTLE.toSeconds(), 1, 3600));
				try {
					BundleInfo b = upgrades.rollback(bsn, settle, progress(io));
					endProgress(io);
					io.out().println("rolled back " + b.symbolicName() + " to " + b.version() + (b.upgraded() ? "" : " (shipped)") + ": " + b.state());
					return OK;
				} catch (UpgradeException e) {
					endProgress(io);
					throw failure(e);
				}
			}
			default:
				throw new Usage("bundle takes list, update or rollback, not \"" + sub + "\"");
		}
	}

	static Map<String, Object> bundleJson(BundleInfo b) {
		Map<String, Object> m = new LinkedHashMap<>();
		m.put("id", b.id());
		m.put("symbolic_name", b.symbolicName());
		m.put("version", b.version());
		m.put("state", b.state());
		m.put("upgraded", b.upgraded());
		m.put("shipped_version", b.shippedVersion());
		m.put("replaced", new ArrayList<Object>(b.replaced()));
		return m;
	}
}
