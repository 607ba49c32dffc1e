package cc.container.api.config;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.osgi.annotation.versioning.ProviderType;

/**
 * The containers configuration ({@code <working_path>/cc-containers.conf}): one entry per managed container. Every
 * change is written to disk atomically before the call returns; fields of an entry that this version does not know
 * are kept as they were.
 */
@ProviderType
public interface ContainersConfiguration {

	/** The file the entries are kept in. */
	Path file();

	/** Every entry, in the order of the file. */
	List<ContainerConfig> containers();

	/** The entry with this id, if there is one. */
	Optional<ContainerConfig> container(String id);

	/**
	 * Adds an entry, or replaces the one with the same id, and writes the file.
	 *
	 * @throws ConfigException when the file cannot be written; nothing changed then
	 */
	void put(ContainerConfig container) throws ConfigException;

	/**
	 * Changes the entry with this id as {@code change} says, on the entry as the file holds it now (a hand edit made
	 * since the file was read is taken in first, so that a change of one field never undoes an edit of another), and
	 * writes the file.
	 *
	 * @return the entry as written, or empty when there is no such entry
	 * @throws ConfigException when the file cannot be written, or was edited and is not valid; nothing changed then
	 */
	default Optional<ContainerConfig> update(String id, java.util.function.UnaryOperator<ContainerConfig> change) throws ConfigException {
		Optional<ContainerConfig> c = container(id);
		if (c.isEmpty()) {
			return c;
		}
		ContainerConfig next = change.apply(c.get());
		put(next);
		return Optional.of(next);
	}

	/**
	 * Removes the entry with this id and writes the file.
	 *
	 * @return whether there was such an entry
	 * @throws ConfigException when the file cannot be written; nothing changed then
	 */
	boolean remove(String id) throws ConfigException;

	/**
	 * Reads the file again (after a user edited it). When it is valid its entries come into force and are returned;
	 * when it is not, the last good entries stay in force and the exception says what is wrong.
	 */
	List<ContainerConfig> reload() throws ConfigException;

	/**
	 * What is wrong with the file on disk, in one sentence, or empty when what is in force is what the file says: it
	 * was edited after it was read (and not reloaded), or an edit made it invalid (the last good entries stay in force).
	 */
	default Optional<String> problem() {
		return Optional.empty();
	}
}
