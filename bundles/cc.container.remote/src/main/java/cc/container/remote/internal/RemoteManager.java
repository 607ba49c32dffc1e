package cc.container.remote.internal;

import cc.container.api.DaemonReport;
import cc.container.api.Supervisor;
import cc.container.api.command.ContainerCommands;
import cc.container.api.config.DaemonConfiguration;
import cc.container.api.config.RemoteSettings;
import cc.container.util.PrivateDir;
import cc.container.util.json.ReportJson;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.log.Logger;
import org.osgi.service.log.LoggerFactory;

/**
 * Remote management over MQTT (docs/remote.md), off unless the daemon configuration's {@code remote.enabled}: the
 * device connects to its broker, publishes its birth, each container's state, telemetry and events, and runs the
 * commands its fleet sends. A bundle of its own, so that it can be upgraded in the field like a driver: the new one
 * reconnects, and the containers do not notice. The {@code remote} section is read when the component starts; a
 * reload keeps the one in force until the daemon restarts.
 */
@Component(immediate = true)
public final class RemoteManager {
	/** The machine's id, the device's default client id. */
	static final Path MACHINE_ID = Path.of("/etc/machine-id");

	private final Link link;

	/** Connects when remote management is on. */
	@Activate
	public RemoteManager(@Reference DaemonConfiguration config, @Reference Supervisor supervisor, @Reference ContainerCommands commands,
		@Reference(service = LoggerFactory.class) Logger log, BundleContext context) throws IOException {
		RemoteSettings s = config.config().remote();
		if (!s.enabled()) {
			link = null;
			return;
		}
		String device = s.clientId() != null ? s.clientId() : machineId();
		Path dir = PrivateDir.ensure(config.config().service().workingPath().resolve("remote"));
		Path downloads = PrivateDir.ensure(dir.resolve("downloads"));
		try (Stream<Path> left = Files.list(downloads)) {
			for (Path p : left.toList()) {
				Files.deleteIfExists(p); // a download a crash left behind
			}
		}
		// Asked at each download: a reload may change whether signatures are required (remote.* waits for a restart).
		java.util.function.BooleanSupplier http = () -> s.allowHttpDownloads() || config.config().security().requireSignedPackages();
		link = new Link(s, device, dir, supervisor, new CommandDesk(commands, downloads, device, http), () -> birth(device, s, supervisor, context),
			log);
		link.start();
	}

	@Deactivate
	void close() {
		if (link != null) {
			link.close();
		}
	}

	/** The retained birth message: who the device is and what it runs. */
	static Map<String, Object> birth(String device, RemoteSettings s, Supervisor supervisor, BundleContext context) {
		DaemonReport d = supervisor.daemon();
		Map<String, Object> m = new LinkedHashMap<>();
		m.put("online", true);
		m.put("device", device);
		m.put("version", d.version());
		m.put("boot_id", d.bootId());
		m.put("daemon_started_at", ReportJson.time(d.startedAt()));
		m.put("at", ReportJson.time(Instant.now()));
		m.put("labels", s.labels());
		Map<String, Object> bundles = new LinkedHashMap<>();
		for (Bundle b : context.getBundles()) {
			if (b.getSymbolicName() != null && b.getBundleId() != 0) {
				bundles.put(b.getSymbolicName(), b.getVersion().toString());
			}
		}
		m.put("bundles", bundles);
		return m;
	}

	/** {@code /etc/machine-id}, else the host name: an id that stays the same across restarts. */
	static String machineId() {
		try {
			String id = Files.readString(MACHINE_ID).strip();
			if (id.matches("[A-Za-z0-9_.:-]{1,64}")) {
				return id;
			}
		} catch (IOException e) {
			// no systemd
		}
		try {
			return InetAddress.getLocalHost().getHostName().replaceAll("[^A-Za-z0-9_.:-]", "_");
		} catch (IOException e) {
			return "device";
		}
	}
}
