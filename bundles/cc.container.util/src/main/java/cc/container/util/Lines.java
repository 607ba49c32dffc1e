package cc.container.util;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/**
 * Splits a stream of bytes into lines of at most {@value #MAX_LINE} bytes: what a container or a tool prints is not
 * ours to size, and one line without an end must not fill the daemon's heap. The rest of a longer line is dropped and
 * the kept part ends with {@value #CUT}. A trailing CR (a terminal's line end) is dropped.
 */
public final class Lines {
	/** The longest line handed on, in bytes. */
	public static final int MAX_LINE = 16 << 10;
	/** What ends a line that was cut. */
	public static final String CUT = " [cut]";

	private final Consumer<String> sink;
	private final byte[] line = new byte[MAX_LINE];
	private int length;
	private boolean cut;

	/** Lines go to {@code sink}. */
	public Lines(Consumer<String> sink) {
		this.sink = sink;
	}

	/** Reads {@code in} to its end, handing each line on; a last line without an end is handed on too. */
	public static void split(InputStream in, Consumer<String> sink) throws IOException {
		Lines l = new Lines(sink);
		byte[] buf = new byte[8192];
		int n;
		while ((n = in.read(buf)) >= 0) {
			l.feed(buf, 0, n);
		}
		l.flush();
	}

	/** Takes the next bytes. */
	public void feed(byte[] b, int off, int len) {
		for (int i = off; i < off + len; i++) {
			byte c = b[i];
			if (c == '\n') {
				emit();
			} else if (length < MAX_LINE) {
				line[length++] = c;
			} else {
				cut = true;
			}
		}
	}

	/** Hands on a last line that has no end, if there is one. */
	public void flush() {
		if (length > 0 || cut) {
			emit();
		}
	}

	/** Whether part of a line is waiting for its end. */
	public boolean pending() {
		return length > 0 || cut;
	}

	private void emit() {
		int n = length > 0 && line[length - 1] == '\r' ? length - 1 : length;
		String s = new String(line, 0, n, StandardCharsets.UTF_8);
		length = 0;
		boolean wasCut = cut;
		cut = false;
		sink.accept(wasCut ? s + CUT : s);
	}
}
