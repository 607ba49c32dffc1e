package cc.container.config.internal;

import cc.container.api.config.ConfigException;
import cc.container.api.config.ContainerConfig;
import cc.container.util.AtomicFiles;
import cc.container.util.Bounded;
import cc.container.util.json.Json;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The containers configuration file and its last good content. Writers are serialized; readers see an immutable
 * snapshot. A change is in force only once it is on disk.
 *
 * <p>Integrators edit the file by hand, so the store never writes over an edit it has not read: it remembers
 * the content it last read or wrote, and before each write it looks at the file again. An edit that is valid is
 * taken in first (the change is then made on top of it); an edit that is not valid stops the write with an error that
 * says so, and the file stays as the user left it.
 */
public final class ContainersStore {
	/** The largest file read: some thousands of containers. */
	static final int MAX_FILE = 1 << 20;
	private final Path file;
	private volatile List<ContainerConfig> containers = List.of();
	private Map<String, Object> document = newDocument();
	/**
	 * The content last read or written, or null when there was no file: the file is compared with it to tell an edit
	 * (bytes, not a digest: no message-digest provider on the daemon's start-up path, and the file is small).
	 */
	private byte[] seen;
	/** What the last look at the file found wrong with an edit, or null. */
	private volatile String invalidEdit;

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
		byte[] content = read();
		if (content == null) {
			document = newDocument();
			containers = List.of();
			seen = null;
			invalidEdit = null;
			return List.of();
		}
		ContainersParser.Result r;
		try {
			r = ContainersParser.parse(file.toString(), content);
		} catch (ConfigException e) {
			invalidEdit = e.getMessage();
			throw e;
		}
		document = r.document();
		containers = r.containers();
		seen = content;
		invalidEdit = null;
		return r.warnings();
	}

	/** The file's content, or null when there is none. */
	private byte[] read() throws ConfigException {
		try {
			return Bounded.read(file, MAX_FILE);
		} catch (NoSuchFileException e) {
			return null;
		} catch (IOException e) {
			throw new ConfigException(file + ": cannot be read: " + e.getMessage(), e);
		}
	}

	/**
	 * What keeps the file on disk from being what is in force, in one sentence, or null: it was edited after it was
	 * read, or its last reading found it invalid.
	 */
	public synchronized String problem() {
		byte[] content;
		try {
			content = read();
		} catch (ConfigException e) {
			return e.getMessage();
		}
		if (content == null ? seen == null : Arrays.equals(content, seen)) {
			return null;
		}
		if (invalidEdit != null) {
			return file + " was edited and is not valid, the last good entries stay in force: " + invalidEdit;
		}
		return file + " was edited after the daemon read it; containerctl daemon reload applies the edit";
	}

	/** Before a write: an edit made since the file was last read is taken in first, or stops the write when invalid. */
	private List<String> takeInEdits() throws ConfigException {
		byte[] content = read();
		if (content == null ? seen == null : Arrays.equals(content, seen)) {
			return List.of();
		}
		try {
			return load();
		} catch (ConfigException e) {
			throw new ConfigException(file + " was edited and is not valid, so the change was not written (fix the file, then run "
				+ "containerctl daemon reload): " + e.getMessage(), e);
		}
	}

	/**
	 * Adds or replaces an entry; the file is written before the change comes into force.
	 *
	 * @return the warnings of a hand edit that was taken in first (unknown fields), usually none
	 */
	public synchronized List<String> put(ContainerConfig c) throws ConfigException {
		List<String> warnings = takeInEdits();
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
		return warnings;
	}

	/**
	 * Changes the entry {@code id} as the file holds it now (an edit taken in first); the file is written before the
	 * change comes into force.
	 *
	 * @return the entry as written, or null when there is none
	 */
	public synchronized ContainerConfig update(String id, java.util.function.UnaryOperator<ContainerConfig> change) throws ConfigException {
		takeInEdits();
		ContainerConfig c = container(id).orElse(null);
		if (c == null) {
			return null;
		}
		ContainerConfig next = change.apply(c);
		put(next);
		return next;
	}

	/** Removes an entry; the file is written before the change comes into force. */
	public synchronized boolean remove(String id) throws ConfigException {
		takeInEdits();
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
		byte[] content = Json.write(doc);
		try {
			AtomicFiles.write(file, content);
		} catch (IOException e) {
			throw new ConfigException(file + ": cannot be written: " + Bounded.describe(e), e);
		}
		document = doc;
		containers = List.copyOf(entries);
		seen = content;
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
