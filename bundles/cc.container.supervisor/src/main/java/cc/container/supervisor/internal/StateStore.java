package cc.container.supervisor.internal;

import cc.container.util.AtomicFiles;
import cc.container.util.json.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.osgi.service.log.Logger;

/**
 * state.json: read once at start, written whole and atomically (a crash leaves the old file or the new one) after a
 * change, at most one write per {@value #COALESCE_MS} ms however many containers change at once. A write that would
 * leave the file as it is (the same document, and the file still the one the last write made) is skipped: an idle poll
 * costs the flash nothing, and a file removed or edited by hand is written again at the next poll.
 */
final class StateStore {
	/** Changes within this many milliseconds make one write. */
	static final long COALESCE_MS = 50;
	/** The largest state.json read (a hand-made one may be anything). */
	static final int MAX_SIZE = 16 << 20;

	private final Path file;
	private final Logger log;
	private final ScheduledExecutorService timer;
	private final Executor writer;
	private final Supplier<Map<String, Object>> document;
	private final AtomicBoolean scheduled = new AtomicBoolean();
	private volatile boolean open = true;
	/** What the last write wrote (without its time), and the file it made (its identity, time and size); null: nothing yet. */
	private Map<String, Object> written;
	private BasicFileAttributes made;

	/** What a previous daemon left: its boot id (null when unknown) and its containers by id. */
	record Loaded(String bootId, Map<String, StateJson.Saved> containers) {
	}

	/**
	 * @param timer where a write waits out the coalescing delay
	 * @param writer where it runs
	 * @param document what it writes, taken when the write runs
	 */
	StateStore(Path file, Logger log, ScheduledExecutorService timer, Executor writer, Supplier<Map<String, Object>> document) {
		this.file = file;
		this.log = log;
		this.timer = timer;
		this.writer = writer;
		this.document = document;
	}

	/** Reads what the previous daemon left; an unreadable file is reported and counts as none. */
	static Loaded read(Path file, Logger log) {
		try {
			AtomicFiles.cleanStale(file.getParent());
			String[] bootId = new String[1];
			Map<String, StateJson.Saved> saved = StateJson.read(Json.parse(file, MAX_SIZE), bootId);
			return new Loaded(bootId[0], saved);
		} catch (NoSuchFileException e) {
			return new Loaded(null, Map.of());
		} catch (IOException | Json.SyntaxException e) {
			log.warn("{} cannot be read ({}); restart counters and desired states start afresh.", file, e.getMessage());
			return new Loaded(null, Map.of());
		}
	}

	/** Something in it changed: it is written within {@value #COALESCE_MS} ms. */
	void changed() {
		if (open && scheduled.compareAndSet(false, true)) {
			try {
				timer.schedule(() -> writer.execute(this::write), COALESCE_MS, TimeUnit.MILLISECONDS);
			} catch (RejectedExecutionException e) {
				scheduled.set(false);
			}
		}
	}

	/** Writes it now, unless the file already holds what it would write. */
	synchronized void write() {
		scheduled.set(false);
		Map<String, Object> doc = document.get();
		Map<String, Object> content = StateJson.content(doc);
		try {
			if (content.equals(written) && unchanged()) {
				return;
			}
			AtomicFiles.write(file, Json.write(doc));
			written = content;
			made = Files.readAttributes(file, BasicFileAttributes.class);
		} catch (IOException e) {
			written = null;
			log.error("{} cannot be written: {}", file, e.getMessage());
		}
	}

	/** Whether the file is still the one the last write made. */
	private boolean unchanged() {
		try {
			BasicFileAttributes now = Files.readAttributes(file, BasicFileAttributes.class);
			return Objects.equals(now.fileKey(), made.fileKey()) && now.lastModifiedTime().equals(made.lastModifiedTime()) && now.size() == made.size();
		} catch (IOException e) {
			return false;
		}
	}

	/** No more writes after a change; {@link #write()} still writes. */
	void close() {
		open = false;
	}

	Path file() {
		return file;
	}
}
