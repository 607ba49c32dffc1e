package cc.container.util.control;

import cc.container.util.json.Json;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The client side of the control protocol ({@link Frames}): sends one command to the daemon's socket and copies what
 * comes back to standard output and error. {@code containerctl} is this; {@code cc-containerd --stop-managed-containers}
 * uses it to ask a daemon that runs already.
 */
public final class ControlClient {
	/** Exit status when the daemon cannot be reached. */
	public static final int NO_DAEMON = 3;
	/** Exit status when the user may not use the socket. */
	public static final int NOT_PERMITTED = 5;
	/** Exit status when the connection broke before the command ended. */
	public static final int FAILED = 1;
	/** The socket when the configuration names none. */
	public static final Path DEFAULT_SOCKET = Path.of("/run/cc-containerd/control.sock");

	private ControlClient() {
	}

	/** A connection that could not be made: the exit status and the sentence for the user. */
	public static final class Unreachable extends Exception {
		private static final long serialVersionUID = 1L;
		private final int status;

		Unreachable(int status, String message) {
			super(message);
			this.status = status;
		}

		/** {@link #NO_DAEMON} or {@link #NOT_PERMITTED}. */
		public int status() {
			return status;
		}
	}

	/**
	 * The control socket named by a daemon configuration ({@code service.control_socket}, relative to the file's
	 * folder), or the default when the file names none or cannot be read.
	 */
	@SuppressWarnings("unchecked")
	public static Path socketOf(Path config) {
		try {
			Object tree = Json.parse(config, 1 << 20);
			Object s = ((Map<String, Object>) ((Map<String, Object>) tree).get("service")).get("control_socket");
			if (s instanceof String) {
				Path p = Path.of((String) s);
				return p.isAbsolute() ? p : config.toAbsolutePath().getParent().resolve(p).normalize();
			}
		} catch (Exception e) {
			// no readable configuration: the default path
		}
		return DEFAULT_SOCKET;
	}

	/** Connects to the daemon's socket. */
	public static SocketChannel connect(Path socket) throws Unreachable {
		try {
			SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
			try {
				ch.connect(UnixDomainSocketAddress.of(socket));
			} catch (IOException e) {
				ch.close();
				throw e;
			}
			return ch;
		} catch (IOException e) {
			if (String.valueOf(e.getMessage()).contains("Permission denied")) {
				throw new Unreachable(NOT_PERMITTED, "not permitted to use " + socket + ": only root (or the daemon's control group) may");
			}
			throw new Unreachable(NO_DAEMON, "the daemon cannot be reached at " + socket + " (is cc-containerd running?)");
		}
	}

	/**
	 * Runs {@code args} in the daemon over {@code ch}, copying its output; returns its exit status.
	 *
	 * @param errPrefix put before each error line that does not carry it already (for example {@code containerctl: })
	 * @throws IOException when the connection broke before the exit status came
	 */
	public static int run(SocketChannel ch, List<String> args, boolean tty, PrintStream out, PrintStream err, String errPrefix) throws IOException {
		DataOutputStream o = new DataOutputStream(Channels.newOutputStream(ch));
		DataInputStream in = new DataInputStream(Channels.newInputStream(ch));
		Map<String, Object> q = new LinkedHashMap<>();
		q.put("args", new ArrayList<Object>(args));
		q.put("tty", tty);
		byte[] request = Json.writeCompact(q).getBytes(StandardCharsets.UTF_8);
		IOException unsent = null;
		try {
			Frames.write(o, Frames.REQUEST, request, 0, request.length);
		} catch (IOException e) {
			unsent = e; // the daemon may have answered before reading (too many clients): its answer comes first
		}
		while (true) {
			Frames.Frame f;
			try {
				f = Frames.read(in);
			} catch (IOException e) {
				throw unsent != null ? unsent : e;
			}
			switch (f.type()) {
				case Frames.OUT -> {
					out.write(f.data(), 0, f.data().length);
					out.flush();
				}
				case Frames.ERR -> {
					String text = f.text();
					err.print(text.startsWith(errPrefix) ? text : errPrefix + text);
					err.flush();
				}
				case Frames.EXIT -> {
					return f.status();
				}
				default -> {
					// keep-alive
				}
			}
		}
	}
}
