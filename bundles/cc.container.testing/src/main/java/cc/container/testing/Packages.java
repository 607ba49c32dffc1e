package cc.container.testing;

import cc.container.util.json.Json;
import cc.container.util.tar.TarWriter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;

/** Makes packages for tests: good ones as the generator writes them, and broken or hostile ones, byte by byte. */
public final class Packages {
	private Packages() {
	}

	public static String sha256(byte[] b) throws Exception {
		return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
	}

	/** A manifest for {@code payload}, with every required field right. */
	public static Map<String, Object> manifest(String id, String version, String runtime, byte[] payload) throws Exception {
		Map<String, Object> m = new LinkedHashMap<>();
		m.put("package_id", id);
		m.put("friendly_name", "Test " + id);
		m.put("version", version);
		m.put("runtime", runtime);
		m.put("artifact_type", runtime.equals("podman") ? "podman-image-tar" : "lxc-bundle");
		m.put("registration_defaults", Map.of("autostart", true, "monitor", true,
			"restart", Map.of("enabled", true, "max_retries", 3L, "window", 60L, "retry_delay", 0L)));
		m.put("drm", Map.of("enabled", false));
		m.put("created_at", "2026-11-28T20:00:00Z");
		m.put("digest", "sha256:" + sha256(payload));
		m.put("device_types", List.of("ccmp25-dvk"));
		m.put("size_bytes", (long) payload.length);
		m.put("description", "a test package");
		if (runtime.equals("podman")) {
			m.put("create_args", "--network none");
		}
		return m;
	}

	/** A package with these members, in this order (a null value is a folder). */
	public static Path write(Path out, Map<String, byte[]> members) throws IOException {
		try (OutputStream os = new GZIPOutputStream(Files.newOutputStream(out)); TarWriter tar = new TarWriter(os)) {
			Instant now = Instant.parse("2026-11-28T20:00:00Z");
			for (Map.Entry<String, byte[]> e : members.entrySet()) {
				if (e.getValue() == null) {
					tar.directory(e.getKey(), 0755, now);
				} else {
					tar.file(e.getKey(), 0644, now, e.getValue());
				}
			}
		}
		return out;
	}

	/** A well-formed package of {@code manifest} and {@code payload}, listing {@code checksum} for it. */
	public static Path dcp(Path out, Map<String, Object> manifest, String payloadName, byte[] payload, String checksum) throws Exception {
		Map<String, byte[]> members = new LinkedHashMap<>();
		members.put("checksums", null);
		members.put("checksums/sha256sums.txt", (checksum + "  payload/" + payloadName + "\n").getBytes(StandardCharsets.UTF_8));
		members.put("manifest.json", Json.write(manifest));
		members.put("metadata", null);
		members.put("metadata/README.txt", "readme\n".getBytes(StandardCharsets.UTF_8));
		members.put("payload", null);
		members.put("payload/" + payloadName, payload);
		return write(out, members);
	}

	public static Path dcp(Path out, Map<String, Object> manifest, String payloadName, byte[] payload) throws Exception {
		return dcp(out, manifest, payloadName, payload, sha256(payload));
	}

	/** A package with hostile members made by Python's tarfile, gzip-compressed, after a valid manifest and payload. */
	public static Path hostile(Path out, Map<String, Object> manifest, String payloadName, byte[] payload, String pythonMembers) throws Exception {
		Path dir = Files.createTempDirectory(out.getParent(), "h");
		Files.write(dir.resolve("manifest.json"), Json.write(manifest));
		Files.write(dir.resolve("payload"), payload);
		Files.writeString(dir.resolve("sums"), sha256(payload) + "  payload/" + payloadName + "\n");
		String script = "import tarfile,io,sys\n"
			+ "t=tarfile.open(sys.argv[1],'w:gz',format=tarfile.PAX_FORMAT)\n"
			+ "def f(n,data=b'x'):\n  i=tarfile.TarInfo(n); i.size=len(data); t.addfile(i,io.BytesIO(data))\n"
			+ "def l(n,target,kind=tarfile.SYMTYPE):\n  i=tarfile.TarInfo(n); i.type=kind; i.linkname=target; t.addfile(i)\n"
			+ "def d(n,kind=tarfile.DIRTYPE):\n  i=tarfile.TarInfo(n); i.type=kind; t.addfile(i)\n"
			+ "D=sys.argv[2]\n"
			+ "f('checksums/sha256sums.txt', open(D+'/sums','rb').read())\n"
			+ "f('manifest.json', open(D+'/manifest.json','rb').read())\n"
			+ "f('payload/" + payloadName + "', open(D+'/payload','rb').read())\n"
			+ pythonMembers + "\nt.close()\n";
		Sh.run(null, Map.of(), List.of("python3", "-c", script, out.toString(), dir.toString()));
		Sh.run("rm", "-rf", dir.toString());
		return out;
	}

	/** What writes the members of a raw package. */
	public interface Members {
		/** Writes the members. */
		void write(TarWriter tar) throws IOException;
	}

	/**
	 * A package whose members are written by {@code members} exactly as given ({@link TarWriter#member}), gzip-compressed:
	 * for archives no well-behaved tool writes.
	 */
	public static Path raw(Path out, Members members) throws IOException {
		try (OutputStream os = new GZIPOutputStream(Files.newOutputStream(out)); TarWriter tar = new TarWriter(os)) {
			members.write(tar);
		}
		return out;
	}

	public static byte[] gzip(byte[] b) throws IOException {
		ByteArrayOutputStream bos = new ByteArrayOutputStream();
		try (OutputStream os = new GZIPOutputStream(bos)) {
			os.write(b);
		}
		return bos.toByteArray();
	}
}
