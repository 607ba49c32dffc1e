package cc.container.remote.internal;

import cc.container.util.AtomicFiles;
import cc.container.util.json.Json;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The messages a device has yet to see acknowledged by the broker, in order, on disk: one JSON line each in
 * {@code outbox.jsonl}, and in {@code outbox.pos} how far the broker acknowledged. Everything a device publishes goes
 * through it, so that a broker away (for minutes, or while the daemon restarts) loses nothing but what the bound drops:
 * past {@code bound} bytes unsent, what matters least goes first: expendable messages (telemetry) and retained ones a
 * later message on the same topic replaces, oldest first; only then the oldest of the rest (events, answers). How many
 * went is counted. The file is emptied each
 * time the broker has acknowledged all of it, so that it stays small while the broker is there. A line torn by a power
 * cut is skipped when read.
 *
 * <p>Not thread-safe: the remote link's one thread uses it.
 */
final class Outbox {
	/**
	 * One message to publish.
	 *
	 * @param expendable whether it goes before the others when the bound is reached (telemetry: the next sample tells
	 *        nearly as much)
	 */
	record Message(String topic, boolean retained, String payload, boolean expendable) {
		Message(String topic, boolean retained, String payload) {
			this(topic, retained, payload, false);
		}
	}

	/** Messages read from {@link #next}, and the position after the last of them. */
	record Batch(List<Message> messages, long end) {
	}

	/**
	 * The longest line kept: one read of {@link #next} takes it whole. Commands' answers are kept well below it (their
	 * output is cut at 32 KiB, with no control characters, so even escaped twice it fits).
	 */
	static final int MAX_LINE = 256 << 10;

	private final Path file;
	private final Path posFile;
	private final long bound;
	/** The end of the file. */
	private long size;
	/** Where the first unacknowledged message starts. */
	private long pos;
	/** The position {@code outbox.pos} holds. */
	private long persisted = -1;
	/** Messages dropped at the bound since the last {@link #takeDropped()}. */
	private long dropped;

	Outbox(Path dir, long bound) throws IOException {
		this.file = dir.resolve("outbox.jsonl");
		this.posFile = dir.resolve("outbox.pos");
		this.bound = bound;
		if (!Files.exists(file)) {
			Files.createFile(file, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(AtomicFiles.OWNER_ONLY));
		}
		size = Files.size(file);
		if (size > 0) {
			// A message torn by a power cut (no line end) is cut off, so that the next one does not join it.
			long end = lastLineEnd();
			if (end < size) {
				try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
					f.setLength(end);
				}
				size = end;
			}
		}
		try {
			pos = Math.min(size, Math.max(0, Long.parseLong(Files.readString(posFile).trim())));
			persisted = pos;
		} catch (IOException | NumberFormatException e) {
			pos = 0;
		}
	}

	/** Adds a message at the end; drops the oldest while more than the bound waits. */
	void add(Message m) throws IOException {
		Map<String, Object> line = new LinkedHashMap<>();
		line.put("t", m.topic());
		if (m.retained()) {
			line.put("r", true);
		}
		if (m.expendable()) {
			line.put("x", true);
		}
		line.put("p", m.payload());
		byte[] bytes = (Json.writeCompact(line) + "\n").getBytes(StandardCharsets.UTF_8);
		if (bytes.length > bound || bytes.length > MAX_LINE) {
			dropped++; // larger than the whole buffer, or than a line may be
			return;
		}
		// The file never holds more than the bound: room is made before the message is written.
		if (size + bytes.length > bound) {
			if (size - pos + bytes.length > bound) {
				makeRoom(bytes.length);
			} else {
				compact(pos); // only what the broker has already acknowledged goes
			}
		}
		try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
			f.seek(size);
			f.write(bytes);
		}
		size += bytes.length;
	}

	/** The position just after the file's last line end (0 when it has none). */
	private long lastLineEnd() throws IOException {
		try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "r")) {
			long at = size;
			byte[] buf = new byte[8192];
			while (at > 0) {
				int n = (int) Math.min(buf.length, at);
				f.seek(at - n);
				f.readFully(buf, 0, n);
				for (int i = n - 1; i >= 0; i--) {
					if (buf[i] == '\n') {
						return at - n + i + 1;
					}
				}
				at -= n;
			}
			return 0;
		}
	}

	/** Bytes waiting. */
	long pending() {
		return size - pos;
	}

	/** Takes the count of messages dropped at the bound since the last call. */
	long takeDropped() {
		long d = dropped;
		dropped = 0;
		return d;
	}

	/** Up to {@code max} messages from {@code from} (a position {@link #position()} or a batch's end gave). */
	Batch next(long from, int max) throws IOException {
		List<Message> out = new ArrayList<>();
		long at = Math.max(from, pos);
		if (at >= size) {
			return new Batch(out, at);
		}
		try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "r")) {
			f.seek(at);
			byte[] buf = new byte[(int) Math.min(size - at, MAX_LINE)];
			f.readFully(buf);
			int start = 0;
			for (int i = 0; i < buf.length && out.size() < max; i++) {
				if (buf[i] != '\n') {
					continue;
				}
				Message m = parse(new String(buf, start, i - start, StandardCharsets.UTF_8));
				if (m != null) {
					out.add(m);
				}
				start = i + 1;
			}
			if (start == 0 && buf.length == MAX_LINE) {
				// a line longer than any message written: not one of ours; skip it
				start = buf.length;
			}
			return new Batch(out, at + start);
		}
	}

	/** Where the unacknowledged messages start. */
	long position() {
		return pos;
	}

	/** The broker acknowledged everything before {@code end}. */
	void acknowledge(long end) throws IOException {
		pos = Math.max(pos, Math.min(end, size));
		if (pos == size) {
			// All sent: start the file over, so that it never grows while the broker is there.
			try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
				f.setLength(0);
			}
			size = 0;
			pos = 0;
		}
		if (pos != persisted) {
			// Only when it changed: while the broker is there, the file empties at each acknowledgement and the
			// position stays 0, so that a device's flash is not written once a second.
			AtomicFiles.write(posFile, Long.toString(pos).getBytes(StandardCharsets.US_ASCII), AtomicFiles.OWNER_ONLY);
			persisted = pos;
		}
	}

	/**
	 * Drops whole waiting messages until, with {@code incoming} bytes more, at most nine tenths of the bound would wait:
	 * first the expendable ones and the retained ones a later message on the same topic replaces, oldest first; then, if
	 * that is not enough, the oldest of the rest. Three passes over the file, each streamed: memory stays flat whatever
	 * the bound, and this runs once per tenth of the bound.
	 */
	private void makeRoom(long incoming) throws IOException {
		long need = size - pos + incoming - bound * 9 / 10;
		// Pass 1: the last retained message of each topic, which nothing replaces.
		Map<String, Long> lastRetained = new HashMap<>();
		long[] index = {0};
		forEachWaitingLine((m, line) -> {
			if (m != null && m.retained()) {
				lastRetained.put(m.topic(), index[0]);
			}
			index[0]++;
		});
		// Pass 2: how far the droppable ones go, then how far the rest must.
		long[] freed = {0};
		long[] lastDroppable = {-1};
		long[] lastOfRest = {-1};
		index[0] = 0;
		forEachWaitingLine((m, line) -> {
			if (m == null || freed[0] >= need) {
				index[0]++;
				return;
			}
			if (droppable(m, index[0], lastRetained)) {
				freed[0] += line.length;
				lastDroppable[0] = index[0];
			}
			index[0]++;
		});
		if (freed[0] < need) {
			lastDroppable[0] = Long.MAX_VALUE; // all of them
			index[0] = 0;
			forEachWaitingLine((m, line) -> {
				if (m != null && !droppable(m, index[0], lastRetained) && freed[0] < need) {
					freed[0] += line.length;
					lastOfRest[0] = index[0];
				}
				index[0]++;
			});
		}
		// Pass 3: the file again without them (and without torn lines).
		Path tmp = file.resolveSibling(AtomicFiles.TEMP_PREFIX + file.getFileName());
		long[] gone = {0};
		try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING),
			64 << 10)) {
			index[0] = 0;
			forEachWaitingLine((m, line) -> {
				long i = index[0]++;
				if (m == null) {
					return;
				}
				if (droppable(m, i, lastRetained) ? i <= lastDroppable[0] : i <= lastOfRest[0]) {
					gone[0]++;
					return;
				}
				out.write(line);
			});
		}
		dropped += gone[0];
		replaceWith(tmp);
	}

	private static boolean droppable(Message m, long index, Map<String, Long> lastRetained) {
		return m.expendable() || m.retained() && lastRetained.get(m.topic()) > index;
	}

	/** What a pass over the waiting messages is told of each line: its message ({@code null} if torn) and its bytes. */
	private interface LineVisitor {
		void visit(Message m, byte[] line) throws IOException;
	}

	/** Reads the waiting lines in order, each with its line end. */
	private void forEachWaitingLine(LineVisitor v) throws IOException {
		try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 64 << 10)) {
			in.skipNBytes(pos);
			ByteArrayOutputStream line = new ByteArrayOutputStream(256);
			long at = pos;
			int c;
			while (at < size && (c = in.read()) >= 0) {
				at++;
				line.write(c);
				if (c == '\n') {
					byte[] bytes = line.toByteArray();
					v.visit(parse(new String(bytes, 0, bytes.length - 1, StandardCharsets.UTF_8)), bytes);
					line.reset();
				}
			}
		}
	}

	/** Rewrites the file from {@code from} on (streamed, then renamed into place) and makes that its start. */
	private void compact(long from) throws IOException {
		Path tmp = file.resolveSibling(AtomicFiles.TEMP_PREFIX + file.getFileName());
		try (InputStream in = Files.newInputStream(file);
			OutputStream out = Files.newOutputStream(tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING)) {
			in.skipNBytes(from);
			in.transferTo(out);
		}
		replaceWith(tmp);
	}

	/** Makes {@code tmp} the file, holding only waiting messages. */
	private void replaceWith(Path tmp) throws IOException {
		Files.setPosixFilePermissions(tmp, AtomicFiles.OWNER_ONLY);
		// The position first: a power cut between the two sends some messages twice, never skips one.
		AtomicFiles.write(posFile, "0".getBytes(StandardCharsets.US_ASCII), AtomicFiles.OWNER_ONLY);
		persisted = 0;
		Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
		size = Files.size(file);
		pos = 0;
	}

	private static Message parse(String line) {
		try {
			if (Json.parse(line.getBytes(StandardCharsets.UTF_8)) instanceof Map<?, ?> m && m.get("t") instanceof String t
				&& m.get("p") instanceof String p) {
				return new Message(t, Boolean.TRUE.equals(m.get("r")), p, Boolean.TRUE.equals(m.get("x")));
			}
		} catch (Json.SyntaxException e) {
			// a line torn by a power cut
		}
		return null;
	}
}
