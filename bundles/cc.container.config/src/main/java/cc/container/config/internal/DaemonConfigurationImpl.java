package cc.container.config.internal;

import cc.container.api.config.ConfigException;
import cc.container.api.config.DaemonConfig;
import cc.container.api.config.DaemonConfiguration;
import cc.container.api.config.ServiceSettings;
import cc.container.util.Bounded;
import cc.container.util.DaemonExit;
import cc.container.util.InstanceLock;
import cc.container.util.PrivateDir;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.log.Logger;
import org.osgi.service.log.LoggerFactory;

/**
 * Offers the daemon configuration named by the framework property {@value DaemonConfiguration#CONFIG_FILE_PROPERTY}
 * (default {@code /etc/cc-container-mng.conf}). An invalid file at start-up stops the daemon with the error and exit
 * status 2; an invalid file on reload leaves the last good configuration in force.
 *
 * <p>One daemon per working path: once the file is valid, and before any other component can touch the working path
 * (every one depends on this), the lock {@code <working_path>/run/cc-containerd.lock} is taken. A daemon that finds it
 * taken stops with exit status 1 and one sentence naming the holder, having changed nothing.
 */
@Component(service = DaemonConfiguration.class)
public final class DaemonConfigurationImpl implements DaemonConfiguration {
	/** Exit status of the daemon when its configuration is invalid at start-up. */
	static final int EXIT_INVALID_CONFIG = 2;
	/** Exit status of the daemon when another one runs on its working path. */
	static final int EXIT_ANOTHER_DAEMON = 1;
	/** The lock of the working path, in its private folder. */
	static final String LOCK = "cc-containerd.lock";
	/** The largest configuration file read. */
	static final int MAX_FILE = 1 << 20;

	private final Path file;
	private final Logger log;
	private final InstanceLock lock;
	private volatile DaemonConfig config;
	/** The file's content in force, to tell an edit that was not reloaded. */
	private volatile byte[] seen;
	/** Why the last reload left the previous configuration in force, or null. */
	private volatile String reloadFailure;
	/** Fields changed on disk that only a restart applies, or null. */
	private volatile String restartPending;

	/** Reads and validates the file; throws when it is invalid so that nothing depending on it starts. */
	@Activate
	public DaemonConfigurationImpl(BundleContext context, @Reference(service = LoggerFactory.class) Logger log) {
		this.log = log;
		String prop = context.getProperty(CONFIG_FILE_PROPERTY);
		this.file = prop == null || prop.isBlank() ? DaemonConfigParser.DEFAULT_FILE : Path.of(prop);
		try {
			this.config = read();
		} catch (ConfigException e) {
			String msg = "Invalid daemon configuration, the daemon stops: " + e.getMessage();
			log.error(msg);
			DaemonExit.exit(context, e.getMessage(), EXIT_INVALID_CONFIG);
			throw new IllegalStateException(e.getMessage(), e);
		}
		Path lockFile = config.service().runDir().resolve(LOCK);
		try {
			PrivateDir.ensure(config.service().runDir());
			this.lock = InstanceLock.take(lockFile);
		} catch (InstanceLock.Taken e) {
			String msg = "another cc-containerd (" + e.holder() + ") runs with the working path " + config.service().workingPath()
				+ "; reach it with containerctl; this one stops without changing anything";
			log.error("The daemon stops: {}.", msg);
			DaemonExit.exit(context, msg, EXIT_ANOTHER_DAEMON);
			throw new IllegalStateException(msg);
		} catch (IOException e) {
			String msg = "the working path " + config.service().workingPath() + " cannot be used: " + e.getMessage();
			log.error("The daemon stops: {}.", msg);
			DaemonExit.exit(context, msg, EXIT_INVALID_CONFIG);
			throw new IllegalStateException(msg, e);
		}
		log.info("Daemon configuration loaded from {}; containers live in {}.", file,
			config.service().workingPath());
	}

	/** Releases the working path's lock (the framework stops, or this bundle is replaced). */
	@Deactivate
	void deactivate() {
		lock.close();
	}

	@Override
	public DaemonConfig config() {
		return config;
	}

	/**
	 * Reads the file again. Logging, the intervals and timeouts, the runtimes' and the security settings take effect at
	 * once (every consumer reads {@link #config()} when it needs a value); the working path, the control socket and
	 * group, and the remote section only when the daemon restarts: until then they keep their values, and
	 * {@link #problem()} says so.
	 */
	@Override
	public synchronized DaemonConfig reload() throws ConfigException {
		DaemonConfig next;
		byte[] content;
		try {
			content = readBytes();
			next = parse(content);
		} catch (ConfigException e) {
			reloadFailure = e.getMessage();
			log.error("The daemon configuration was not reloaded, the last good one stays in force: {}", e.getMessage());
			throw e;
		}
		ServiceSettings now = config.service();
		ServiceSettings asked = next.service();
		List<String> held = new ArrayList<>();
		if (!asked.workingPath().equals(now.workingPath())) {
			held.add("service.working_path");
		}
		if (!asked.controlSocket().equals(now.controlSocket())) {
			held.add("service.control_socket");
		}
		if (!Objects.equals(asked.controlGroup(), now.controlGroup())) {
			held.add("service.control_group");
		}
		if (!next.remote().equals(config.remote())) {
			held.add("remote"); // remote management reads it as it starts
		}
		if (!held.isEmpty()) {
			restartPending = file + ": " + String.join(", ", held) + " changed; " + (held.size() == 1 ? "it takes" : "they take")
				+ " effect when the daemon restarts";
			log.warn("{}.", restartPending);
			// Until then they keep the values in force.
			next = new DaemonConfig(next.file(), new ServiceSettings(now.workingPath(), asked.monitorInterval(), asked.commandTimeout(),
				asked.podmanLoadTimeout(), now.controlSocket(), now.controlGroup(), asked.containerLogMaxSize()), next.logging(), next.runtimes(),
				next.security(), config.remote());
		} else {
			restartPending = null;
		}
		config = next;
		seen = content;
		reloadFailure = null;
		log.info("Daemon configuration reloaded from {}.", file);
		return config;
	}

	@Override
	public Optional<String> problem() {
		if (reloadFailure != null) {
			return Optional.of(file + " is not valid, the last good configuration stays in force: " + reloadFailure);
		}
		try {
			if (!Arrays.equals(readBytes(), seen)) {
				return Optional.of(file + " was edited after the daemon read it; containerctl daemon reload applies the edit");
			}
		} catch (ConfigException e) {
			return Optional.of(e.getMessage());
		}
		return Optional.ofNullable(restartPending);
	}

	private DaemonConfig read() throws ConfigException {
		byte[] content = readBytes();
		DaemonConfig c = parse(content);
		seen = content;
		return c;
	}

	private byte[] readBytes() throws ConfigException {
		try {
			return Bounded.read(file, MAX_FILE);
		} catch (NoSuchFileException e) {
			throw new ConfigException(file + ": the file does not exist (give another one with --config-file)");
		} catch (IOException e) {
			throw new ConfigException(file + ": cannot be read: " + e.getMessage(), e);
		}
	}

	private DaemonConfig parse(byte[] content) throws ConfigException {
		DaemonConfigParser.Result r = DaemonConfigParser.parse(file, content);
		r.warnings().forEach(log::warn);
		return r.config();
	}
}
