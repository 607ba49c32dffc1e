package cc.container.util.dcp;

import cc.container.util.Bounded;
import cc.container.util.json.Json;
import cc.container.util.tar.TarWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.zip.GZIPOutputStream;

/**
 * Makes a DCP from a manifest and a payload, as the vendor's package generator makes it, so that a package built here
 * installs on the vendor's manager too (docs/dcp-format.md): the manifest's keys in the generator's order and with its
 * types ({@code version}, {@code firmware_versions}, {@code build_id}, {@code description} strings, {@code labels} an
 * object, {@code friendly_name} null when there is none, {@code registration_defaults} complete, {@code create_args}
 * last and only for {@code podman}); {@code created_at} in UTC with milliseconds and {@code Z}; the members
 * {@code checksums/}, {@code checksums/sha256sums.txt}, {@code manifest.json}, {@code metadata/},
 * {@code metadata/README.txt}, {@code metadata/changelog.txt}, {@code payload/} and the payload, folders included; the
 * Podman payload as {@code payload/image.tar}, an LXC payload under its own name. The result is verified like any
 * package before it is kept.
 */
public final class PackageBuilder {
	/** Output file names: the generator's current one, or the {@code _artifact_} one of its first versions. */
	public enum FileName {
		/** {@code <package_id>-<runtime>-<device_type>.tar.gz}. */
		DCP,
		/** {@code <package_id>_artifact_<runtime>_<device_type>.tar.gz}. */
		ARTIFACT
	}

	/**
	 * What to build.
	 *
	 * @param manifest the input manifest (what the author writes; the builder fills in the rest)
	 * @param payload the payload: a docker-archive {@code .tar} for Podman, a {@code .tar.gz} bundle for LXC
	 * @param outputDir where the package goes
	 * @param readme {@code metadata/README.txt}, or null for one made from the manifest
	 * @param changelog {@code metadata/changelog.txt}, or null for a one-line default
	 * @param fileName how the package file is named
	 */
	public record Request(Path manifest, Path payload, Path outputDir, Path readme, Path changelog, FileName fileName) {
	}

	/** The top-level manifest keys the generator writes, in its order. */
	static final List<String> KEYS = List.of("package_id", "name", "friendly_name", "version", "runtime", "artifact_type", "registration_defaults",
		"created_at", "digest", "device_types", "firmware_versions", "size_bytes", "build_id", "description", "labels", "create_args");

	private PackageBuilder() {
	}

	/** Builds with the default file name and metadata; returns the package's path. */
	public static Path build(Path manifestFile, Path payloadFile, Path outputDir) throws IOException, DcpException {
		return build(new Request(manifestFile, payloadFile, outputDir, null, null, FileName.DCP), s -> { });
	}

	/**
	 * Builds the package; returns its path.
	 *
	 * @param notes told of input fields the DCP format has no place for (they are left out), one sentence each
	 */
	@SuppressWarnings("unchecked")
	public static Path build(Request r, Consumer<String> notes) throws IOException, DcpException {
		Object tree;
		try {
			tree = Json.parse(r.manifest(), 1 << 20);
		} catch (Json.SyntaxException e) {
			throw new DcpException(r.manifest() + " is not valid JSON (" + e.getMessage() + ")");
		}
		if (!(tree instanceof Map)) {
			throw new DcpException(r.manifest() + " must hold a JSON object");
		}
		Map<String, Object> in = (Map<String, Object>) tree;
		Bounded.requireRegularFile(r.payload());
		String runtime = String.valueOf(in.get("runtime"));
		String payloadName = runtime.equals("podman") ? "image.tar" : r.payload().getFileName().toString();
		if (runtime.equals("podman") && !r.payload().getFileName().toString().toLowerCase().endsWith(".tar")) {
			throw new DcpException("a podman payload must be an image archive ending in .tar, not " + r.payload().getFileName());
		}
		if (runtime.equals("lxc") && !payloadName.toLowerCase().endsWith(".tar.gz")) {
			throw new DcpException("an lxc payload must be a bundle ending in .tar.gz, not " + payloadName);
		}
		MessageDigest md = PackageReader.sha256();
		try (InputStream s = new DigestInputStream(Files.newInputStream(r.payload()), md)) {
			s.transferTo(OutputStream.nullOutputStream());
		}
		String sha = HexFormat.of().formatHex(md.digest());
		long size = Files.size(r.payload());
		Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
		Map<String, Object> m = manifest(in, runtime, sha, size, now, notes);
		byte[] manifestJson = Json.write(m);
		Manifest manifest = Manifest.parse(manifestJson);
		String device = manifest.deviceTypes().get(0);
		String name = r.fileName() == FileName.ARTIFACT ? manifest.packageId() + "_artifact_" + runtime + "_" + device + ".tar.gz"
			: manifest.packageId() + "-" + runtime + "-" + device + ".tar.gz";
		if (name.contains("/")) {
			throw new DcpException("the package's file name " + name + " would hold a /: check package_id and device_types");
		}
		byte[] readme = r.readme() != null ? Bounded.read(r.readme(), 1 << 20) : ("Package: " + manifest.packageId() + "\nVersion: "
			+ manifest.version() + "\nRuntime: " + runtime + "\nPlatform: " + device + "\nPayload: " + payloadName + "\nGenerated: "
			+ m.get("created_at") + "\n").getBytes(StandardCharsets.UTF_8);
		byte[] changelog = r.changelog() != null ? Bounded.read(r.changelog(), 1 << 20)
			: ("Built with containerctl dcp build.\n").getBytes(StandardCharsets.UTF_8);
		Files.createDirectories(r.outputDir());
		Path out = r.outputDir().resolve(name);
		Path tmp = r.outputDir().resolve("." + name + ".part");
		try (OutputStream os = new GZIPOutputStream(Files.newOutputStream(tmp), 65536); TarWriter tar = new TarWriter(os)) {
			tar.directory("checksums", 0755, now);
			tar.file("checksums/sha256sums.txt", 0644, now, (sha + "  payload/" + payloadName + "\n").getBytes(StandardCharsets.UTF_8));
			tar.file("manifest.json", 0644, now, manifestJson);
			tar.directory("metadata", 0755, now);
			tar.file("metadata/README.txt", 0644, now, readme);
			tar.file("metadata/changelog.txt", 0644, now, changelog);
			tar.directory("payload", 0755, now);
			try (InputStream s = Files.newInputStream(r.payload())) {
				tar.file("payload/" + payloadName, 0644, now, size, s);
			}
		} catch (IOException | RuntimeException e) {
			Files.deleteIfExists(tmp);
			throw e;
		}
		Files.move(tmp, out, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
		return out;
	}

	/** The manifest as the generator writes it, from the author's input. */
	@SuppressWarnings("unchecked")
	static Map<String, Object> manifest(Map<String, Object> in, String runtime, String sha, long size, Instant now, Consumer<String> notes)
		throws DcpException {
		Map<String, Object> m = new LinkedHashMap<>();
		m.put("package_id", in.get("package_id"));
		if (in.get("name") != null) {
			m.put("name", in.get("name"));
		}
		m.put("friendly_name", in.get("friendly_name"));
		Object version = in.get("version");
		m.put("version", version instanceof BigDecimal ? ((BigDecimal) version).toPlainString() : version instanceof Number ? version.toString() : version);
		m.put("runtime", runtime);
		m.put("artifact_type", Manifest.artifactTypeOf(runtime));
		Map<String, Object> reg = new LinkedHashMap<>();
		Object given = in.get("registration_defaults");
		Map<String, Object> g = given instanceof Map ? (Map<String, Object>) given : Map.of();
		reg.put("autostart", g.getOrDefault("autostart", false));
		reg.put("monitor", g.getOrDefault("monitor", true));
		if (g.get("drm") != null) {
			reg.put("drm", g.get("drm"));
		}
		Map<String, Object> restart = new LinkedHashMap<>();
		Object gr = g.get("restart");
		Map<String, Object> rr = gr instanceof Map ? (Map<String, Object>) gr : Map.of();
		restart.put("enabled", rr.getOrDefault("enabled", false));
		restart.put("max_retries", rr.getOrDefault("max_retries", 3L));
		restart.put("window", rr.getOrDefault("window", 60L));
		restart.put("retry_delay", rr.getOrDefault("retry_delay", 3L));
		reg.put("restart", restart);
		// Extensions of this project (a health probe, say) stay in registration_defaults: the vendor's manager ignores them.
		g.forEach((k, v) -> reg.putIfAbsent(k, v));
		m.put("registration_defaults", reg);
		m.put("created_at", in.get("created_at") instanceof String ? in.get("created_at")
			: java.time.format.DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(java.time.ZoneOffset.UTC).format(now));
		m.put("digest", "sha256:" + sha);
		m.put("device_types", in.get("device_types"));
		Object fw = in.get("firmware_versions");
		m.put("firmware_versions", fw == null ? "" : fw instanceof List ? String.join(", ", strings((List<?>) fw)) : fw);
		m.put("size_bytes", size);
		m.put("build_id", in.get("build_id") == null ? "" : in.get("build_id"));
		m.put("description", in.get("description") == null ? "" : in.get("description"));
		m.put("labels", in.get("labels") == null ? new LinkedHashMap<>() : in.get("labels"));
		if (runtime.equals("podman")) {
			m.put("create_args", in.get("create_args"));
		} else if (in.get("create_args") != null) {
			throw new DcpException("manifest.json: create_args is not allowed in an lxc package");
		}
		for (String k : in.keySet()) {
			if (!KEYS.contains(k) && !k.equals("artifact_type") && !k.equals("digest") && !k.equals("size_bytes")) {
				notes.accept("the field " + k + " of " + "the manifest has no place in a DCP; it is left out");
			}
		}
		return m;
	}

	private static List<String> strings(List<?> l) throws DcpException {
		List<String> out = new ArrayList<>();
		for (Object o : l) {
			if (!(o instanceof String)) {
				throw new DcpException("manifest.json: firmware_versions must be a string");
			}
			out.add((String) o);
		}
		return out;
	}

	/** The names of the root entries a package built here holds, in order. */
	public static List<String> rootEntries() {
		return List.of("checksums/", "manifest.json", "metadata/", "payload/");
	}
}
