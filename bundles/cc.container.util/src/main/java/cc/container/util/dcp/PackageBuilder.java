package cc.container.util.dcp;

import cc.container.util.json.Json;
import cc.container.util.tar.TarWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;

/**
 * Makes a DCP from a manifest and a payload, in exactly the format of SPEC section 5: root entries sorted
 * ({@code checksums/}, {@code manifest.json}, {@code metadata/}, {@code payload/}), the checksum line as
 * {@code sha256sum} prints it, a README and a changelog, and the name {@code <package_id>-<runtime>-<device_type>.tar.gz}.
 * The builder fills in {@code digest}, {@code size_bytes}, {@code artifact_type} and (when absent)
 * {@code created_at}; the result is then verified like any package.
 */
public final class PackageBuilder {
	private PackageBuilder() {
	}

	/** Builds the package into {@code outputDir}; returns its path. */
	@SuppressWarnings("unchecked")
	public static Path build(Path manifestFile, Path payloadFile, Path outputDir) throws IOException, DcpException {
		Object tree;
		try {
			tree = Json.parse(Files.readAllBytes(manifestFile));
		} catch (Json.SyntaxException e) {
			throw new DcpException(manifestFile + " is not valid JSON (" + e.getMessage() + ")");
		}
		if (!(tree instanceof Map)) {
			throw new DcpException(manifestFile + " must hold a JSON object");
		}
		Map<String, Object> m = new LinkedHashMap<>((Map<String, Object>) tree);
		MessageDigest md = PackageReader.sha256();
		try (InputStream in = new DigestInputStream(Files.newInputStream(payloadFile), md)) {
			in.transferTo(OutputStream.nullOutputStream());
		}
		String sha = HexFormat.of().formatHex(md.digest());
		long size = Files.size(payloadFile);
		Object runtime = m.get("runtime");
		m.put("artifact_type", Manifest.artifactTypeOf(String.valueOf(runtime)));
		m.putIfAbsent("created_at", Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
		m.put("digest", "sha256:" + sha);
		m.put("size_bytes", size);
		byte[] manifestJson = Json.write(m);
		Manifest manifest = Manifest.parse(manifestJson);
		String payloadName = manifest.runtime().equals("podman") ? "image.tar" : "rootfs.tar.gz";
		String name = manifest.packageId() + "-" + manifest.runtime() + "-" + manifest.deviceTypes().get(0) + ".tar.gz";
		Files.createDirectories(outputDir);
		Path out = outputDir.resolve(name);
		Path tmp = outputDir.resolve("." + name + ".part");
		Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
		String readme = manifest.friendlyName() == null ? manifest.packageId() : manifest.friendlyName();
		readme += " " + manifest.version() + "\n\n" + (manifest.description() == null ? "" : manifest.description() + "\n");
		try (OutputStream os = new GZIPOutputStream(Files.newOutputStream(tmp), 65536); TarWriter tar = new TarWriter(os)) {
			tar.directory("checksums", 0755, now);
			tar.file("checksums/sha256sums.txt", 0644, now, (sha + "  payload/" + payloadName + "\n").getBytes(StandardCharsets.UTF_8));
			tar.file("manifest.json", 0644, now, manifestJson);
			tar.directory("metadata", 0755, now);
			tar.file("metadata/README.txt", 0644, now, readme.getBytes(StandardCharsets.UTF_8));
			tar.file("metadata/changelog.txt", 0644, now, (manifest.version() + ": built " + now + "\n").getBytes(StandardCharsets.UTF_8));
			tar.directory("payload", 0755, now);
			try (InputStream in = Files.newInputStream(payloadFile)) {
				tar.file("payload/" + payloadName, 0644, now, size, in);
			}
		}
		Files.move(tmp, out, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
		return out;
	}

	/** The names of the root entries a package built here holds, in order. */
	public static List<String> rootEntries() {
		return List.of("checksums/", "manifest.json", "metadata/", "payload/");
	}
}
