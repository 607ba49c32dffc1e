package cc.container.config.internal;

import cc.container.api.config.ConfigException;
import cc.container.api.config.DaemonConfig;
import cc.container.api.config.DaemonConfiguration;
import cc.container.util.DaemonExit;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.log.Logger;
import org.osgi.service.log.LoggerFactory;

/**
 * Offers the daemon configuration named by the framework property {@value DaemonConfiguration#CONFIG_FILE_PROPERTY}
 * (default {@code /etc/cc-container-mng.conf}). An invalid file at start-up stops the daemon with the error and exit
 * status 2; an invalid file on reload leaves the last good configuration in force.
 */
@Component(service = DaemonConfiguration.class)
public final class DaemonConfigurationImpl implements DaemonConfiguration {
	/** Exit status of the daemon when its configuration is invalid at start-up. */
	static final int EXIT_INVALID_CONFIG = 2;

	private final Path file;
	private final Logger log;
	private volatile DaemonConfig config;

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
		log.info("Daemon configuration loaded from {}; containers live in {}.", file,
			config.service().workingPath());
	}

	@Override
	public DaemonConfig config() {
		return config;
	}

	@Override
	public synchronized DaemonConfig reload() throws ConfigException {
		try {
			config = read();
		} catch (ConfigException e) {
			log.error("The daemon configuration was not reloaded, the last good one stays in force: {}", e.getMessage());
			throw e;
		}
		log.info("Daemon configuration reloaded from {}.", file);
		return config;
	}

	private DaemonConfig read() throws ConfigException {
		byte[] content;
		try {
			content = Files.readAllBytes(file);
		} catch (NoSuchFileException e) {
			throw new ConfigException(file + ": the file does not exist (give another one with --config-file)");
		} catch (IOException e) {
			throw new ConfigException(file + ": cannot be read: " + e.getMessage(), e);
		}
		DaemonConfigParser.Result r = DaemonConfigParser.parse(file, content);
		r.warnings().forEach(log::warn);
		return r.config();
	}
}
