package cc.container.ctl;

import cc.container.api.command.ContainerCommands;
import cc.container.control.internal.Frames;
import cc.container.shell.internal.Cli;
import cc.container.shell.internal.Dcp;
import cc.container.util.json.Json;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code containerctl}: sends its command to the daemon's control socket and copies what comes back, returning the
 * command's exit status (3 when the daemon cannot be reached, 5 when the user may not use it). The package tools
 * {@code dcp build} and {@code dcp inspect} run here, without a daemon. The socket is found from {@code --socket PATH},
 * else from the daemon configuration named by {@code --config-file PATH} (default /etc/cc-container-mng.conf), else
 * at /run/cc-containerd/control.sock.
 */
public final class Main {
	static final int OK = 0;
	static final int FAILED = 1;
	static final int USAGE = 2;
	static final int NO_DAEMON = 3;
	static final int NOT_PERMITTED = 5;
	static final Path DEFAULT_CONFIG = Path.of("/etc/cc-container-mng.conf");
	static final Path DEFAULT_SOCKET = Path.of("/run/cc-containerd/control.sock");

	private Main() {
	}

	/** Entry point. */
	public static void main(String[] args) {
		System.exit(run(Arrays.asList(args), System.out, System.err));
	}

	static int run(List<String> argv, PrintStream out, PrintStream err) {
		List<String> args = new ArrayList<>();
		Path socket = null;
		Path config = DEFAULT_CONFIG;
		for (int i = 0; i < argv.size(); i++) {
			String a = argv.get(i);
			if ((a.equals("--socket") || a.equals("--config-file")) && args.isEmpty()) {
				if (i + 1 >= argv.size()) {
					err.println("containerctl: " + a + " needs a path");
					return USAGE;
				}
				Path p = Path.of(argv.get(++i));
				if (a.equals("--socket")) {
					socket = p;
				} else {
					config = p;
				}
			} else {
				args.add(a);
			}
		}
		if (args.isEmpty()) {
			err.println("containerctl: a command is needed (containerctl --help lists the commands)");
			return USAGE;
		}
		if (args.get(0).equals("--help") || args.get(0).equals("-h") || args.get(0).equals("help")) {
			out.println("usage: containerctl [--socket PATH | --config-file PATH] <command> [args]");
			out.println(Cli.USAGE_TEXT);
			return OK;
		}
		if (args.get(0).equals("dcp")) {
			return Dcp.run(args.subList(1, args.size()), local(out, err));
		}
		if ((args.get(0).equals("install") || args.get(0).equals("update")) && args.size() > 1 && !args.get(1).startsWith("-")) {
			// The daemon reads the package: give it the path from here.
			args.set(1, Path.of(args.get(1)).toAbsolutePath().normalize().toString());
		}
		if (args.get(0).equals("bundle") && args.size() > 2 && args.get(1).equals("update") && !args.get(2).startsWith("-")) {
			args.set(2, Path.of(args.get(2)).toAbsolutePath().normalize().toString());
		}
		if (socket == null) {
			socket = socketOf(config);
		}
		return remote(socket, args, out, err);
	}

	/** The control socket named by a daemon configuration, or the default. */
	@SuppressWarnings("unchecked")
	static Path socketOf(Path config) {
		try {
			Object tree = Json.parse(Files.readAllBytes(config));
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

	static int remote(Path socket, List<String> args, PrintStream out, PrintStream err) {
		SocketChannel ch;
		try {
			ch = SocketChannel.open(StandardProtocolFamily.UNIX);
			ch.connect(UnixDomainSocketAddress.of(socket));
		} catch (IOException e) {
			String why = String.valueOf(e.getMessage());
			if (why.contains("Permission denied")) {
				err.println("containerctl: not permitted to use " + socket + ": only root (or the daemon's control group) may");
				return NOT_PERMITTED;
			}
			err.println("containerctl: the daemon cannot be reached at " + socket + " (is cc-containerd running?)");
			return NO_DAEMON;
		}
		try (ch) {
			DataOutputStream o = new DataOutputStream(Channels.newOutputStream(ch));
			DataInputStream in = new DataInputStream(Channels.newInputStream(ch));
			Map<String, Object> q = new LinkedHashMap<>();
			q.put("args", new ArrayList<Object>(args));
			q.put("tty", System.console() != null);
			byte[] request = Json.writeCompact(q).getBytes(java.nio.charset.StandardCharsets.UTF_8);
			Frames.write(o, Frames.REQUEST, request, 0, request.length);
			while (true) {
				Frames.Frame f = Frames.read(in);
				switch (f.type()) {
					case Frames.OUT -> {
						out.write(f.data(), 0, f.data().length);
						out.flush();
					}
					case Frames.ERR -> {
						String text = f.text();
						err.print(text.startsWith("containerctl: ") ? text : "containerctl: " + text);
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
		} catch (IOException e) {
			err.println("containerctl: the daemon closed the connection before the command ended"
				+ (args.get(0).equals("bundle") ? "; a bundle update goes on in the daemon: containerctl bundle list shows its outcome"
					: e.getMessage() == null ? "" : " (" + e.getMessage() + ")"));
			return FAILED;
		}
	}

	static ContainerCommands.Session local(PrintStream out, PrintStream err) {
		PrintStream prefixed = new PrintStream(err, true) {
			@Override
			public void println(String x) {
				super.println("containerctl: " + x);
			}
		};
		return new ContainerCommands.Session() {
			@Override
			public PrintStream out() {
				return out;
			}

			@Override
			public PrintStream err() {
				return prefixed;
			}

			@Override
			public boolean tty() {
				return false;
			}

			@Override
			public boolean cancelled() {
				return false;
			}
		};
	}
}
