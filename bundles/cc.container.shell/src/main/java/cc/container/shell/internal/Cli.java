package cc.container.shell.internal;

import cc.container.api.BundleUpgrades;
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
import cc.container.util.Text;
import cc.container.util.command.CommandLine.UsageException;
import cc.container.util.command.CommandLine;
import cc.container.util.command.CommandSpec;
import cc.container.util.command.Commands;
import cc.container.util.dcp.DcpTool;
import cc.container.util.json.Json;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;

/**
 * The commands of docs/containerctl.md, once: the Gogo {@code container:*} functions and {@code containerctl} (through
 * the control socket) both run them, so output and exit status are the same. It parses with the one command model
 * ({@link Commands}) and dispatches; the commands' output is made by {@link ContainerViews}, {@link LogsCommand},
 * {@link DaemonCommands} and {@link BundleCommands}, and the work is done by the API services.
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
	/** Exit status: the caller may not do this. */
	public static final int NOT_PERMITTED = 5;

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
	private final ContainerViews views;
	private final LogsCommand logs;
	private final DaemonCommands daemonCommands;
	private final BundleCommands bundles;

	/** The commands over these services. */
	public Cli(DaemonConfiguration daemon, Supervisor supervisor, Installer installer, ContainersConfiguration containers, LogControl logControl,
		BundleUpgrades upgrades) {
		this.supervisor = supervisor;
		this.installer = installer;
		this.containers = containers;
		this.views = new ContainerViews(supervisor, containers);
		this.logs = new LogsCommand(supervisor);
		this.daemonCommands = new DaemonCommands(daemon, supervisor, containers, logControl);
		this.bundles = new BundleCommands(upgrades);
	}

	/** Runs one command; returns its exit status. */
	public int run(List<String> args, ContainerCommands.Session io) {
		try {
			if (args.contains("--help") || args.contains("-h")) {
				return help(args, io);
			}
			CommandLine c = CommandLine.parse(args);
			switch (c.spec().name()) {
				case "list":
					return views.list(c, io);
				case "status":
					return views.status(c, io);
				case "stats":
					return views.stats(c, io);
				case "history":
					return views.history(c, io);
				case "start":
				case "stop":
				case "restart":
					return lifecycle(c, io);
				case "install":
					return install(c, io);
				case "update":
					return update(c, io);
				case "remove":
					return remove(c, io);
				case "logs":
					return logs.run(c, io);
				case "config get":
					return configGet(c, io);
				case "config set":
					return configSet(c, io);
				case "dcp build":
				case "dcp inspect":
				case "dcp keygen":
				case "dcp sign":
				case "dcp verify":
					return DcpTool.run(args, io.out(), io.err());
				default:
					if (c.spec().words().get(0).equals("daemon")) {
						return daemonCommands.run(c, io);
					}
					return bundles.run(c, io);
			}
		} catch (UsageException e) {
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

	/** {@code --help}: every command's usage, or one command's with its options. */
	private static int help(List<String> args, ContainerCommands.Session io) {
		io.out().println(Commands.helpFor(args));
		return OK;
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

	static void json(ContainerCommands.Session io, Object tree) {
		io.out().print(new String(Json.write(tree), StandardCharsets.UTF_8));
	}

	// ---------------------------------------------------------------- lifecycle and packages

	private int lifecycle(CommandLine c, ContainerCommands.Session io) throws UsageException, Failure {
		String id = c.param(0);
		Duration grace = Duration.ofSeconds(c.number("-t", 10, 0, 3600));
		try {
			var r = switch (c.spec().name()) {
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

	private int install(CommandLine c, ContainerCommands.Session io) throws Failure {
		try {
			var r = installer.install(Path.of(c.param(0)), c.option("--id"), !c.has("--no-start"), progress(io));
			endProgress(io);
			io.out().println("installed " + r.id() + " " + r.version() + ": " + r.status().json());
			return OK;
		} catch (InstallException e) {
			endProgress(io);
			throw failure(e);
		}
	}

	private int update(CommandLine c, ContainerCommands.Session io) throws Failure {
		try {
			var r = installer.update(Path.of(c.param(0)), c.option("--id"), c.has("--force"), progress(io));
			endProgress(io);
			io.out().println("updated " + r.id() + " to " + r.version() + ": " + r.status().json());
			return OK;
		} catch (InstallException e) {
			endProgress(io);
			throw failure(e);
		}
	}

	static Consumer<String> progress(ContainerCommands.Session io) {
		return phase -> {
			if (io.tty()) {
				io.out().print("\r\033[K" + phase + "...");
			} else {
				io.out().println(phase + "...");
			}
			io.out().flush();
		};
	}

	static void endProgress(ContainerCommands.Session io) {
		if (io.tty()) {
			io.out().print("\r\033[K");
		}
	}

	private int remove(CommandLine c, ContainerCommands.Session io) throws Failure {
		String id = c.param(0);
		try {
			installer.remove(id);
			io.out().println("removed " + id);
			return OK;
		} catch (InstallException e) {
			throw failure(e);
		}
	}

	// ---------------------------------------------------------------- config

	private int configGet(CommandLine c, ContainerCommands.Session io) throws UsageException, Failure {
		ContainerConfig cfg = configOf(c.param(0));
		if (c.param(1) != null) {
			io.out().println(ConfigKeys.value(cfg, ConfigKeys.key(c.param(1))));
		} else {
			for (String k : Commands.CONFIG_KEYS) {
				io.out().println(k + " = " + ConfigKeys.value(cfg, k));
			}
		}
		return OK;
	}

	private int configSet(CommandLine c, ContainerCommands.Session io) throws UsageException, Failure {
		ContainerConfig cfg = configOf(c.param(0));
		String key = ConfigKeys.key(c.param(1));
		String value = c.param(2);
		ConfigKeys.with(cfg, key, value); // refuses a bad value before anything is written
		ContainerConfig next;
		try {
			// On the entry as the file holds it now: a hand edit of another field survives.
			next = containers.update(cfg.id(), now -> {
				try {
					return ConfigKeys.with(now, key, value);
				} catch (UsageException e) {
					throw new IllegalArgumentException(e.getMessage(), e);
				}
			}).orElseThrow(() -> new Failure(NOT_FOUND, "no managed container has the id \"" + cfg.id() + "\""));
		} catch (ConfigException | IllegalArgumentException e) {
			throw new Failure(FAILED, e.getMessage());
		}
		io.out().println(cfg.id() + ": " + key + " = " + ConfigKeys.value(next, key));
		return OK;
	}

	private ContainerConfig configOf(String id) throws Failure {
		return containers.container(id).orElseThrow(() -> new Failure(NOT_FOUND, "no managed container has the id \"" + id + "\""));
	}
}
