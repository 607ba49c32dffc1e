package cc.container.ctl;

import cc.container.util.dcp.DcpException;
import cc.container.util.dcp.PackageBuilder;
import cc.container.util.dcp.PackageReader;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * {@code containerctl}. The package tools {@code dcp build} and {@code dcp inspect} run here, without a daemon; the
 * commands that drive the daemon go through its control socket.
 */
public final class Main {
	static final int OK = 0;
	static final int FAILED = 1;
	static final int USAGE = 2;
	static final int NO_DAEMON = 3;

	static final String DCP_USAGE = "usage: containerctl dcp build --manifest M --payload P [--output-dir D]\n"
		+ "       containerctl dcp inspect <file.dcp>";

	private Main() {
	}

	/** Entry point. */
	public static void main(String[] args) {
		System.exit(run(Arrays.asList(args), System.out, System.err));
	}

	static int run(List<String> args, PrintStream out, PrintStream err) {
		if (args.isEmpty() || args.get(0).equals("--help") || args.get(0).equals("-h")) {
			out.println("usage: containerctl <command> [args]   (containerctl <command> --help for each)");
			out.println("commands without a daemon: dcp build, dcp inspect");
			return args.isEmpty() ? USAGE : OK;
		}
		if (args.get(0).equals("dcp")) {
			return dcp(args.subList(1, args.size()), out, err);
		}
		err.println("containerctl: the daemon cannot be reached for \"" + args.get(0)
			+ "\": this version of containerctl only runs the package tools (dcp build, dcp inspect)");
		return NO_DAEMON;
	}

	static int dcp(List<String> args, PrintStream out, PrintStream err) {
		if (args.isEmpty() || args.contains("--help")) {
			(args.isEmpty() ? err : out).println(DCP_USAGE);
			return args.isEmpty() ? USAGE : OK;
		}
		switch (args.get(0)) {
			case "build":
				return build(args.subList(1, args.size()), out, err);
			case "inspect":
				return inspect(args.subList(1, args.size()), out, err);
			default:
				err.println("containerctl: unknown dcp command \"" + args.get(0) + "\"");
				err.println(DCP_USAGE);
				return USAGE;
		}
	}

	static int build(List<String> args, PrintStream out, PrintStream err) {
		Path manifest = null;
		Path payload = null;
		Path output = Path.of(".");
		for (int i = 0; i < args.size(); i++) {
			String a = args.get(i);
			if ((a.equals("--manifest") || a.equals("--payload") || a.equals("--output-dir")) && i + 1 < args.size()) {
				Path p = Path.of(args.get(++i));
				if (a.equals("--manifest")) {
					manifest = p;
				} else if (a.equals("--payload")) {
					payload = p;
				} else {
					output = p;
				}
			} else {
				err.println("containerctl: dcp build: unexpected argument \"" + a + "\"");
				err.println(DCP_USAGE);
				return USAGE;
			}
		}
		if (manifest == null || payload == null) {
			err.println("containerctl: dcp build needs --manifest and --payload");
			err.println(DCP_USAGE);
			return USAGE;
		}
		for (Path p : new Path[] { manifest, payload }) {
			if (!Files.isRegularFile(p)) {
				err.println("containerctl: dcp build: " + p + " is not a readable file");
				return FAILED;
			}
		}
		try {
			Path pkg = PackageBuilder.build(manifest, payload, output);
			out.println(pkg);
			return OK;
		} catch (DcpException e) {
			err.println("containerctl: dcp build: " + e.getMessage());
			return FAILED;
		} catch (IOException e) {
			err.println("containerctl: dcp build failed: " + e.getMessage());
			return FAILED;
		}
	}

	static int inspect(List<String> args, PrintStream out, PrintStream err) {
		if (args.size() != 1) {
			err.println("containerctl: dcp inspect needs one package file");
			err.println(DCP_USAGE);
			return USAGE;
		}
		Path file = Path.of(args.get(0));
		if (!Files.isRegularFile(file)) {
			err.println("containerctl: dcp inspect: " + file + " is not a readable file");
			return FAILED;
		}
		Path tmp = null;
		try {
			tmp = Files.createTempDirectory("containerctl-inspect-");
			PackageReader.Verified v = PackageReader.verify(file, tmp, Files.getFileStore(tmp).getUsableSpace(), s -> { });
			out.print(v.manifest().json());
			out.println(file.getFileName() + ": valid " + v.manifest().runtime() + " package " + v.manifest().packageId() + " "
				+ v.manifest().version() + " (payload/" + v.payloadName() + ", " + v.manifest().sizeBytes() + " bytes, " + v.manifest().digest() + ")");
			return OK;
		} catch (DcpException e) {
			err.println("containerctl: " + file.getFileName() + ": " + e.getMessage());
			return FAILED;
		} catch (IOException e) {
			err.println("containerctl: " + file.getFileName() + " cannot be read: " + e.getMessage());
			return FAILED;
		} finally {
			if (tmp != null) {
				try (Stream<Path> s = Files.walk(tmp)) {
					s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
				} catch (IOException e) {
					// a temporary folder
				}
			}
		}
	}
}
