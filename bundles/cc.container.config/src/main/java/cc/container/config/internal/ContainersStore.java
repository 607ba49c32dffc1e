package cc.container.config.internal;

import cc.container.api.config.ConfigException;
import cc.container.api.config.ContainerConfig;
import cc.container.util.AtomicFiles;
import cc.container.util.json.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The containers configuration file and its last good content. Writers are serialized; readers see an immutable
 * snapshot. A change is in force only once it is on disk.
 */
public final class ContainersStore {
	private final Path file;
	private volatile List<ContainerConfig> containers = List.of();
	private Map<String, Object> document = newDocument();

	/** A store for {@code file}; nothing is read before {@link #load()}. */
	public ContainersStore(Path file) {
		this.file = file;
	}

	/** The file the entries are kept in. */
	public Path file() {
		return file;
	}

	/** The entries in force, in file order. */
	public List<ContainerConfig> containers() {
		return containers;
	}

	/** The entry with this id. */
	public Optional<ContainerConfig> container(String id) {
		return containers.stream().filter(c -> c.id().equals(id)).findFirst();
	}

	/**
	 * Reads the file. A missing file means no containers. When the file is invalid, what was in force stays.
	 *
	 * @return the warnings (unknown fields)
	 */
	public synchronized List<String> load() throws ConfigException {
		byte[] content;
		try {
			content = Files.readAllBytes(file);
		} catch (NoSuchFileException e) {
			document = newDocument();
			containers = List.of();
			return List.of();
		} catch (IOException e) {
			throw new ConfigException(file + ": cannot be read: " + e.getMessage(), e);
		}
		ContainersParser.Result r = ContainersParser.parse(file.toString(), content);
		document = r.document();
		containers = r.containers();
		return r.warnings();
	}

	/** Adds or replaces an entry; the file is written before the change comes into force. */
	public synchronized void put(ContainerConfig c) throws ConfigException {
		List<Object> raw = rawEntries();
		List<Object> next = new ArrayList<>(raw.size() + 1);
		List<ContainerConfig> nextList = new ArrayList<>(containers.size() + 1);
		boolean replaced = false;
		for (int i = 0; i < containers.size(); i++) {
			ContainerConfig old = containers.get(i);
			if (old.id().equals(c.id())) {
				next.add(ContainersParser.merge(asMap(raw.get(i)), c));
				nextList.add(c);
				replaced = true;
			} else {
				next.add(raw.get(i));
				nextList.add(old);
			}
		}
		if (!replaced) {
			next.add(ContainersParser.merge(null, c));
			nextList.add(c);
		}
		commit(next, nextList);
	}

	/** Removes an entry; the file is written before the change comes into force. */
	public synchronized boolean remove(String id) throws ConfigException {
		List<Object> raw = rawEntries();
		List<Object> next = new ArrayList<>(raw.size());
		List<ContainerConfig> nextList = new ArrayList<>(containers.size());
		boolean removed = false;
		for (int i = 0; i < containers.size(); i++) {
			if (containers.get(i).id().equals(id)) {
				removed = true;
			} else {
				next.add(raw.get(i));
				nextList.add(containers.get(i));
			}
		}
		if (removed) {
			commit(next, nextList);
		}
		return removed;
	}

	private void commit(List<Object> rawEntries, List<ContainerConfig> entries) throws ConfigException {
		Map<String, Object> doc = new LinkedHashMap<>(document);
		doc.put("containers", rawEntries);
		try {
			AtomicFiles.write(file, Json.write(doc));
		} catch (IOException e) {
			throw new ConfigException(file + ": cannot be written: " + e.getMessage(), e);
		}
		document = doc;
		containers = List.copyOf(entries);
	}

	@SuppressWarnings("unchecked")
	private List<Object> rawEntries() {
		return (List<Object>) document.get("containers");
	}

	@SuppressWarnings("unchecked")
	private static Map<String, Object> asMap(Object o) {
		return (Map<String, Object>) o;
	}

	private static Map<String, Object> newDocument() {
		Map<String, Object> doc = new LinkedHashMap<>();
		doc.put("containers", new ArrayList<>());
		return doc;
	}
}
