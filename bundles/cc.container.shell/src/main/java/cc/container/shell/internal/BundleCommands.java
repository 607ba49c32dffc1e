package cc.container.shell.internal;

import cc.container.api.BundleInfo;
import cc.container.api.BundleUpgrades;
import cc.container.api.UpgradeException;
import cc.container.api.command.ContainerCommands;
import cc.container.util.command.CommandLine.UsageException;
import cc.container.util.command.CommandLine;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code bundle list | update | rollback}: field upgrades of one bundle. */
final class BundleCommands {
	private final BundleUpgrades upgrades;

	BundleCommands(BundleUpgrades upgrades) {
		this.upgrades = upgrades;
	}

	int run(CommandLine c, ContainerCommands.Session io) throws UsageException, Cli.Failure {
		if (!c.spec().name().equals("bundle list") && !io.root()) {
			// Loading code into the root daemon is root's alone: the control group may drive containers, not this.
			throw new Cli.Failure(Cli.NOT_PERMITTED, "not permitted: only root may " + c.spec().name() + " (it loads code into the daemon)");
		}
		switch (c.spec().name()) {
			case "bundle update": {
				Duration settle = Duration.ofSeconds(c.number("--timeout", (int) BundleUpgrades.DEFAULT_SETTLE.toSeconds(), 1, 3600));
				try {
					BundleInfo b = upgrades.update(Path.of(c.param(0)), settle, Cli.progress(io));
					Cli.endProgress(io);
					io.out().println("updated " + b.symbolicName() + " to " + b.version() + " (was " + b.replaced().get(b.replaced().size() - 1)
						+ "): " + b.state());
					return Cli.OK;
				} catch (UpgradeException e) {
					Cli.endProgress(io);
					throw Cli.failure(e);
				}
			}
			case "bundle rollback": {
				Duration settle = Duration.ofSeconds(c.number("--timeout", (int) BundleUpgrades.DEFAULT_SETTLE.toSeconds(), 1, 3600));
				try {
					BundleInfo b = upgrades.rollback(c.param(0), settle, Cli.progress(io));
					Cli.endProgress(io);
					io.out().println("rolled back " + b.symbolicName() + " to " + b.version() + (b.upgraded() ? "" : " (shipped)") + ": " + b.state());
					return Cli.OK;
				} catch (UpgradeException e) {
					Cli.endProgress(io);
					throw Cli.failure(e);
				}
			}
			default: {
				List<BundleInfo> all = upgrades.list();
				if (c.has("--json")) {
					List<Object> list = new ArrayList<>();
					all.forEach(b -> list.add(json(b)));
					Cli.json(io, list);
					return Cli.OK;
				}
				Table t = new Table("ID", "SYMBOLIC-NAME", "VERSION", "STATE", "UPGRADED");
				for (BundleInfo b : all) {
					t.row(Long.toString(b.id()), b.symbolicName(), b.version(), b.state(), b.upgraded()
						? "yes (shipped " + (b.shippedVersion() == null ? "unknown" : b.shippedVersion()) + ")" : "no");
				}
				t.print(io.out());
				return Cli.OK;
			}
		}
	}

	static Map<String, Object> json(BundleInfo b) {
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
