package cc.container.util.dcp;

import cc.container.api.config.ContainerConfig;
import cc.container.api.config.DrmSettings;
import cc.container.api.config.HealthCheck;
import cc.container.api.config.RestartPolicy;
import cc.container.util.drm.Drm;
import cc.container.util.health.HealthJson;
import cc.container.util.json.Json;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The manifest of a DCP (docs/dcp-format.md), validated as every version of the vendor's package generator writes it,
 * and as this project's earlier packages wrote it.
 *
 * <p>Required: {@code package_id} (a non-empty string), {@code version} (number or non-empty string),
 * {@code runtime}, {@code artifact_type} (matching the runtime), {@code digest} ({@code sha256:<64 hex>}),
 * {@code size_bytes}, {@code device_types} (non-empty), {@code created_at} (UTC ISO-8601), and {@code create_args} for
 * {@code podman} (absent or null for {@code lxc}). Optional: {@code name} (the container's id when given; the
 * generator writes null when there is none), {@code friendly_name} (null allowed), {@code registration_defaults} with
 * its {@code drm} block and its {@code health} check (an extension of this project, docs/configuration.md), {@code firmware_versions} (a string, or a list of strings as earlier packages wrote it),
 * {@code build_id} and {@code description} (strings), {@code labels} (an object), and an older top-level {@code drm}
 * block (accepted and ignored). Other fields are tolerated and kept in {@link #raw()}.
 */
public record Manifest(String packageId, String name, String friendlyName, String version, String runtime, String artifactType, boolean autostart,
	boolean monitor, RestartPolicy restart, DrmSettings drm, String createdAt, String digest, List<String> deviceTypes, String firmwareVersions,
	long sizeBytes, String buildId, String description, Map<String, String> labels, String createArgs, HealthCheck health, Map<String, Object> raw) {

	static final Set<String> KNOWN = Set.of("package_id", "name", "friendly_name", "version", "runtime", "artifact_type", "registration_defaults",
		"drm", "created_at", "digest", "device_types", "firmware_versions", "size_bytes", "build_id", "description", "labels", "create_args");
	static final Pattern DIGEST = Pattern.compile("sha256:[0-9a-f]{64}");

	/** The artifact type a runtime takes. */
	public static String artifactTypeOf(String runtime) {
		return ContainerConfig.PODMAN.equals(runtime) ? "podman-image-tar" : "lxc-bundle";
	}

	/** The hex SHA-256 of the digest. */
	public String sha256() {
		return digest.substring("sha256:".length());
	}

	/**
	 * The id of the container this package installs: its {@code name} when it has one (the generators that write a
	 * name derive a new {@code package_id} from it at every build), else its {@code package_id}.
	 */
	public String containerId() {
		return name != null ? name : packageId;
	}

	/** The container entry this package registers, as the container {@code id}. */
	public ContainerConfig registration(String id) {
		return new ContainerConfig(id, friendlyName, version, runtime, createArgs, autostart, monitor, restart, drm, packageId, health, false);
	}

	/** The container entry this package registers under its own id. */
	public ContainerConfig registration() {
		return registration(containerId());
	}

	/** Parses and validates {@code manifest.json}. */
	@SuppressWarnings("unchecked")
	public static Manifest parse(byte[] content) throws DcpException {
		Object tree;
		try {
			tree = Json.parse(content);
		} catch (Json.SyntaxException e) {
			throw new DcpException("manifest.json is not valid JSON (" + e.getMessage() + ")");
		}
		if (!(tree instanceof Map)) {
			throw new DcpException("manifest.json must hold a JSON object");
		}
		Map<String, Object> m = (Map<String, Object>) tree;
		String id = string(m, "package_id", true);
		if (id.isBlank()) {
			throw new DcpException("manifest.json: package_id must not be empty");
		}
		String name = string(m, "name", false);
		String containerId = name != null ? name : id;
		if (!ContainerConfig.ID.matcher(containerId).matches()) {
			throw new DcpException("manifest.json: " + (name != null ? "name" : "package_id") + " \"" + containerId
				+ "\" is not a valid id (1 to 64 letters, digits, '_', '.' or '-', starting with a letter or digit)");
		}
		Object v = m.get("version");
		String version;
		if (v == null) {
			throw new DcpException("manifest.json: version is missing");
		} else if (v instanceof String && !((String) v).isBlank()) {
			version = (String) v;
		} else if (v instanceof BigDecimal) {
			version = ((BigDecimal) v).toPlainString();
		} else if (v instanceof Number) {
			version = v.toString();
		} else {
			throw new DcpException("manifest.json: version must be a number or a non-empty string");
		}
		String runtime = string(m, "runtime", true);
		if (!runtime.equals(ContainerConfig.LXC) && !runtime.equals(ContainerConfig.PODMAN)) {
			throw new DcpException("manifest.json: runtime must be lxc or podman, not \"" + runtime + "\"");
		}
		String artifact = string(m, "artifact_type", true);
		if (!artifact.equals(artifactTypeOf(runtime))) {
			throw new DcpException("manifest.json: artifact_type must be " + artifactTypeOf(runtime) + " for runtime " + runtime + ", not \"" + artifact + "\"");
		}
		String createArgs = string(m, "create_args", false);
		if (runtime.equals(ContainerConfig.PODMAN) && createArgs == null) {
			throw new DcpException("manifest.json: create_args is missing (required for podman packages)");
		}
		if (runtime.equals(ContainerConfig.LXC) && createArgs != null) {
			throw new DcpException("manifest.json: create_args is not allowed in an lxc package");
		}
		String created = string(m, "created_at", true);
		try {
			OffsetDateTime.parse(created);
		} catch (DateTimeParseException e) {
			throw new DcpException("manifest.json: created_at \"" + created + "\" is not an ISO-8601 time");
		}
		String digest = string(m, "digest", true);
		if (!DIGEST.matcher(digest).matches()) {
			throw new DcpException("manifest.json: digest must be sha256: and 64 lower-case hex digits, not \"" + digest + "\"");
		}
		List<String> devices = strings(m, "device_types", true);
		if (devices.isEmpty()) {
			throw new DcpException("manifest.json: device_types must name at least one device type");
		}
		Object size = m.get("size_bytes");
		if (size == null) {
			throw new DcpException("manifest.json: size_bytes is missing");
		}
		if (!(size instanceof Long) || (Long) size < 0) {
			throw new DcpException("manifest.json: size_bytes must be a whole number of bytes, 0 or more");
		}
		boolean autostart = false;
		boolean monitor = true;
		RestartPolicy restart = RestartPolicy.DEFAULT;
		DrmSettings drm = null;
		HealthCheck health = null;
		Object reg = m.get("registration_defaults");
		if (reg != null) {
			if (!(reg instanceof Map)) {
				throw new DcpException("manifest.json: registration_defaults must be an object");
			}
			Map<String, Object> r = (Map<String, Object>) reg;
			autostart = bool(r, "registration_defaults.autostart", "autostart", false);
			monitor = bool(r, "registration_defaults.monitor", "monitor", true);
			Object rp = r.get("restart");
			if (rp != null) {
				if (!(rp instanceof Map)) {
					throw new DcpException("manifest.json: registration_defaults.restart must be an object");
				}
				Map<String, Object> p = (Map<String, Object>) rp;
				restart = new RestartPolicy(bool(p, "registration_defaults.restart.enabled", "enabled", false),
					whole(p, "max_retries", 0, 1_000_000, RestartPolicy.DEFAULT.maxRetries()),
					whole(p, "retry_delay", 0, 86_400, RestartPolicy.DEFAULT.retryDelaySeconds()),
					whole(p, "window", 1, 7 * 86_400, RestartPolicy.DEFAULT.windowSeconds()));
			}
			if (r.get("drm") != null) {
				try {
					drm = Drm.parse(r.get("drm"));
				} catch (IllegalArgumentException e) {
					throw new DcpException("manifest.json: registration_defaults.drm" + (e.getMessage().startsWith(".") ? "" : " ") + e.getMessage());
				}
			}
			if (r.get("health") != null) {
				try {
					health = HealthJson.parse(r.get("health"));
				} catch (IllegalArgumentException e) {
					throw new DcpException("manifest.json: registration_defaults.health" + (e.getMessage().startsWith(".") ? "" : " ") + e.getMessage());
				}
			}
		}
		Map<String, String> labels = new LinkedHashMap<>();
		Object l = m.get("labels");
		if (l != null) {
			if (!(l instanceof Map)) {
				throw new DcpException("manifest.json: labels must be an object");
			}
			((Map<String, Object>) l).forEach((k, x) -> labels.put(k, String.valueOf(x)));
		}
		return new Manifest(id, name, string(m, "friendly_name", false), version, runtime, artifact, autostart, monitor, restart, drm, created,
			digest, devices, firmwareVersions(m), (Long) size, string(m, "build_id", false), string(m, "description", false), labels, createArgs, health, m);
	}

	/** A string as the generator writes it, or a list of strings as earlier packages did (joined with ", "). */
	private static String firmwareVersions(Map<String, Object> m) throws DcpException {
		Object o = m.get("firmware_versions");
		if (o == null || o instanceof String) {
			return (String) o;
		}
		if (o instanceof List) {
			return String.join(", ", strings(m, "firmware_versions", false));
		}
		throw new DcpException("manifest.json: firmware_versions must be a string (or a list of strings)");
	}

	private static String string(Map<String, Object> m, String key, boolean required) throws DcpException {
		Object o = m.get(key);
		if (o == null) {
			if (required) {
				throw new DcpException("manifest.json: " + key + " is missing");
			}
			return null;
		}
		if (!(o instanceof String)) {
			throw new DcpException("manifest.json: " + key + " must be a string");
		}
		return (String) o;
	}

	private static List<String> strings(Map<String, Object> m, String key, boolean required) throws DcpException {
		Object o = m.get(key);
		if (o == null) {
			if (required) {
				throw new DcpException("manifest.json: " + key + " is missing");
			}
			return List.of();
		}
		if (!(o instanceof List)) {
			throw new DcpException("manifest.json: " + key + " must be a list of strings");
		}
		List<String> out = new ArrayList<>();
		for (Object x : (List<?>) o) {
			if (!(x instanceof String)) {
				throw new DcpException("manifest.json: " + key + " must be a list of strings");
			}
			out.add((String) x);
		}
		return List.copyOf(out);
	}

	private static boolean bool(Map<String, Object> m, String path, String key, boolean def) throws DcpException {
		Object o = m.get(key);
		if (o == null) {
			return def;
		}
		if (!(o instanceof Boolean)) {
			throw new DcpException("manifest.json: " + path + " must be true or false");
		}
		return (Boolean) o;
	}

	private static int whole(Map<String, Object> m, String key, long min, long max, int def) throws DcpException {
		Object o = m.get(key);
		if (o == null) {
			return def;
		}
		if (!(o instanceof Long) || (Long) o < min || (Long) o > max) {
			throw new DcpException("manifest.json: registration_defaults.restart." + key + " must be a whole number from " + min + " to " + max);
		}
		return (int) (long) (Long) o;
	}

	/** The manifest as indented JSON. */
	public String json() {
		return new String(Json.write(raw), StandardCharsets.UTF_8);
	}
}
