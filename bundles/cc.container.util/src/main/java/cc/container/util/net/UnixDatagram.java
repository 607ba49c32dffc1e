package cc.container.util.net;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.NativeLong;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * A Unix-domain datagram socket, which the JDK cannot open, through the C library (JNA). Used to talk to the
 * system logger at {@code /dev/log} and to systemd's notification socket ({@code $NOTIFY_SOCKET}, whose name may be
 * abstract: {@code @name}); tests also bind one to receive what the daemon sends.
 */
public final class UnixDatagram implements AutoCloseable {
	private static final int AF_UNIX = 1;
	private static final int SOCK_DGRAM = 2;
	private static final int SOCK_CLOEXEC = 02000000;
	private static final int MSG_DONTWAIT = 0x40;
	private static final int MSG_NOSIGNAL = 0x4000;
	private static final int EAGAIN = 11;
	private static final int PATH_MAX = 107;

	interface LibC extends Library {
		int socket(int domain, int type, int protocol) throws LastErrorException;

		int bind(int fd, byte[] addr, int len) throws LastErrorException;

		NativeLong sendto(int fd, byte[] buf, NativeLong len, int flags, byte[] addr, int addrlen) throws LastErrorException;

		NativeLong recv(int fd, byte[] buf, NativeLong len, int flags) throws LastErrorException;

		int close(int fd);
	}

	private static final class Holder {
		static final LibC C = Native.load("c", LibC.class);
	}

	private final int fd;

	private UnixDatagram(int fd) {
		this.fd = fd;
	}

	/** An unbound socket for sending. */
	public static UnixDatagram open() throws IOException {
		try {
			return new UnixDatagram(Holder.C.socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0));
		} catch (LastErrorException e) {
			throw new IOException("cannot open a Unix datagram socket: " + strerror(e), e);
		}
	}

	/** A socket bound to {@code path}, for receiving. */
	public static UnixDatagram bind(Path path) throws IOException {
		UnixDatagram s = open();
		try {
			byte[] addr = address(path);
			Holder.C.bind(s.fd, addr, addr.length);
			return s;
		} catch (LastErrorException e) {
			s.close();
			throw new IOException("cannot bind " + path + ": " + strerror(e), e);
		}
	}

	/** Sends one datagram to the socket at {@code path}. */
	public void send(Path path, byte[] message) throws IOException {
		byte[] addr = address(path);
		try {
			Holder.C.sendto(fd, message, new NativeLong(message.length), MSG_NOSIGNAL, addr, addr.length);
		} catch (LastErrorException e) {
			throw new IOException("cannot send to " + path + ": " + strerror(e), e);
		}
	}

	/**
	 * Sends one datagram to the socket at {@code path} if it can at once: a receiver whose queue is full drops it.
	 *
	 * @return whether it was sent
	 */
	public boolean offer(Path path, byte[] message) throws IOException {
		byte[] addr = address(path);
		try {
			Holder.C.sendto(fd, message, new NativeLong(message.length), MSG_NOSIGNAL | MSG_DONTWAIT, addr, addr.length);
			return true;
		} catch (LastErrorException e) {
			if (e.getErrorCode() == EAGAIN) {
				return false;
			}
			throw new IOException("cannot send to " + path + ": " + strerror(e), e);
		}
	}

	/** Receives one datagram if one is waiting, else returns {@code null}. */
	public byte[] poll() throws IOException {
		byte[] buf = new byte[65536];
		try {
			long n = Holder.C.recv(fd, buf, new NativeLong(buf.length), MSG_DONTWAIT).longValue();
			return java.util.Arrays.copyOf(buf, (int) n);
		} catch (LastErrorException e) {
			if (e.getErrorCode() == EAGAIN) {
				return null;
			}
			throw new IOException("cannot receive: " + strerror(e), e);
		}
	}

	private static byte[] address(Path path) throws IOException {
		String name = path.toString();
		boolean abstractName = name.startsWith("@");
		byte[] p = (abstractName ? name.substring(1) : name).getBytes(StandardCharsets.UTF_8);
		if (p.length > PATH_MAX) {
			throw new IOException("socket path too long (" + p.length + " bytes, at most " + PATH_MAX + "): " + path);
		}
		if (abstractName) {
			// An abstract name: a NUL, then the name, and no terminating NUL (the length counts).
			ByteBuffer b = ByteBuffer.allocate(2 + 1 + p.length).order(ByteOrder.nativeOrder());
			b.putShort((short) AF_UNIX).put((byte) 0).put(p);
			return b.array();
		}
		ByteBuffer b = ByteBuffer.allocate(2 + p.length + 1).order(ByteOrder.nativeOrder());
		b.putShort((short) AF_UNIX).put(p).put((byte) 0);
		return b.array();
	}

	private static String strerror(LastErrorException e) {
		switch (e.getErrorCode()) {
			case 2:
				return "no such file or directory";
			case 13:
				return "permission denied";
			case 111:
				return "connection refused (nobody listens there)";
			case 98:
				return "address already in use";
			default:
				return "errno " + e.getErrorCode();
		}
	}

	@Override
	public void close() {
		Holder.C.close(fd);
	}
}
