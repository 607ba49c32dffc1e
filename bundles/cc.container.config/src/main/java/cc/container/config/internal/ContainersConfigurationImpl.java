package cc.container.config.internal;

import cc.container.api.config.ConfigException;
import cc.container.api.config.ContainerConfig;
import cc.container.api.config.ContainersConfiguration;
import cc.container.api.config.DaemonConfiguration;
import cc.container.util.DaemonExit;
import java.util.List;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.log.Logger;
import org.osgi.service.log.LoggerFactory;

/**
 * Offers the containers configuration of {@code <working_path>/cc-containers.conf}. An invalid file at start-up
 * stops the daemon with the error (managing containers from a file the user did not mean is worse than not
 * starting); an invalid file on reload leaves the last good entries in force.
 */
@Component(service = ContainersConfiguration.class, immediate = true)
public final class ContainersConfigurationImpl extends StoreConfiguration {
	private final Logger log;

	/** Reads and validates the file. */
	@Activate
	public ContainersConfigurationImpl(BundleContext context, @Reference DaemonConfiguration daemon,
		@Reference(service = LoggerFactory.class) Logger log) {
		super(new ContainersStore(daemon.config().service().containersFile()));
		this.log = log;
		try {
			load().forEach(log::warn);
		} catch (ConfigException e) {
			log.error("Invalid containers configuration, the daemon stops: {}", e.getMessage());
			DaemonExit.exit(context, e.getMessage(), DaemonConfigurationImpl.EXIT_INVALID_CONFIG);
			throw new IllegalStateException(e.getMessage(), e);
		}
		log.info("{} managed container(s) configured in {}.", containers().size(), file());
	}

	@Override
	public void put(ContainerConfig container) throws ConfigException {
		List<String> warnings;
		try {
			warnings = putReporting(container);
		} catch (ConfigException e) {
			log.error("Container {} was not configured: {}", container.id(), e.getMessage());
			throw e;
		}
		warnings.forEach(log::warn);
		log.debug("Container {} configured: {}", container.id(), container);
	}

	@Override
	public boolean remove(String id) throws ConfigException {
		boolean removed = super.remove(id);
		if (removed) {
			log.debug("Container {} removed from {}.", id, file());
		}
		return removed;
	}

	@Override
	public List<ContainerConfig> reload() throws ConfigException {
		try {
			load().forEach(log::warn);
		} catch (ConfigException e) {
			log.error("The containers configuration was not reloaded, the last good one stays in force: {}", e.getMessage());
			throw e;
		}
		log.info("Containers configuration reloaded: {} container(s).", containers().size());
		return containers();
	}
}
