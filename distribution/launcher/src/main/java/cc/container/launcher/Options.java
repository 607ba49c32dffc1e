package cc.container.launcher;

import java.nio.file.Path;
import java.util.List;

/**
 * The command line of {@code cc-containerd}.
 *
 * @param configFile the daemon configuration
 * @param shell whether the Gogo shell runs on the console
 * @param stopManaged whether to stop every managed container and exit
 * @param help whether only the usage was asked for
 */
record Options(Path configFile, boolean shell, boolean stopManaged, boolean help) {

	static final String USAGE = "usage: cc-containerd [--config-file PATH] [--shell] [--stop-managed-containers] [--help]";

	static final String HELP = USAGE + "\n"
		+ "  --config-file PATH         daemon configuration (default /etc/cc-container-mng.conf)\n"
		+ "  --shell                    run the Gogo shell on the console (container:* commands)\n"
		+ "  --stop-managed-containers  stop every managed container, keep their desired state, and exit\n"
		+ "                             (0 when all stopped, 1 with the list of those that did not); for shutdown\n"
		+ "  --help                     print this help and exit\n"
		+ "cc-containerd --make-class-archive [--if-stale] makes the daemon's class archive for this JVM and exits\n"
		+ "(docs/operations.md; the service does it before it starts the daemon when none fits).\n";

	/** A command line that cannot be used; the message is one line for the user. */
	static final class UsageException extends Exception {
		private static final long serialVersionUID = 1L;

		UsageException(String message) {
			super(message);
		}
	}

	static Options parse(List<String> args) throws UsageException {
		Path config = Path.of("/etc/cc-container-mng.conf");
		boolean shell = false;
		boolean help = false;
		boolean stopManaged = false;
		for (int i = 0; i < args.size(); i++) {
			String a = args.get(i);
			if (a.equals("--config-file") || a.startsWith("--config-file=")) {
				String v;
				if (a.startsWith("--config-file=")) {
					v = a.substring("--config-file=".length());
				} else if (i + 1 < args.size()) {
					v = args.get(++i);
				} else {
					throw new UsageException("--config-file needs a path");
				}
				if (v.isEmpty()) {
					throw new UsageException("--config-file needs a path");
				}
				config = Path.of(v);
			} else if (a.equals("--shell")) {
				shell = true;
			} else if (a.equals("--stop-managed-containers")) {
				stopManaged = true;
			} else if (a.equals("--help") || a.equals("-h")) {
				help = true;
			} else {
				throw new UsageException("unknown option \"" + a + "\"");
			}
		}
		if (shell && stopManaged) {
			throw new UsageException("--shell and --stop-managed-containers do not go together");
		}
		return new Options(config.toAbsolutePath().normalize(), shell, stopManaged, help);
	}
}
