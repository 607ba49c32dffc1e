package cc.container.shell.internal;

import cc.container.api.BundleUpgrades;
import cc.container.api.Installer;
import cc.container.api.LogControl;
import cc.container.api.Supervisor;
import cc.container.api.command.ContainerCommands;
import cc.container.api.config.ContainersConfiguration;
import cc.container.api.config.DaemonConfiguration;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.felix.service.command.Descriptor;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * The {@code container:*} commands of the Gogo shell, and the {@link ContainerCommands} service that the control
 * socket runs for {@code containerctl}: one implementation ({@link Cli}), so both give the same output and exit
 * status. In the Gogo shell an error is printed on standard error, as containerctl prints it.
 */
@Component(service = { ContainerCommands.class, ShellCommands.class }, property = { "osgi.command.scope=container",
	"osgi.command.function=list", "osgi.command.function=status", "osgi.command.function=start", "osgi.command.function=stop",
	"osgi.command.function=restart", "osgi.command.function=install", "osgi.command.function=update", "osgi.command.function=remove",
	"osgi.command.function=logs", "osgi.command.function=stats", "osgi.command.function=config", "osgi.command.function=history",
	"osgi.command.function=dcp", "osgi.command.function=daemon", "osgi.command.function=bundle" })
public final class ShellCommands implements ContainerCommands {
	private final Cli cli;

	/** The commands over the manager's services. */
	@Activate
	public ShellCommands(@Reference DaemonConfiguration daemon, @Reference Supervisor supervisor, @Reference Installer installer, @Reference ContainersConfiguration containers,
		@Reference LogControl logControl, @Reference BundleUpgrades upgrades) {
		this.cli = new Cli(daemon, supervisor, installer, containers, logControl, upgrades);
	}

	@Override
	public int execute(List<String> args, Session session) {
		return cli.run(args, session);
	}

	private void gogo(String command, String[] args) {
		List<String> all = new ArrayList<>();
		all.add(command);
		all.addAll(Arrays.asList(args));
		PrintStream out = System.out; // the Gogo session's, per thread
		PrintStream err = System.err;
		// root: the Gogo shell is the console of the daemon that root started (cc-containerd --shell)
		cli.run(all, Session.of(out, err, false, true, () -> Thread.currentThread().isInterrupted()));
	}

	@Descriptor("list the managed containers: ID, NAME, RUNTIME, VERSION, STATUS, UPTIME, RESTARTS, AUTOSTART")
	public void list(@Descriptor("[--json]") String... args) {
		gogo("list", args);
	}

	@Descriptor("everything state.json knows of a container")
	public void status(@Descriptor("<id> [--json]") String... args) {
		gogo("status", args);
	}

	@Descriptor("start a container")
	public void start(@Descriptor("<id>") String... args) {
		gogo("start", args);
	}

	@Descriptor("stop a container; it stays stopped until started")
	public void stop(@Descriptor("<id> [-t SECONDS]") String... args) {
		gogo("stop", args);
	}

	@Descriptor("stop and start a container")
	public void restart(@Descriptor("<id> [-t SECONDS]") String... args) {
		gogo("restart", args);
	}

	@Descriptor("install a package")
	public void install(@Descriptor("<file.dcp> [--no-start] [--id ID]") String... args) {
		gogo("install", args);
	}

	@Descriptor("replace an installed container with a newer package; rolls back when it fails")
	public void update(@Descriptor("<file.dcp> [--force] [--id ID]") String... args) {
		gogo("update", args);
	}

	@Descriptor("remove a container")
	public void remove(@Descriptor("<id>") String... args) {
		gogo("remove", args);
	}

	@Descriptor("a container's logs")
	public void logs(@Descriptor("<id> [--tail N] [-f]") String... args) {
		gogo("logs", args);
	}

	@Descriptor("statistics of the containers")
	public void stats(@Descriptor("[<id>] [--json]") String... args) {
		gogo("stats", args);
	}

	@Descriptor("get or set a container's autostart, monitor, friendly_name, restart.*")
	public void config(@Descriptor("get <id> [<key>] | set <id> <key> <value>") String... args) {
		gogo("config", args);
	}

	@Descriptor("a container's restart history")
	public void history(@Descriptor("<id> [--json]") String... args) {
		gogo("history", args);
	}

	@Descriptor("make or check a package")
	public void dcp(@Descriptor("build --manifest M --payload P [--output-dir D] [--readme F] [--changelog F] [--file-name dcp|artifact] | inspect <file.dcp> | keygen <name> [--algorithm ed25519|ecdsa-p256] | sign <file.dcp> --key K | verify <file.dcp> [--keys D] [--key K]") String... args) {
		gogo("dcp", args);
	}

	@Descriptor("the daemon's status, its log level, a reload of its configuration, or the shutdown stop")
	public void daemon(@Descriptor("status [--json] | log-level <level> | reload | stop-managed") String... args) {
		gogo("daemon", args);
	}

	@Descriptor("field upgrade of one bundle: list them, replace one with a jar, or put back what an upgrade replaced")
	public void bundle(@Descriptor("list [--json] | update <jar> [--timeout SECONDS] | rollback <symbolic-name> [--timeout SECONDS]") String... args) {
		gogo("bundle", args);
	}
}
