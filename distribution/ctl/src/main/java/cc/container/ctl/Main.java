package cc.container.ctl;

import cc.container.api.command.ContainerCommands;
import cc.container.shell.internal.Cli;
import cc.container.shell.internal.Dcp;
import cc.container.util.control.ControlClient;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

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
	static final Path DEFAULT_CONFIG = Path.of("/etc/cc-container-mng.conf");

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
			socket = ControlClient.socketOf(config);
		}
		return remote(socket, args, out, err);
	}

	static int remote(Path socket, List<String> args, PrintStream out, PrintStream err) {
		SocketChannel ch;
		try {
			ch = ControlClient.connect(socket);
		} catch (ControlClient.Unreachable e) {
			err.println("containerctl: " + e.getMessage());
			return e.status();
		}
		// Ctrl-C ends a followed log at once: the connection closes and the daemon ends the command.
		sun.misc.Signal.handle(new sun.misc.Signal("INT"), s -> {
			try {
				ch.close();
			} catch (IOException e) {
				// closing anyway
			}
			Runtime.getRuntime().halt(130);
		});
		try (ch) {
			return ControlClient.run(ch, args, System.console() != null, out, err, "containerctl: ");
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
