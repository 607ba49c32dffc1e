package cc.container.config.internal;

import cc.container.api.config.ConfigException;
import cc.container.api.config.ContainerConfig;
import cc.container.api.config.ContainersConfiguration;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The containers configuration of one file. Without a framework it serves tests, benchmarks and tools of the project;
 * the daemon's component ({@link ContainersConfigurationImpl}) is this with logging and the start-up rules.
 */
public class StoreConfiguration implements ContainersConfiguration {
	private final ContainersStore store;

	/** Reads {@code file} (a missing file means no containers). */
	public StoreConfiguration(Path file) throws ConfigException {
		this(new ContainersStore(file));
		store.load();
	}

	/** Over {@code store}, which the caller loads. */
	StoreConfiguration(ContainersStore store) {
		this.store = store;
	}

	/** Reads the file again; returns the warnings (unknown fields). */
	List<String> load() throws ConfigException {
		return store.load();
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
	}

	@Override
	public Optional<ContainerConfig> update(String id, java.util.function.UnaryOperator<ContainerConfig> change) throws ConfigException {
		return Optional.ofNullable(store.update(id, change));
	}

	@Override
	public Optional<String> problem() {
		return Optional.ofNullable(store.problem());
	}

	/** Adds or replaces an entry, returning the warnings of a hand edit taken in first. */
	List<String> putReporting(ContainerConfig container) throws ConfigException {
		return store.put(container);
	}

	@Override
	public boolean remove(String id) throws ConfigException {
		return store.remove(id);
	}

	@Override
	public List<ContainerConfig> reload() throws ConfigException {
		store.load();
		return store.containers();
	}
}
