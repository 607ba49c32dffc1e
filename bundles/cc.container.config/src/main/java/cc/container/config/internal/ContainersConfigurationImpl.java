package cc.container.config.internal;

import cc.container.api.ConfigException;
import cc.container.api.ContainerConfig;
import cc.container.api.ContainersConfiguration;
import cc.container.api.DaemonConfiguration;
import cc.container.util.DaemonExit;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
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
public final class ContainersConfigurationImpl implements ContainersConfiguration {
	private final ContainersStore store;
	private final Logger log;

	/** Reads and validates the file. */
	@Activate
	public ContainersConfigurationImpl(BundleContext context, @Reference DaemonConfiguration daemon,
		@Reference(service = LoggerFactory.class) Logger log) {
		this.log = log;
		this.store = new ContainersStore(daemon.config().service().containersFile());
		try {
			store.load().forEach(log::warn);
		} catch (ConfigException e) {
			log.error("Invalid containers configuration, the daemon stops: {}", e.getMessage());
			DaemonExit.exit(context, e.getMessage(), DaemonConfigurationImpl.EXIT_INVALID_CONFIG);
			throw new IllegalStateException(e.getMessage(), e);
		}
		log.info("{} managed container(s) configured in {}.", store.containers().size(), store.file());
	}

	@Override
	public Path file() {
		return store.file();
	}

	@Override
	public List<ContainerConfig> containers() {
		return store.containers();
	}

	@Override
	public Optional<ContainerConfig> container(String id) {
		return store.container(id);
	}

	@Override
	public void put(ContainerConfig container) throws ConfigException {
		store.put(container);
		log.debug("Container {} configured: {}", container.id(), container);
	}

	@Override
	public boolean remove(String id) throws ConfigException {
		boolean removed = store.remove(id);
		if (removed) {
			log.debug("Container {} removed from {}.", id, store.file());
		}
		return removed;
	}

	@Override
	public List<ContainerConfig> reload() throws ConfigException {
		try {
			store.load().forEach(log::warn);
		} catch (ConfigException e) {
			log.error("The containers configuration was not reloaded, the last good one stays in force: {}", e.getMessage());
			throw e;
		}
		log.info("Containers configuration reloaded: {} container(s).", store.containers().size());
		return store.containers();
	}
}
