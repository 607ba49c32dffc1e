package cc.container.shell.internal;

import cc.container.api.command.ContainerCommands;
import cc.container.util.dcp.DcpException;
import cc.container.util.dcp.PackageBuilder;
import cc.container.util.dcp.PackageReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/** {@code dcp build} and {@code dcp inspect}: the package tools, which need no daemon. */
public final class Dcp {
	private Dcp() {
	}

	/** Runs {@code dcp <args>}; returns the exit status. */
	public static int run(List<String> args, ContainerCommands.Session io) {
		try {
			if (args.isEmpty()) {
				throw new Cli.Usage("dcp takes build or inspect");
			}
			Cli.Args a = new Cli.Args(args.subList(1, args.size()));
			switch (args.get(0)) {
				case "build":
					a.allow(0, "--manifest", "--payload", "--output-dir");
					return build(args.subList(1, args.size()), io);
				case "inspect":
					a.allow(1);
					return inspect(Path.of(a.word(0, "package file")), io);
				default:
					throw new Cli.Usage("dcp takes build or inspect, not \"" + args.get(0) + "\"");
			}
		} catch (Cli.Usage e) {
			io.err().println(e.getMessage() + " (containerctl --help lists the commands)");
			return Cli.USAGE;
		}
	}

	private static int build(List<String> args, ContainerCommands.Session io) throws Cli.Usage {
		Path manifest = null;
		Path payload = null;
		Path output = Path.of(".");
		for (int i = 0; i + 1 < args.size(); i += 2) {
			Path p = Path.of(args.get(i + 1));
			switch (args.get(i)) {
				case "--manifest" -> manifest = p;
				case "--payload" -> payload = p;
				default -> output = p;
			}
		}
		if (manifest == null || payload == null) {
			throw new Cli.Usage("dcp build needs --manifest and --payload");
		}
		for (Path p : new Path[] { manifest, payload }) {
			if (!Files.isRegularFile(p)) {
				io.err().println("dcp build: " + p + " is not a readable file");
				return Cli.FAILED;
			}
		}
		try {
			io.out().println(PackageBuilder.build(manifest, payload, output));
			return Cli.OK;
		} catch (DcpException | IOException e) {
			io.err().println("dcp build: " + e.getMessage());
			return Cli.FAILED;
		}
	}

	private static int inspect(Path file, ContainerCommands.Session io) {
		if (!Files.isRegularFile(file)) {
			io.err().println("dcp inspect: " + file + " is not a readable file");
			return Cli.NOT_FOUND;
		}
		Path tmp = null;
		try {
			tmp = Files.createTempDirectory("cc-inspect-");
			PackageReader.Verified v = PackageReader.verify(file, tmp, Files.getFileStore(tmp).getUsableSpace(), s -> { });
			io.out().print(v.manifest().json());
			io.out().println(file.getFileName() + ": valid " + v.manifest().runtime() + " package " + v.manifest().packageId() + " "
				+ v.manifest().version() + " (payload/" + v.payloadName() + ", " + v.manifest().sizeBytes() + " bytes, " + v.manifest().digest() + ")");
			return Cli.OK;
		} catch (DcpException e) {
			io.err().println(file.getFileName() + ": " + e.getMessage());
			return Cli.FAILED;
		} catch (IOException e) {
			io.err().println(file.getFileName() + " cannot be read: " + e.getMessage());
			return Cli.FAILED;
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
