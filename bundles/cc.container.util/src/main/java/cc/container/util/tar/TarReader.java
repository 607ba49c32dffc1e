package cc.container.util.tar;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

/**
 * Reads a tar stream member by member: ustar, GNU (long names, base-256 numbers) and PAX (per-member and global
 * headers). It streams: nothing but the current header is held in memory, and {@link #content()} reads the current
 * member's bytes. Malformed input is an {@link IOException} that says what is wrong.
 *
 * <p>The project reads untrusted packages with it; it is deliberately small and strict rather than forgiving. What
 * a header may hold is bounded, so that no archive, however made, costs more than a few hundred KiB of heap: one
 * extended header (PAX or GNU long name) at most {@value #MAX_META} bytes, at most {@value #MAX_CHAIN} of them before
 * a member, global PAX records at most {@value #MAX_GLOBAL} bytes in all, names and link targets at most
 * {@value #MAX_NAME} bytes.
 */
public final class TarReader implements AutoCloseable {
	private static final int BLOCK = 512;
	/** The largest extended header (PAX record set or GNU long name) accepted. */
	static final int MAX_META = 64 << 10;
	/** The most extended headers in a row before a member. */
	static final int MAX_CHAIN = 8;
	/** The most bytes of global PAX records kept over the whole archive. */
	static final int MAX_GLOBAL = 64 << 10;
	/** The longest member name or link target (Linux's PATH_MAX). */
	static final int MAX_NAME = 4096;
	private final InputStream in;
	private final byte[] header = new byte[BLOCK];
	private final Map<String, String> globalPax = new HashMap<>();
	private int globalBytes;
	private long remaining;
	private long padding;
	private boolean done;

	/** A reader of the (already decompressed) tar stream {@code in}. */
	public TarReader(InputStream in) {
		this.in = in;
	}

	/** The next member, or {@code null} at the end of the archive. Skips what is left of the current member. */
	public TarEntry next() throws IOException {
		if (done) {
			return null;
		}
		skip(remaining + padding);
		remaining = 0;
		padding = 0;
		String longName = null;
		String longLink = null;
		Map<String, String> pax = new HashMap<>(globalPax);
		int chain = 0;
		while (true) {
			if (!readBlock(header)) {
				throw new IOException("the archive ends without its end-of-archive marker (truncated?)");
			}
			if (isZero(header)) {
				done = true;
				return null;
			}
			verifyChecksum();
			char flag = (char) header[156];
			long size = number(124, 12, "size");
			if (flag == 'L' || flag == 'K' || flag == 'x' || flag == 'g') {
				if (size > MAX_META) {
					throw new UnsafeArchiveException("an extended header of " + size + " bytes is too large (at most " + MAX_META + ")");
				}
				if (++chain > MAX_CHAIN) {
					throw new UnsafeArchiveException("more than " + MAX_CHAIN + " extended headers follow each other without a member");
				}
				byte[] data = readFully((int) size);
				skip(pad(size));
				switch (flag) {
					case 'L':
						longName = cString(data, 0, data.length);
						break;
					case 'K':
						longLink = cString(data, 0, data.length);
						break;
					case 'x':
						pax.putAll(parsePax(data));
						break;
					default:
						globalBytes += data.length;
						if (globalBytes > MAX_GLOBAL) {
							throw new UnsafeArchiveException("the global PAX headers hold more than " + MAX_GLOBAL + " bytes");
						}
						Map<String, String> g = parsePax(data);
						globalPax.putAll(g);
						pax.putAll(g);
						break;
				}
				continue;
			}
			String name = cString(header, 0, 100);
			String prefix = isUstar() ? cString(header, 345, 155) : "";
			if (!prefix.isEmpty()) {
				name = prefix + "/" + name;
			}
			if (longName != null) {
				name = longName;
			}
			if (pax.containsKey("path")) {
				name = pax.get("path");
			}
			String link = cString(header, 157, 100);
			if (longLink != null) {
				link = longLink;
			}
			if (pax.containsKey("linkpath")) {
				link = pax.get("linkpath");
			}
			if (pax.containsKey("size")) {
				size = paxNumber(pax, "size");
			}
			long uid = pax.containsKey("uid") ? paxNumber(pax, "uid") : number(108, 8, "uid");
			long gid = pax.containsKey("gid") ? paxNumber(pax, "gid") : number(116, 8, "gid");
			long mtime = number(136, 12, "mtime");
			if (pax.containsKey("mtime")) {
				String m = pax.get("mtime");
				int dot = m.indexOf('.');
				mtime = parseLong(dot < 0 ? m : m.substring(0, dot), "mtime");
			}
			int mode = (int) (number(100, 8, "mode") & 07777);
			TarEntry.Type type = type(flag, name);
			if (type != TarEntry.Type.FILE) {
				// Only regular files carry content here; a hard link's size field, if any, is not content.
				size = type == TarEntry.Type.OTHER ? size : 0;
			}
			if (name.isEmpty()) {
				throw new IOException("a member has an empty name");
			}
			if (name.length() > MAX_NAME || link.length() > MAX_NAME) {
				throw new UnsafeArchiveException("a member's name or link target is longer than " + MAX_NAME + " characters");
			}
			remaining = size;
			padding = pad(size);
			return new TarEntry(name, type, mode, uid, gid, size, Instant.ofEpochSecond(mtime), link);
		}
	}

	/** The content of the current member (regular files); reading past it returns end of stream. */
	public InputStream content() {
		return new InputStream() {
			@Override
			public int read() throws IOException {
				byte[] one = new byte[1];
				return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
			}

			@Override
			public int read(byte[] b, int off, int len) throws IOException {
				if (remaining <= 0) {
					return -1;
				}
				int n = in.read(b, off, (int) Math.min(len, remaining));
				if (n < 0) {
					throw new EOFException("the archive ends inside a member (truncated?)");
				}
				remaining -= n;
				return n;
			}
		};
	}

	private static TarEntry.Type type(char flag, String name) {
		switch (flag) {
			case '0':
			case '\0':
			case '7':
				return name.endsWith("/") ? TarEntry.Type.DIRECTORY : TarEntry.Type.FILE;
			case '1':
				return TarEntry.Type.HARDLINK;
			case '2':
				return TarEntry.Type.SYMLINK;
			case '3':
				return TarEntry.Type.CHAR_DEVICE;
			case '4':
				return TarEntry.Type.BLOCK_DEVICE;
			case '5':
				return TarEntry.Type.DIRECTORY;
			case '6':
				return TarEntry.Type.FIFO;
			default:
				return TarEntry.Type.OTHER;
		}
	}

	private boolean isUstar() {
		return header[257] == 'u' && header[258] == 's' && header[259] == 't' && header[260] == 'a' && header[261] == 'r'
			&& header[262] == 0;
	}

	private void verifyChecksum() throws IOException {
		long stored;
		try {
			stored = number(148, 8, "checksum");
		} catch (IOException e) {
			stored = -1;
		}
		long sum = 0;
		for (int i = 0; i < BLOCK; i++) {
			sum += (i >= 148 && i < 156) ? ' ' : (header[i] & 0xff);
		}
		if (sum != stored) {
			throw new IOException("a tar header has a wrong checksum: this is not a tar archive, or it is damaged");
		}
	}

	private long number(int off, int len, String field) throws IOException {
		if ((header[off] & 0x80) != 0) {
			// GNU base-256: big-endian two's complement in the remaining bytes
			if ((header[off] & 0x40) != 0) {
				throw new IOException("a tar header has a negative " + field);
			}
			long v = header[off] & 0x3f;
			for (int i = 1; i < len; i++) {
				if (v > (Long.MAX_VALUE >> 8)) {
					throw new IOException("a tar header's " + field + " is too large");
				}
				v = (v << 8) | (header[off + i] & 0xff);
			}
			return v;
		}
		long v = 0;
		boolean any = false;
		for (int i = off; i < off + len; i++) {
			byte b = header[i];
			if (b == 0 || (b == ' ' && any)) {
				break;
			}
			if (b == ' ') {
				continue;
			}
			if (b < '0' || b > '7') {
				throw new IOException("a tar header's " + field + " field is not an octal number");
			}
			if (v > (Long.MAX_VALUE >> 3)) {
				throw new IOException("a tar header's " + field + " is too large");
			}
			v = (v << 3) | (b - '0');
			any = true;
		}
		return v;
	}

	private static long paxNumber(Map<String, String> pax, String key) throws IOException {
		return parseLong(pax.get(key), key);
	}

	private static long parseLong(String s, String key) throws IOException {
		try {
			long v = Long.parseLong(s.trim());
			if (v < 0) {
				throw new IOException("a PAX header has a negative " + key);
			}
			return v;
		} catch (NumberFormatException e) {
			throw new IOException("a PAX header's " + key + " is not a number: " + s);
		}
	}

	/** PAX records: {@code "<len> <key>=<value>\n"}, len counting the whole record. */
	private static Map<String, String> parsePax(byte[] data) throws IOException {
		Map<String, String> out = new HashMap<>();
		int i = 0;
		while (i < data.length) {
			if (data[i] == 0) {
				break;
			}
			int sp = i;
			while (sp < data.length && data[sp] != ' ') {
				sp++;
			}
			int len;
			try {
				len = Integer.parseInt(new String(data, i, sp - i, StandardCharsets.US_ASCII));
			} catch (NumberFormatException e) {
				throw new IOException("a PAX header is malformed");
			}
			if (len <= sp - i + 1 || i + len > data.length || data[i + len - 1] != '\n') {
				throw new IOException("a PAX header is malformed");
			}
			String rec = new String(data, sp + 1, i + len - sp - 2, StandardCharsets.UTF_8);
			int eq = rec.indexOf('=');
			if (eq <= 0) {
				throw new IOException("a PAX header is malformed");
			}
			out.put(rec.substring(0, eq), rec.substring(eq + 1));
			i += len;
		}
		return out;
	}

	private static String cString(byte[] b, int off, int len) {
		int end = off;
		while (end < off + len && b[end] != 0) {
			end++;
		}
		return new String(b, off, end - off, StandardCharsets.UTF_8);
	}

	private static boolean isZero(byte[] b) {
		for (byte x : b) {
			if (x != 0) {
				return false;
			}
		}
		return true;
	}

	private static long pad(long size) {
		long r = size % BLOCK;
		return r == 0 ? 0 : BLOCK - r;
	}

	private boolean readBlock(byte[] b) throws IOException {
		int n = in.readNBytes(b, 0, BLOCK);
		if (n == 0) {
			return false;
		}
		if (n < BLOCK) {
			throw new IOException("the archive ends inside a header (truncated?)");
		}
		return true;
	}

	private byte[] readFully(int size) throws IOException {
		byte[] data = in.readNBytes(size);
		if (data.length < size) {
			throw new EOFException("the archive ends inside a header (truncated?)");
		}
		return data;
	}

	private void skip(long n) throws IOException {
		byte[] buf = null;
		while (n > 0) {
			long s = in.skip(n);
			if (s <= 0) {
				if (buf == null) {
					buf = new byte[8192];
				}
				int r = in.read(buf, 0, (int) Math.min(buf.length, n));
				if (r < 0) {
					throw new EOFException("the archive ends inside a member (truncated?)");
				}
				s = r;
			}
			n -= s;
		}
	}

	@Override
	public void close() throws IOException {
		in.close();
	}
}
