package cc.container.util.tar;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

/**
 * Writes a tar stream in the ustar format, with a PAX header for names that do not fit. Owners are root, times are
 * given, so the same input makes the same archive.
 */
public final class TarWriter implements AutoCloseable {
	private static final int BLOCK = 512;
	private final OutputStream out;

	/** A writer onto {@code out} (compress it yourself). */
	public TarWriter(OutputStream out) {
		this.out = out;
	}

	/** Adds a folder. */
	public void directory(String name, int mode, Instant mtime) throws IOException {
		header(name.endsWith("/") ? name : name + "/", '5', mode, 0, mtime);
	}

	/** Adds a file whose {@code size} bytes come from {@code content}. */
	public void file(String name, int mode, Instant mtime, long size, InputStream content) throws IOException {
		header(name, '0', mode, size, mtime);
		long copied = content.transferTo(new OutputStream() {
			long left = size;

			@Override
			public void write(int b) throws IOException {
				write(new byte[] { (byte) b }, 0, 1);
			}

			@Override
			public void write(byte[] b, int off, int len) throws IOException {
				if (len > left) {
					throw new IOException(name + " is longer than the " + size + " bytes announced");
				}
				out.write(b, off, len);
				left -= len;
			}
		});
		if (copied != size) {
			throw new IOException(name + " is shorter than the " + size + " bytes announced");
		}
		pad(size);
	}

	/** Adds a file with this content. */
	public void file(String name, int mode, Instant mtime, byte[] content) throws IOException {
		file(name, mode, mtime, content.length, new java.io.ByteArrayInputStream(content));
	}

	/**
	 * Adds a member of any type ({@code '1'} hard link, {@code '2'} symbolic link, {@code 'x'} PAX header, ...) with
	 * this content and link target, exactly as given: no name is checked or made to fit. The archives a well-behaved
	 * tool never writes (chained extended headers, oversized ones) are written with it for the reader's tests.
	 */
	public void member(String name, char type, int mode, Instant mtime, byte[] content, String link) throws IOException {
		rawHeader(name, type, mode, content.length, mtime, link);
		out.write(content);
		pad(content.length);
	}

	private void header(String name, char type, int mode, long size, Instant mtime) throws IOException {
		byte[] n = name.getBytes(StandardCharsets.UTF_8);
		if (n.length > 100) {
			byte[] rec = paxRecord("path", name);
			rawHeader("PaxHeaders/" + (name.length() > 80 ? name.substring(name.length() - 80) : name), 'x', 0644, rec.length, mtime, "");
			out.write(rec);
			pad(rec.length);
		}
		rawHeader(name, type, mode, size, mtime, "");
	}

	/** One PAX record: {@code "<length> <key>=<value>\n"}, the length counting the whole record. */
	public static byte[] paxRecord(String key, String value) {
		String body = " " + key + "=" + value + "\n";
		int len = body.getBytes(StandardCharsets.UTF_8).length;
		int total = len + Integer.toString(len).length();
		if (Integer.toString(total).length() != Integer.toString(len).length()) {
			total++;
		}
		return (total + body).getBytes(StandardCharsets.UTF_8);
	}

	private void rawHeader(String name, char type, int mode, long size, Instant mtime, String link) throws IOException {
		byte[] h = new byte[BLOCK];
		byte[] n = name.getBytes(StandardCharsets.UTF_8);
		System.arraycopy(n, 0, h, 0, Math.min(100, n.length));
		byte[] l = link.getBytes(StandardCharsets.UTF_8);
		System.arraycopy(l, 0, h, 157, Math.min(100, l.length));
		octal(h, 100, 8, mode);
		octal(h, 108, 8, 0);
		octal(h, 116, 8, 0);
		octal(h, 124, 12, size);
		octal(h, 136, 12, mtime.getEpochSecond());
		h[156] = (byte) type;
		byte[] magic = "ustar\0".getBytes(StandardCharsets.US_ASCII);
		System.arraycopy(magic, 0, h, 257, 6);
		h[263] = '0';
		h[264] = '0';
		byte[] root = "root".getBytes(StandardCharsets.US_ASCII);
		System.arraycopy(root, 0, h, 265, root.length);
		System.arraycopy(root, 0, h, 297, root.length);
		for (int i = 148; i < 156; i++) {
			h[i] = ' ';
		}
		long sum = 0;
		for (byte b : h) {
			sum += b & 0xff;
		}
		octal(h, 148, 7, sum);
		out.write(h);
	}

	private static void octal(byte[] h, int off, int len, long value) {
		String s = Long.toOctalString(value);
		if (s.length() > len - 1) {
			throw new IllegalArgumentException("value too large for a tar header: " + value);
		}
		int pad = len - 1 - s.length();
		for (int i = 0; i < pad; i++) {
			h[off + i] = '0';
		}
		for (int i = 0; i < s.length(); i++) {
			h[off + pad + i] = (byte) s.charAt(i);
		}
		h[off + len - 1] = 0;
	}

	private void pad(long size) throws IOException {
		long r = size % BLOCK;
		if (r != 0) {
			out.write(new byte[(int) (BLOCK - r)]);
		}
	}

	/** Writes the end-of-archive marker (two zero blocks); does not close the stream below. */
	@Override
	public void close() throws IOException {
		out.write(new byte[BLOCK * 2]);
		out.flush();
	}
}
