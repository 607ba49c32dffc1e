package cc.container.util.control;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The control protocol (docs/operations.md): the client sends one request frame; the daemon streams output frames
 * as the command produces them and ends with an exit frame. A frame is one type byte, a 4-byte big-endian length and
 * that many bytes.
 *
 * <ul>
 * <li>{@code Q}: the request, JSON {@code {"args": [...], "tty": bool}} (client to daemon), at most
 * {@value #MAX_REQUEST} bytes; or {@code {"argv": [...], "tty": bool, "cwd": "/abs/folder"}}, whose relative path
 * arguments the daemon makes absolute against {@code cwd} (the native client sends them as typed; a daemon older than
 * it fails to read that request and closes, and the native client asks the Java client then)</li>
 * <li>{@code O}, {@code E}: bytes of standard output, standard error</li>
 * <li>{@code K}: keep-alive while nothing else is sent (ignored)</li>
 * <li>{@code X}: the exit status as 4 bytes; the last frame</li>
 * </ul>
 */
public final class Frames {
	/** The request. */
	public static final byte REQUEST = 'Q';
	/** Standard output bytes. */
	public static final byte OUT = 'O';
	/** Standard error bytes. */
	public static final byte ERR = 'E';
	/** Nothing, to find out whether the client is still there. */
	public static final byte KEEPALIVE = 'K';
	/** The exit status. */
	public static final byte EXIT = 'X';
	/** The largest output frame a client accepts. */
	public static final int MAX = 1 << 20;
	/** The largest request the daemon accepts: a command line, not a file. */
	public static final int MAX_REQUEST = 64 << 10;

	private Frames() {
	}

	/** Writes one frame and flushes. */
	public static void write(DataOutputStream out, byte type, byte[] data, int off, int len) throws IOException {
		synchronized (out) {
			out.writeByte(type);
			out.writeInt(len);
			out.write(data, off, len);
			out.flush();
		}
	}

	/** Writes the exit frame. */
	public static void exit(DataOutputStream out, int status) throws IOException {
		byte[] b = { (byte) (status >>> 24), (byte) (status >>> 16), (byte) (status >>> 8), (byte) status };
		write(out, EXIT, b, 0, 4);
	}

	/** One frame read. */
	public record Frame(byte type, byte[] data) {
		/** The exit status of an exit frame. */
		public int status() {
			return ((data[0] & 0xff) << 24) | ((data[1] & 0xff) << 16) | ((data[2] & 0xff) << 8) | (data[3] & 0xff);
		}

		/** The data as text. */
		public String text() {
			return new String(data, StandardCharsets.UTF_8);
		}
	}

	/** Reads one frame of at most {@link #MAX} bytes; throws at the end of the stream. */
	public static Frame read(DataInputStream in) throws IOException {
		return read(in, MAX);
	}

	/**
	 * Reads one frame of at most {@code max} bytes; throws at the end of the stream. Memory is taken as the bytes
	 * arrive, not as the length announces them: a peer that announces a large frame and sends nothing costs nothing.
	 */
	public static Frame read(DataInputStream in, int max) throws IOException {
		byte type = in.readByte();
		int len = in.readInt();
		if (len < 0 || len > max) {
			throw new IOException("a frame of " + len + " bytes is larger than the " + max + " accepted");
		}
		byte[] data = new byte[Math.min(len, 8192)];
		int have = 0;
		while (have < len) {
			if (have == data.length) {
				data = Arrays.copyOf(data, Math.min(len, data.length * 2));
			}
			int n = in.read(data, have, data.length - have);
			if (n < 0) {
				throw new java.io.EOFException("the frame ends early");
			}
			have += n;
		}
		return new Frame(type, data);
	}

	/** An output stream that sends everything written to it as frames of one type. */
	public static OutputStream stream(DataOutputStream out, byte type) {
		return new OutputStream() {
			@Override
			public void write(int b) throws IOException {
				write(new byte[] { (byte) b }, 0, 1);
			}

			@Override
			public void write(byte[] b, int off, int len) throws IOException {
				if (len > 0) {
					Frames.write(out, type, b, off, len);
				}
			}
		};
	}
}
