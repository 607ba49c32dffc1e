package cc.container.util.command;

import static cc.container.util.command.CommandSpec.flag;
import static cc.container.util.command.CommandSpec.option;
import static cc.container.util.command.CommandSpec.optional;
import static cc.container.util.command.CommandSpec.param;

import cc.container.util.command.CommandSpec.Type;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Every command of {@code containerctl} and of the Gogo shell's {@code container:} scope, declared once
 * (docs/containerctl.md describes each).
 */
public final class Commands {
	private static final CommandSpec.Option JSON = flag("print JSON", "--json");

	/** The keys of {@code config get} and {@code config set}. */
	public static final List<String> CONFIG_KEYS = List.of("autostart", "monitor", "friendly_name", "restart.enabled", "restart.max_retries",
		"restart.retry_delay", "restart.window", "drm.enabled", "drm.stats_sample_interval_s", "drm.stats_list_of_metrics");

	/** The log levels, as {@code daemon log-level} takes them. */
	public static final List<String> LEVELS = List.of("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL");

	/** The broker options of the fleet commands, then {@code more}. */
	private static List<CommandSpec.Option> fleetOptions(CommandSpec.Option... more) {
		List<CommandSpec.Option> o = new java.util.ArrayList<>(List.of(option("--broker", Type.WORD, "URI", "tcp://host:1883 or ssl://host:8883"),
			option("--username", Type.WORD, "U", "user name"), option("--password-file", Type.PATH, "F", "a file holding the password"),
			option("--ca-file", Type.PATH, "F", "CA certificates (PEM)"), option("--cert-file", Type.PATH, "F", "client certificate (PEM)"),
			option("--key-file", Type.PATH, "F", "its key (PKCS#8 PEM)"), option("--prefix", Type.WORD, "P", "topic prefix (cc-container-mng)"),
			option("--label", Type.WORD, "L", "only the devices with this label")));
		o.addAll(List.of(more));
		return o;
	}

	/** The commands, in the order {@code --help} lists them. */
	public static final List<CommandSpec> ALL = List.of(
		spec("list", "ID, NAME, RUNTIME, VERSION, STATUS, UPTIME, RESTARTS, AUTOSTART", List.of(), List.of(JSON)),
		spec("status", "everything state.json knows of a container", List.of(param("id", Type.ID, "container id")), List.of(JSON)),
		spec("start", "start a container", List.of(param("id", Type.ID, "container id")), List.of()),
		spec("stop", "stop a container; it stays stopped until started", List.of(param("id", Type.ID, "container id")),
			List.of(option("-t", Type.NUMBER, "SECONDS", "seconds between the stop signal and a kill (10)"))),
		spec("restart", "stop and start a container", List.of(param("id", Type.ID, "container id")),
			List.of(option("-t", Type.NUMBER, "SECONDS", "seconds between the stop signal and a kill (10)"))),
		spec("install", "verify and install a package", List.of(param("file.dcp", Type.PATH, "package file")),
			List.of(flag("install without starting it", "--no-start"), option("--id", Type.ID, "ID", "the container's id (default: the package's)"))),
		spec("update", "replace the installed version; rolls back if it fails", List.of(param("file.dcp", Type.PATH, "package file")),
			List.of(flag("accept the same or an older version", "--force"),
				option("--id", Type.ID, "ID", "the container to update (default: the package's id)"))),
		spec("remove", "stop and remove a container", List.of(param("id", Type.ID, "container id")), List.of()),
		spec("logs", "a container's output", List.of(param("id", Type.ID, "container id")),
			List.of(option("--tail", Type.NUMBER, "N", "the last N lines (100)"), flag("follow the output as it comes", "-f", "--follow"))),
		spec("stats", "statistics of the containers", List.of(optional("id", Type.ID, "container id")), List.of(JSON)),
		spec("config get", "a container's settings", List.of(param("id", Type.ID, "container id"), optional("key", Type.KEY, "key")),
			List.of()),
		spec("config set", "change a container's setting", List.of(param("id", Type.ID, "container id"), param("key", Type.KEY, "key"),
			param("value", Type.WORD, "value")), List.of()),
		spec("history", "a container's restart history", List.of(param("id", Type.ID, "container id")), List.of(JSON)),
		local("dcp build", "make a package (runs without a daemon)", List.of(),
			List.of(option("--manifest", Type.PATH, "M", "the manifest"), option("--payload", Type.PATH, "P", "the payload"),
				option("--output-dir", Type.PATH, "D", "where the package goes (.)"),
				option("--readme", Type.PATH, "F", "metadata/README.txt"), option("--changelog", Type.PATH, "F", "metadata/changelog.txt"),
				option("--file-name", Type.WORD, "STYLE", "dcp (<id>-<runtime>-<device>.tar.gz) or artifact (<id>_artifact_<runtime>_<device>.tar.gz)"))),
		local("dcp inspect", "validate a package and show its manifest (runs without a daemon)",
			List.of(param("file.dcp", Type.PATH, "package file")), List.of()),
		local("dcp keygen", "make a key pair to sign packages: <name>.key (secret) and <name>.pub", List.of(param("name", Type.PATH, "key name")),
			List.of(option("--algorithm", Type.WORD, "A", "ed25519 (the default) or ecdsa-p256"))),
		local("dcp sign", "sign a package with a private key", List.of(param("file.dcp", Type.PATH, "package file")),
			List.of(option("--key", Type.PATH, "K", "the private key (<name>.key, PEM)"))),
		local("dcp verify", "validate a package and check its signature", List.of(param("file.dcp", Type.PATH, "package file")),
			List.of(option("--keys", Type.PATH, "D", "the folder of trusted keys (/etc/cc-container-mng/trusted-keys)"),
				option("--key", Type.PATH, "K", "one trusted key (<name>.pub)"))),
		local("fleet devices", "the devices on an MQTT broker and their containers (runs without a daemon)", List.of(), fleetOptions(
			option("--wait", Type.NUMBER, "SECONDS", "how long to collect the retained messages (2)"), JSON)),
		local("fleet send", "run one command on a set of devices and wait for every answer (runs without a daemon)", List.of(), fleetOptions(
			option("--command", Type.WORD, "'CMD ARGS'", "the command, as containerctl takes it ('restart web')"),
			option("--devices", Type.WORD, "ID,ID", "the devices (or --label)"),
			option("--timeout", Type.NUMBER, "SECONDS", "how long to wait for the answers (30)"), JSON)),
		spec("daemon status", "the daemon: version, uptime, configuration problems", List.of(), List.of(JSON)),
		spec("daemon log-level", "change the log level until the daemon restarts", List.of(param("level", Type.LEVEL, "log level")), List.of()),
		spec("daemon reload", "read both configuration files again and apply what changed", List.of(), List.of()),
		spec("daemon stop-managed", "stop every container for the device's shutdown (desired states kept)", List.of(), List.of()),
		spec("bundle list", "the daemon's bundles: version, state, upgraded in the field", List.of(), List.of(JSON)),
		spec("bundle update", "replace the bundle the jar names; rolls back if it does not come up",
			List.of(param("jar", Type.PATH, "bundle jar")),
			List.of(option("--timeout", Type.NUMBER, "SECONDS", "time the new version has to come up (30)"))),
		spec("bundle rollback", "put back the version the last upgrade replaced", List.of(param("symbolic-name", Type.BUNDLE,
			"bundle symbolic name")), List.of(option("--timeout", Type.NUMBER, "SECONDS", "time the previous version has to come up (30)"))));

	private Commands() {
	}

	private static CommandSpec spec(String words, String summary, List<CommandSpec.Param> params, List<CommandSpec.Option> options) {
		return new CommandSpec(List.of(words.split(" ")), summary, params, options, false);
	}

	private static CommandSpec local(String words, String summary, List<CommandSpec.Param> params, List<CommandSpec.Option> options) {
		return new CommandSpec(List.of(words.split(" ")), summary, params, options, true);
	}

	/** The commands' first words, each with its specs ({@code config} has {@code get} and {@code set}). */
	public static Map<String, List<CommandSpec>> groups() {
		Map<String, List<CommandSpec>> out = new LinkedHashMap<>();
		for (CommandSpec s : ALL) {
			out.computeIfAbsent(s.words().get(0), k -> new ArrayList<>()).add(s);
		}
		return out;
	}

	/** One command's usage, summary and options ({@code containerctl <command> --help}). */
	public static String help(CommandSpec s) {
		StringBuilder b = new StringBuilder("usage: containerctl ").append(s.usage()).append('\n').append(s.summary());
		for (CommandSpec.Option o : s.options()) {
			String names = String.join(", ", o.names()) + (o.value() == null ? "" : " " + o.valueName());
			b.append("\n  ").append(names).append(" ".repeat(Math.max(2, 24 - names.length()))).append(o.help());
		}
		return b.toString();
	}

	/**
	 * What {@code --help} anywhere among {@code args} shows: the command's help when the other words name one, else every
	 * command's usage.
	 */
	public static String helpFor(List<String> args) {
		List<String> words = args.stream().filter(a -> !a.equals("--help") && !a.equals("-h")).toList();
		CommandSpec spec = null;
		try {
			spec = words.isEmpty() ? null : CommandLine.find(words);
		} catch (CommandLine.UsageException e) {
			// the whole usage then
		}
		return spec == null ? usage() : help(spec);
	}

	/** Every command's usage and summary, one a line, as {@code --help} prints them. */
	public static String usage() {
		StringBuilder b = new StringBuilder("usage: containerctl <command> [args]\n");
		for (CommandSpec s : ALL) {
			String u = s.usage();
			b.append("  ").append(u).append(u.length() < 48 ? " ".repeat(48 - u.length()) : "\n" + " ".repeat(50)).append(s.summary()).append('\n');
		}
		b.append("Exit status: 0 done, 1 failed, 2 bad usage, 3 daemon unreachable, 4 no such container or package, 5 not permitted.");
		return b.toString();
	}
}
