package cc.container.util.dcp;

import cc.container.util.Bounded;
import cc.container.util.Sha256;
import cc.container.util.tar.TarEntry;
import cc.container.util.tar.TarPaths;
import cc.container.util.tar.TarReader;
import cc.container.util.tar.UnsafeArchiveException;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Reads a DCP in one streaming pass and verifies it completely: the archive's structure and every path, the manifest,
 * and the payload's SHA-256 and size against both the checksum file and the manifest. Only the payload is written
 * (to a staging folder, hashed as it is written); nothing is unpacked before it is checked, and a package that fails
 * any check leaves only that staging folder behind for the caller to delete.
 */
public final class PackageReader {
	static final Set<String> ROOTS = Set.of("manifest.json", "payload", "checksums", "metadata");
	static final int MAX_SMALL_FILE = 1 << 20;
	/** The most members a package may have (the generator writes 8; metadata/ may hold a few more files). */
	static final int MAX_MEMBERS = 256;

	private PackageReader() {
	}

	/** The member that holds the signature of manifest.json (docs/security.md); the vendor's manager does not read it. */
	public static final String SIGNATURE = "metadata/manifest.json.sig";
	/** The largest signature read (an Ed25519 signature is 64 bytes, an ECDSA one about 72). */
	static final int MAX_SIGNATURE = 4096;

	/**
	 * A verified package.
	 *
	 * @param manifest its manifest
	 * @param payload where its payload was written
	 * @param payloadName the payload's name in the package ({@code payload/<name>})
	 * @param manifestBytes manifest.json as the package holds it (what a signature signs)
	 * @param signature the content of {@link #SIGNATURE}, or null when the package has none
	 */
	public record Verified(Manifest manifest, Path payload, String payloadName, byte[] manifestBytes, byte[] signature) {
	}

	/**
	 * Verifies the package at {@code file}, writing its payload into {@code staging} (which must exist), or only
	 * hashing it when {@code staging} is null (the payload of {@link Verified} is null then).
	 *
	 * @param freeBytes bytes the payload may take at most (the free space of the staging folder, less a reserve)
	 * @param progress told what is being done, in a few words
	 */
	public static Verified verify(Path file, Path staging, long freeBytes, Consumer<String> progress) throws DcpException, IOException {
		Bounded.requireRegularFile(file);
		try (InputStream raw = Files.newInputStream(file)) {
			return verify(raw, staging, freeBytes, progress);
		}
	}

	/** Verifies a package read from {@code raw}. */
	public static Verified verify(InputStream raw, Path staging, long freeBytes, Consumer<String> progress) throws DcpException, IOException {
		byte[] manifest = null;
		byte[] checksums = null;
		byte[] signature = null;
		Path payload = null;
		String payloadName = null;
		long payloadSize = -1;
		String sha256 = null;
		Map<String, TarEntry.Type> seen = new HashMap<>();
		progress.accept("verifying");
		try (TarReader tar = new TarReader(new GZIPInputStream(raw, 65536))) {
			TarEntry e;
			while ((e = tar.next()) != null) {
				String name;
				try {
					name = TarPaths.normalize(e.name());
				} catch (UnsafeArchiveException x) {
					throw new DcpException("the package is refused: " + x.getMessage());
				}
				if (name.isEmpty()) {
					continue;
				}
				if (seen.size() >= MAX_MEMBERS) {
					throw new DcpException("the package is refused: it has more than " + MAX_MEMBERS + " members");
				}
				if (seen.put(name, e.type()) != null) {
					throw new DcpException("the package is refused: the member \"" + name + "\" appears twice");
				}
				String root = name.contains("/") ? name.substring(0, name.indexOf('/')) : name;
				if (!ROOTS.contains(root)) {
					throw new DcpException("the package is refused: \"" + name + "\" is not under manifest.json, payload/, checksums/ or metadata/");
				}
				switch (e.type()) {
					case DIRECTORY:
						continue;
					case SYMLINK:
						if (e.linkName().startsWith("/") || TarPaths.resolveRelative(name, e.linkName()) == null) {
							throw new DcpException("the package is refused: the symbolic link \"" + name + "\" points outside the package (" + e.linkName() + ")");
						}
						continue;
					case HARDLINK:
						if (TarPaths.earlierFile(e.linkName(), seen) == null) {
							throw new DcpException("the package is refused: the hard link \"" + name + "\" points outside the package (" + e.linkName() + ")");
						}
						continue;
					case FILE:
						break;
					case CHAR_DEVICE:
					case BLOCK_DEVICE:
						throw new DcpException("the package is refused: \"" + name + "\" is a device node");
					default:
						throw new DcpException("the package is refused: \"" + name + "\" is a special file");
				}
				if (name.equals("manifest.json")) {
					manifest = small(tar, e, name);
				} else if (name.equals("checksums/sha256sums.txt")) {
					checksums = small(tar, e, name);
				} else if (name.equals(SIGNATURE)) {
					if (e.size() > MAX_SIGNATURE) {
						throw new DcpException(name + " is too large (" + e.size() + " bytes) for a signature");
					}
					signature = small(tar, e, name);
				} else if (root.equals("payload")) {
					if (name.indexOf('/', "payload/".length()) >= 0) {
						throw new DcpException("the package is refused: the payload \"" + name + "\" is in a sub-folder of payload/");
					}
					if (payload != null) {
						throw new DcpException("the package holds more than one payload (" + payloadName + " and " + name + ")");
					}
					payloadName = name.substring("payload/".length());
					if (e.size() > freeBytes) {
						throw new DcpException("the package's payload (" + e.size() + " bytes) is larger than the free space (" + freeBytes + " bytes)");
					}
					progress.accept("verifying payload (" + e.size() / (1024 * 1024) + " MB)");
					payload = staging == null ? Path.of(payloadName) : staging.resolve(payloadName);
					MessageDigest md = sha256();
					OutputStream file;
					try {
						file = staging == null ? OutputStream.nullOutputStream() : Files.newOutputStream(payload, StandardOpenOption.CREATE_NEW);
					} catch (IOException x) {
						throw new StagingFailed(x);
					}
					try (OutputStream out = new DigestOutputStream(new StagingStream(file), md)) {
						tar.content().transferTo(out);
						payloadSize = e.size();
						sha256 = HexFormat.of().formatHex(md.digest());
					} finally {
						md.reset(); // frees a native digest that a failure abandoned
					}
				}
				// metadata/* and other files under the four roots are skipped unread
			}
		} catch (StagingFailed x) {
			throw x.getCause(); // the device's disk, not the package
		} catch (ZipException x) {
			throw new DcpException("the package is not a gzip-compressed tar (" + x.getMessage() + ")");
		} catch (EOFException x) {
			throw new DcpException("the package is truncated: it ends in the middle of its content");
		} catch (UnsafeArchiveException x) {
			throw new DcpException("the package is refused: " + x.getMessage());
		} catch (IOException x) {
			String m = String.valueOf(x.getMessage());
			if (m.contains("truncated") || m.contains("Unexpected end of ZLIB")) {
				throw new DcpException("the package is truncated: it ends in the middle of its content");
			}
			// Whatever else the tar reader or the decompressor found wrong is the package's fault.
			throw new DcpException("the package is not a valid tar archive inside its gzip (" + m + ")");
		}
		if (manifest == null) {
			throw new DcpException("the package has no manifest.json");
		}
		Manifest m = Manifest.parse(manifest);
		if (payload == null) {
			throw new DcpException("the package has no payload in payload/");
		}
		if (checksums == null) {
			throw new DcpException("the package has no checksums/sha256sums.txt");
		}
		if (m.runtime().equals("podman") && !payloadName.equals("image.tar")) {
			throw new DcpException("a podman package's payload must be payload/image.tar, not payload/" + payloadName);
		}
		if (m.runtime().equals("lxc") && !payloadName.endsWith(".tar.gz")) {
			throw new DcpException("an lxc package's payload must be a .tar.gz, not payload/" + payloadName);
		}
		String listed = checksumOf(checksums, "payload/" + payloadName);
		if (listed == null) {
			throw new DcpException("checksums/sha256sums.txt has no line for payload/" + payloadName);
		}
		if (!listed.equals(sha256)) {
			throw new DcpException("the payload's SHA-256 (" + sha256 + ") does not match checksums/sha256sums.txt (" + listed + ")");
		}
		if (!m.sha256().equals(sha256)) {
			throw new DcpException("the payload's SHA-256 (" + sha256 + ") does not match the manifest's digest (" + m.digest() + ")");
		}
		if (m.sizeBytes() != payloadSize) {
			throw new DcpException("the payload is " + payloadSize + " bytes but the manifest declares " + m.sizeBytes() + " (size_bytes)");
		}
		return new Verified(m, staging == null ? null : payload, payloadName, manifest, signature);
	}

	/** A failure to write the staged payload: the device's disk, not the package. */
	static final class StagingFailed extends IOException {
		private static final long serialVersionUID = 1L;

		StagingFailed(IOException cause) {
			super(cause);
		}

		@Override
		public synchronized IOException getCause() {
			return (IOException) super.getCause();
		}
	}

	/** The staged payload's file: its write failures are told apart from the package's read failures. */
	static final class StagingStream extends java.io.FilterOutputStream {
		StagingStream(OutputStream out) {
			super(out);
		}

		@Override
		public void write(byte[] b, int off, int len) throws IOException {
			try {
				out.write(b, off, len);
			} catch (IOException e) {
				throw new StagingFailed(e);
			}
		}

		@Override
		public void close() throws IOException {
			try {
				out.close();
			} catch (IOException e) {
				throw new StagingFailed(e);
			}
		}
	}

	private static byte[] small(TarReader tar, TarEntry e, String name) throws IOException, DcpException {
		if (e.size() > MAX_SMALL_FILE) {
			throw new DcpException(name + " is too large (" + e.size() + " bytes, at most " + MAX_SMALL_FILE + ")");
		}
		return tar.content().readAllBytes();
	}

	/** The hash listed for {@code path} in a sha256sum file ({@code <hex>  <path>}, or {@code <hex> *<path>}). */
	static String checksumOf(byte[] file, String path) throws DcpException {
		for (String line : new String(file, StandardCharsets.UTF_8).split("\n")) {
			String l = line.strip();
			if (l.isEmpty()) {
				continue;
			}
			int sp = l.indexOf(' ');
			if (sp != 64 || !l.substring(0, 64).matches("[0-9a-fA-F]{64}")) {
				throw new DcpException("checksums/sha256sums.txt has a line that is not \"<sha256>  <path>\": " + (l.length() > 80 ? l.substring(0, 80) : l));
			}
			String p = l.substring(sp).trim();
			if (p.startsWith("*")) {
				p = p.substring(1);
			}
			if (p.equals(path) || p.equals("./" + path)) {
				return l.substring(0, 64).toLowerCase();
			}
		}
		return null;
	}

	static MessageDigest sha256() {
		return Sha256.newDigest();
	}
}
