package cc.container.util.dcp;

import cc.container.util.command.CommandLine.UsageException;
import cc.container.util.command.CommandLine;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * {@code dcp build} and {@code dcp inspect}: the package tools, which need no daemon. {@code containerctl} runs them in
 * the client itself; the Gogo shell's {@code container:dcp} runs the same code in the daemon.
 */
public final class DcpTool {
	/** Exit status: done. */
	public static final int OK = 0;
	/** Exit status: failed. */
	public static final int FAILED = 1;
	/** Exit status: bad usage. */
	public static final int USAGE = 2;
	/** Exit status: no such package. */
	public static final int NOT_FOUND = 4;

	private DcpTool() {
	}

	/** Runs {@code args} ({@code dcp build ...} or {@code dcp inspect ...}); returns the exit status. */
	public static int run(List<String> args, PrintStream out, PrintStream err) {
		CommandLine c;
		try {
			c = CommandLine.parse(args);
		} catch (UsageException e) {
			err.println(e.getMessage() + " (containerctl --help lists the commands)");
			return USAGE;
		}
		return switch (c.spec().name()) {
			case "dcp build" -> build(c, out, err);
			default -> inspect(Path.of(c.param(0)), out, err);
		};
	}

	private static int build(CommandLine c, PrintStream out, PrintStream err) {
		if (!c.has("--manifest") || !c.has("--payload")) {
			err.println("dcp build needs --manifest and --payload (containerctl --help lists the commands)");
			return USAGE;
		}
		PackageBuilder.FileName style;
		try {
			style = PackageBuilder.FileName.valueOf(c.options().getOrDefault("--file-name", "dcp").toUpperCase(Locale.ROOT));
		} catch (IllegalArgumentException e) {
			err.println("--file-name takes dcp or artifact, not \"" + c.option("--file-name") + "\" (containerctl --help lists the commands)");
			return USAGE;
		}
		Path manifest = Path.of(c.option("--manifest"));
		Path payload = Path.of(c.option("--payload"));
		for (Path p : new Path[] { manifest, payload }) {
			if (!Files.isRegularFile(p)) {
				err.println("dcp build: " + p + " is not a readable file");
				return FAILED;
			}
		}
		PackageBuilder.Request r = new PackageBuilder.Request(manifest, payload, Path.of(c.options().getOrDefault("--output-dir", ".")),
			path(c, "--readme"), path(c, "--changelog"), style);
		try {
			out.println(PackageBuilder.build(r, note -> err.println("dcp build: " + note)));
			return OK;
		} catch (DcpException | IOException e) {
			err.println("dcp build: " + e.getMessage());
			return FAILED;
		}
	}

	private static Path path(CommandLine c, String option) {
		return c.has(option) ? Path.of(c.option(option)) : null;
	}

	private static int inspect(Path file, PrintStream out, PrintStream err) {
		if (!Files.isRegularFile(file)) {
			err.println("dcp inspect: " + file + " is not a readable file");
			return NOT_FOUND;
		}
		try {
			PackageReader.Verified v = PackageReader.verify(file, null, Long.MAX_VALUE, s -> { });
			Manifest m = v.manifest();
			out.print(m.json());
			out.println(file.getFileName() + ": valid " + m.runtime() + " package " + m.packageId() + " " + m.version() + " (payload/"
				+ v.payloadName() + ", " + m.sizeBytes() + " bytes, " + m.digest() + ")"
				+ (m.containerId().equals(m.packageId()) ? "" : "; it installs as the container " + m.containerId()));
			return OK;
		} catch (DcpException e) {
			err.println(file.getFileName() + ": " + e.getMessage());
			return FAILED;
		} catch (IOException e) {
			err.println(file.getFileName() + " cannot be read: " + e.getMessage());
			return FAILED;
		}
	}
}
