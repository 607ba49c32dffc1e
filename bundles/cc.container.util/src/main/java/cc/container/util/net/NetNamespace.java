package cc.container.util.net;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Native;
import java.io.IOException;
import java.nio.channels.SocketChannel;

/**
 * Sockets in a container's network namespace, made without a process: the calling thread enters the namespace of the
 * container's init ({@code setns(2)} on {@code /proc/<pid>/ns/net}, which moves that thread only), opens the socket
 * (a socket belongs to the namespace it was made in, for its whole life), and returns to its own namespace before
 * anything else runs on it. A thread that cannot return is not trusted with anything more: {@link Error} ends it.
 */
public final class NetNamespace {
	private static final int CLONE_NEWNET = 0x40000000;
	private static final int O_RDONLY = 0;
	private static final int O_CLOEXEC = 02000000;

	interface LibC extends Library {
		int open(String path, int flags) throws LastErrorException;

		int setns(int fd, int nstype) throws LastErrorException;

		int close(int fd);
	}

	private static final class Holder {
		static final LibC C = Native.load("c", LibC.class);
	}

	private NetNamespace() {
	}

	/** An unconnected TCP socket in the network namespace of process {@code pid}. */
	public static SocketChannel socketIn(long pid) throws IOException {
		LibC c = Holder.C;
		int own;
		int target;
		try {
			own = c.open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
		} catch (LastErrorException e) {
			throw new IOException("cannot open this thread's network namespace (errno " + e.getErrorCode() + ")", e);
		}
		try {
			try {
				target = c.open("/proc/" + pid + "/ns/net", O_RDONLY | O_CLOEXEC);
			} catch (LastErrorException e) {
				throw new IOException("the container's network namespace cannot be opened (process " + pid + " is gone?)", e);
			}
			try {
				try {
					c.setns(target, CLONE_NEWNET);
				} catch (LastErrorException e) {
					throw new IOException("cannot enter the container's network namespace (errno " + e.getErrorCode() + ")", e);
				}
				try {
					return SocketChannel.open();
				} finally {
					try {
						c.setns(own, CLONE_NEWNET);
					} catch (LastErrorException e) {
						throw new Error("a thread could not return to the daemon's network namespace (errno " + e.getErrorCode() + ")", e);
					}
				}
			} finally {
				c.close(target);
			}
		} finally {
			c.close(own);
		}
	}
}
