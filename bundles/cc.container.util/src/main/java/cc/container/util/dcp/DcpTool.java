package cc.container.util.dcp;

import cc.container.api.config.SecuritySettings;
import cc.container.util.Bounded;
import cc.container.util.command.CommandLine.UsageException;
import cc.container.util.command.CommandLine;
import cc.container.util.trust.Keys;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.util.List;
import java.util.Locale;

/**
 * {@code dcp build}, {@code inspect}, {@code keygen}, {@code sign} and {@code verify}: the package tools, which need no daemon. {@code containerctl} runs them in
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
			case "dcp keygen" -> keygen(c, out, err);
			case "dcp sign" -> sign(c, out, err);
			case "dcp verify" -> verify(c, out, err);
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

	private static int keygen(CommandLine c, PrintStream out, PrintStream err) {
		Keys.Algorithm a = Keys.Algorithm.of(c.options().getOrDefault("--algorithm", Keys.Algorithm.ED25519.word));
		if (a == null) {
			err.println("--algorithm takes ed25519 or ecdsa-p256, not \"" + c.option("--algorithm") + "\" (containerctl --help lists the commands)");
			return USAGE;
		}
		Path secret = Path.of(c.param(0) + ".key");
		Path pub = Path.of(c.param(0) + ".pub");
		for (Path p : new Path[] { secret, pub }) {
			if (Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
				err.println("dcp keygen: " + p + " exists; it is not overwritten");
				return FAILED;
			}
		}
		KeyPair k = Keys.generate(a);
		try {
			Files.createFile(secret, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
			Files.write(secret, Keys.pem(k.getPrivate()).getBytes(StandardCharsets.US_ASCII));
			Files.write(pub, Keys.pem(k.getPublic()).getBytes(StandardCharsets.US_ASCII), StandardOpenOption.CREATE_NEW);
		} catch (IOException e) {
			err.println("dcp keygen: " + Bounded.describe(e));
			return FAILED;
		}
		out.println("wrote " + secret + " (keep it secret) and " + pub + " (put it in the devices' trusted keys folder)");
		return OK;
	}

	private static int sign(CommandLine c, PrintStream out, PrintStream err) {
		if (!c.has("--key")) {
			err.println("dcp sign needs --key (containerctl --help lists the commands)");
			return USAGE;
		}
		Path file = Path.of(c.param(0));
		PrivateKey key;
		try {
			key = Keys.privateKey(Keys.read(Path.of(c.option("--key"))));
		} catch (IOException e) {
			err.println("dcp sign: the key " + c.option("--key") + " cannot be read: " + Bounded.describe(e));
			return FAILED;
		} catch (GeneralSecurityException e) {
			err.println("dcp sign: " + c.option("--key") + " is not a private key: " + e.getMessage());
			return FAILED;
		}
		try {
			Manifest m = PackageSigner.sign(file, key);
			out.println(file.getFileName() + ": signed " + m.packageId() + " " + m.version() + " (" + PackageReader.SIGNATURE + ")");
			return OK;
		} catch (DcpException e) {
			err.println(file.getFileName() + ": " + e.getMessage());
			return FAILED;
		} catch (IOException e) {
			err.println(file.getFileName() + " cannot be signed: " + Bounded.describe(e));
			return e instanceof java.nio.file.NoSuchFileException ? NOT_FOUND : FAILED;
		}
	}

	private static int verify(CommandLine c, PrintStream out, PrintStream err) {
		Path file = Path.of(c.param(0));
		List<Keys.Trusted> keys;
		try {
			if (c.has("--key")) {
				Path k = Path.of(c.option("--key"));
				String name = k.getFileName().toString().replaceFirst("\\.pub$", "");
				keys = List.of(new Keys.Trusted(name, Keys.publicKey(Keys.read(k))));
			} else {
				Path folder = Path.of(c.options().getOrDefault("--keys", SecuritySettings.DEFAULT.trustedKeys().toString()));
				keys = Keys.trusted(folder);
				if (keys.isEmpty()) {
					err.println("dcp verify: no trusted key in " + folder + " (--keys names another folder, --key one key)");
					return FAILED;
				}
			}
		} catch (IOException e) {
			err.println("dcp verify: the trusted keys cannot be read: " + Bounded.describe(e));
			return FAILED;
		} catch (GeneralSecurityException e) {
			err.println("dcp verify: " + c.option("--key") + " is not a public key: " + e.getMessage());
			return FAILED;
		}
		if (!Files.isRegularFile(file)) {
			err.println("dcp verify: " + file + " is not a readable file");
			return NOT_FOUND;
		}
		try {
			PackageReader.Verified v = PackageReader.verify(file, null, Long.MAX_VALUE, s -> { });
			if (v.signature() == null) {
				err.println(file.getFileName() + ": valid, but not signed");
				return FAILED;
			}
			String signer = Keys.signer(v.manifestBytes(), v.signature(), keys);
			if (signer == null) {
				err.println(file.getFileName() + ": its signature does not verify with " + (keys.size() == 1 ? "the key " + keys.get(0).name()
					: "any of the " + keys.size() + " trusted keys"));
				return FAILED;
			}
			out.println(file.getFileName() + ": valid, signed by " + signer);
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
