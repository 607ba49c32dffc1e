package cc.container.ctl;

import cc.container.util.command.CommandLine;
import cc.container.util.command.CommandSpec;
import cc.container.util.command.Commands;
import cc.container.util.control.ControlClient;
import cc.container.util.dcp.DcpTool;
import cc.container.util.json.Json;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * {@code containerctl}: sends its command to the daemon's control socket and copies what comes back, returning the
 * command's exit status (3 when the daemon cannot be reached, 5 when the user may not use it). Every path argument is
 * made absolute against the folder containerctl runs in before it is sent: the command model ({@link Commands}) says
 * which arguments are paths, for every command and option. The package tools ({@code dcp ...}) run here, without a
 * daemon. The socket is found from {@code --socket PATH}, else from the daemon configuration named by
 * {@code --config-file PATH} (default /etc/cc-container-mng.conf), else at /run/cc-containerd/control.sock.
 */
public final class Main {
	static final int OK = 0;
	static final int FAILED = 1;
	static final int USAGE = 2;
	static final Path DEFAULT_CONFIG = Path.of("/etc/cc-container-mng.conf");
	/** The hidden command the bash completion calls: {@code --complete <index of the word> <words...>}. */
	static final String COMPLETE = "--complete";

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
					err.println("containerctl: " + a + " needs a path (containerctl --help lists the commands)");
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
		if (socket == null) {
			socket = ControlClient.socketOf(config);
		}
		if (args.isEmpty()) {
			err.println("containerctl: a command is needed (containerctl --help lists the commands)");
			return USAGE;
		}
		if (args.get(0).equals(COMPLETE)) {
			return complete(args.subList(1, args.size()), socket, out);
		}
		if (args.get(0).equals("--help") || args.get(0).equals("-h") || args.get(0).equals("help")) {
			out.println("usage: containerctl [--socket PATH | --config-file PATH] <command> [args]");
			out.println(Commands.usage());
			return OK;
		}
		// The daemon reads files where it runs: every path goes as an absolute one.
		args = CommandLine.resolvePaths(args, Path.of("").toAbsolutePath());
		List<CommandSpec> group = Commands.groups().get(args.get(0));
		if (group != null && group.get(0).local()) {
			// The package and fleet tools run here, their help too: no daemon is needed for either.
			if (args.contains("--help") || args.contains("-h")) {
				out.println(Commands.helpFor(args));
				return OK;
			}
			return args.get(0).equals("fleet") ? FleetTool.run(args, out, prefixed(err)) : DcpTool.run(args, out, prefixed(err));
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

	/** Standard error with each line starting {@code containerctl: }. */
	static PrintStream prefixed(PrintStream err) {
		return new PrintStream(err, true) {
			@Override
			public void println(String x) {
				super.println("containerctl: " + x);
			}
		};
	}

	/**
	 * Completion of the word at {@code index} of {@code words} (the command line without {@code containerctl}),
	 * one candidate a line. {@code @files} alone means "complete a file name"; container ids and bundle names are
	 * asked of the daemon when it answers.
	 */
	static int complete(List<String> rest, Path socket, PrintStream out) {
		if (rest.isEmpty()) {
			return USAGE;
		}
		int index;
		try {
			index = Integer.parseInt(rest.get(0));
		} catch (NumberFormatException e) {
			return USAGE;
		}
		List<String> words = new ArrayList<>(rest.subList(1, rest.size()));
		while (words.size() <= index) {
			words.add("");
		}
		for (String c : Completion.candidates(words, index, type -> ask(socket, type))) {
			out.println(c);
		}
		return OK;
	}

	/** Container ids or bundle names from the daemon, quietly nothing when it does not answer. */
	@SuppressWarnings("unchecked")
	static List<String> ask(Path socket, CommandSpec.Type type) {
		List<String> out = new ArrayList<>();
		try (SocketChannel ch = ControlClient.connect(socket)) {
			ByteArrayOutputStream b = new ByteArrayOutputStream();
			List<String> cmd = type == CommandSpec.Type.BUNDLE ? List.of("bundle", "list", "--json") : List.of("list", "--json");
			if (ControlClient.run(ch, cmd, false, new PrintStream(b, true, StandardCharsets.UTF_8), new PrintStream(new ByteArrayOutputStream()), "") != 0) {
				return out;
			}
			for (Object o : (List<Object>) Json.parse(b.toByteArray())) {
				Map<String, Object> m = (Map<String, Object>) o;
				Object name = type == CommandSpec.Type.BUNDLE ? m.get("symbolic_name") : m.get("id");
				out.add(String.valueOf(name));
			}
		} catch (Exception e) {
			// no daemon, no candidates
		}
		return out;
	}
}
