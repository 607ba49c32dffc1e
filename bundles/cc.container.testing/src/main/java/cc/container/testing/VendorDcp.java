package cc.container.testing;

import cc.container.util.json.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Packages as each version of the vendor's generator ({@code meta-digi-containers/scripts/generate-dcp.py}) writes
 * them, made here from what its source says it writes (docs/dcp-format.md, "Packages of the vendor's generator") —
 * none of its code: the manifest's keys in its order and with its types, {@code created_at} with milliseconds and
 * {@code Z}, the archive written by Python's {@code tarfile} as the generator's is (PAX headers before each member,
 * folder members, members in the generator's order), and its file name.
 *
 * <ul>
 * <li>{@link Version#V1}: {@code package_id} gets {@code -<created_at in ms, base 36>} at every build;</li>
 * <li>{@link Version#V2}: as V1, with {@code registration_defaults.drm};</li>
 * <li>{@link Version#V3}: as V2, with {@code name} and {@code friendly_name} ({@code null} when not given);</li>
 * <li>{@link Version#V5}: {@code name} required, {@code package_id} {@code <name>-<base 36>} unless given, no drm,
 * file named with dashes;</li>
 * <li>{@link Version#V6}: {@code package_id} as given, no {@code name}, no drm, dashes.</li>
 * </ul>
 */
public final class VendorDcp {
	/** The generator's versions whose output differs. */
	public enum Version {
		/** First stored version: suffixed package ids. */
		V1,
		/** Suffixed ids and the drm block. */
		V2,
		/** Optional name and friendly_name, drm. */
		V3,
		/** Name required, package id derived from it, no drm. */
		V5,
		/** Package id as given, no name. */
		V6
	}

	/**
	 * The author's input.
	 *
	 * @param id the {@code package_id} (V1–V3, V6) or {@code name} (V5) the author writes
	 * @param friendlyName a name for people, or null
	 * @param version the version
	 * @param runtime {@code lxc} or {@code podman}
	 * @param createArgs Podman's create arguments (null for LXC)
	 * @param drm the drm block (V2, V3), or null
	 * @param restart {@code enabled, max_retries, window, retry_delay}
	 * @param name V3 only: a name, or null (written as null)
	 */
	public record Input(String id, String friendlyName, String version, String runtime, String createArgs, Map<String, Object> drm,
		Map<String, Object> restart, String name) {
	}

	private VendorDcp() {
	}

	/** Lower-case base 36, as the generator writes the build suffix. */
	public static String base36(long v) {
		return Long.toString(v, 36);
	}

	/** The manifest {@code version} writes for {@code in} and a payload of this digest and size, built at {@code at}. */
	public static Map<String, Object> manifest(Version version, Input in, String sha256, long size, Instant at) {
		String created = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC).format(at);
		String suffix = "-" + base36(at.toEpochMilli());
		Map<String, Object> m = new LinkedHashMap<>();
		switch (version) {
			case V1, V2 -> m.put("package_id", in.id() + suffix);
			case V3 -> {
				m.put("package_id", in.id() + suffix);
				m.put("name", in.name());
				m.put("friendly_name", in.friendlyName());
			}
			case V5 -> {
				m.put("package_id", in.id() + suffix);
				m.put("name", in.id());
				m.put("friendly_name", in.friendlyName());
			}
			default -> {
				m.put("package_id", in.id());
				m.put("friendly_name", in.friendlyName());
			}
		}
		m.put("version", in.version());
		m.put("runtime", in.runtime());
		m.put("artifact_type", in.runtime().equals("podman") ? "podman-image-tar" : "lxc-bundle");
		Map<String, Object> reg = new LinkedHashMap<>();
		reg.put("autostart", true);
		reg.put("monitor", true);
		if ((version == Version.V2 || version == Version.V3) && in.drm() != null) {
			reg.put("drm", in.drm());
		}
		reg.put("restart", in.restart());
		m.put("registration_defaults", reg);
		m.put("created_at", created);
		m.put("digest", "sha256:" + sha256);
		m.put("device_types", List.of("ccmp25-dvk"));
		m.put("firmware_versions", ">=25.01");
		m.put("size_bytes", size);
		m.put("build_id", "0123abcd");
		m.put("description", "");
		m.put("labels", new LinkedHashMap<>());
		if (in.runtime().equals("podman")) {
			m.put("create_args", in.createArgs());
		}
		return m;
	}

	/** The file name {@code version} gives the package. */
	public static String fileName(Version version, Map<String, Object> manifest) {
		String id = (String) manifest.get("package_id");
		String runtime = (String) manifest.get("runtime");
		return version == Version.V5 || version == Version.V6 ? id + "-" + runtime + "-ccmp25-dvk.tar.gz"
			: id + "_artifact_" + runtime + "_ccmp25-dvk.tar.gz";
	}

	/**
	 * Writes a package into {@code outputDir} as {@code version} does; returns its path. The LXC payload keeps its
	 * file name, the Podman one becomes {@code image.tar}.
	 */
	public static Path write(Version version, Input in, Path payload, Path outputDir, Instant at) {
		try {
			byte[] bytes = Files.readAllBytes(payload);
			Map<String, Object> m = manifest(version, in, Packages.sha256(bytes), bytes.length, at);
			Path out = outputDir.resolve(fileName(version, m));
			Path manifestFile = Files.createTempFile(outputDir, "manifest", ".json");
			Files.write(manifestFile, Json.write(m));
			String payloadName = in.runtime().equals("podman") ? "image.tar" : payload.getFileName().toString();
			// Python's tarfile writes the archive as the generator's does; json.dumps(indent=2) writes its manifest.
			List<String> script = new ArrayList<>(List.of(
				"import json, os, shutil, sys, tarfile, tempfile, hashlib",
				"manifest, payload, payload_name, out, created = sys.argv[1:6]",
				"m = json.load(open(manifest))",
				"stage = tempfile.mkdtemp(prefix='dcp-bundle-')",
				"for d in ('checksums', 'metadata', 'payload'): os.makedirs(os.path.join(stage, d))",
				"shutil.copy2(payload, os.path.join(stage, 'payload', payload_name))",
				"open(os.path.join(stage, 'manifest.json'), 'w').write(json.dumps(m, indent=2) + '\\n')",
				"digest = m['digest'].split(':', 1)[1]",
				"open(os.path.join(stage, 'checksums', 'sha256sums.txt'), 'w').write(digest + '  payload/' + payload_name + '\\n')",
				"open(os.path.join(stage, 'metadata', 'README.txt'), 'w').write('Package: %s\\nVersion: %s\\n' % (m['package_id'], m['version']))",
				"open(os.path.join(stage, 'metadata', 'changelog.txt'), 'w').write('first build\\n')",
				"with tarfile.open(out, 'w:gz') as t:",
				"    for name in sorted(os.listdir(stage)):",
				"        t.add(os.path.join(stage, name), arcname=name, recursive=False)",
				"        p = os.path.join(stage, name)",
				"        if os.path.isdir(p):",
				"            for child in sorted(os.listdir(p)):",
				"                t.add(os.path.join(p, child), arcname=name + '/' + child)",
				"shutil.rmtree(stage)"));
			Sh.run(null, Map.of(), List.of("python3", "-c", String.join("\n", script), manifestFile.toString(), payload.toString(), payloadName,
				out.toString(), (String) m.get("created_at")));
			Files.delete(manifestFile);
			return out;
		} catch (IOException e) {
			throw new UncheckedIOException(e);
		} catch (Exception e) {
			throw new IllegalStateException(e);
		}
	}

	/**
	 * Checks a manifest against the types the newest generator writes, as a vendor's manager would read it: the
	 * message names the first field that differs, or null when every one is right.
	 */
	public static String typeProblem(Map<String, Object> m) {
		for (String k : List.of("package_id", "version", "runtime", "artifact_type", "created_at", "digest", "firmware_versions", "build_id",
			"description")) {
			if (!(m.get(k) instanceof String)) {
				return k + " is not a string: " + m.get(k);
			}
		}
		if (!m.containsKey("friendly_name") || !(m.get("friendly_name") == null || m.get("friendly_name") instanceof String)) {
			return "friendly_name is neither a string nor null";
		}
		if (!(m.get("device_types") instanceof List<?> d) || d.isEmpty() || !d.stream().allMatch(String.class::isInstance)) {
			return "device_types is not a non-empty list of strings";
		}
		if (!(m.get("size_bytes") instanceof Long)) {
			return "size_bytes is not a whole number";
		}
		if (!(m.get("labels") instanceof Map)) {
			return "labels is not an object";
		}
		if (!(m.get("registration_defaults") instanceof Map<?, ?> r) || !(r.get("autostart") instanceof Boolean) || !(r.get("monitor") instanceof Boolean)
			|| !(r.get("restart") instanceof Map<?, ?> rr) || !(rr.get("enabled") instanceof Boolean) || !(rr.get("max_retries") instanceof Long)
			|| !(rr.get("window") instanceof Long) || !(rr.get("retry_delay") instanceof Long)) {
			return "registration_defaults is not complete (autostart, monitor, restart.enabled, max_retries, window, retry_delay)";
		}
		if (!((String) m.get("created_at")).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z")) {
			return "created_at is not UTC with milliseconds and Z: " + m.get("created_at");
		}
		boolean podman = "podman".equals(m.get("runtime"));
		if (podman != m.containsKey("create_args") || (podman && !(m.get("create_args") instanceof String))) {
			return "create_args must be a string for podman and absent for lxc";
		}
		List<String> order = List.of("package_id", "name", "friendly_name", "version", "runtime", "artifact_type", "registration_defaults",
			"created_at", "digest", "device_types", "firmware_versions", "size_bytes", "build_id", "description", "labels", "create_args");
		List<String> keys = new ArrayList<>(m.keySet());
		List<String> expected = order.stream().filter(keys::contains).toList();
		if (!keys.equals(expected)) {
			return "the keys are not the generator's, in its order: " + keys;
		}
		return null;
	}
}
