package cc.container.config.internal;

import cc.container.api.config.ConfigException;
import cc.container.api.config.ContainerConfig;
import cc.container.api.config.DrmSettings;
import cc.container.api.config.HealthCheck;
import cc.container.api.config.RestartPolicy;
import cc.container.util.drm.Drm;
import cc.container.util.health.HealthJson;
import cc.container.util.json.Json;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Validates the containers configuration (SPEC section 4) and keeps each entry's raw JSON, so that fields this
 * version does not know survive a rewrite.
 */
public final class ContainersParser {

	/** Fields the daemon itself adds to an entry (kept, never warned about). */
	static final List<String> DAEMON_FIELDS = List.of("image", "digest", "installed_at", "desired");

	private ContainersParser() {
	}

	/**
	 * Valid entries, the raw document they came from, and the warnings found on the way.
	 *
	 * @param containers the entries, in file order
	 * @param document the raw document: its {@code containers} list holds one raw object per entry, in order
	 * @param warnings unknown fields
	 */
	public record Result(List<ContainerConfig> containers, Map<String, Object> document, List<String> warnings) {
	}

	/** Validates the content of the file named {@code name}. */
	@SuppressWarnings("unchecked")
	public static Result parse(String name, byte[] content) throws ConfigException {
		Object tree;
		try {
			tree = Json.parse(content);
		} catch (Json.SyntaxException e) {
			throw new ConfigException(name + ": malformed JSON at " + e.getMessage());
		}
		List<String> warnings = new ArrayList<>();
		Fields root = Fields.root(name, tree, warnings);
		Object list = root.raw("containers");
		List<ContainerConfig> out = new ArrayList<>();
		if (list != null) {
			if (!(list instanceof List)) {
				throw root.error("containers", "must be an array, got " + Fields.describe(list));
			}
			Map<String, Integer> seen = new HashMap<>();
			List<Object> entries = (List<Object>) list;
			for (int i = 0; i < entries.size(); i++) {
				String path = "containers[" + i + "]";
				Object e = entries.get(i);
				if (!(e instanceof Map)) {
					throw new ConfigException(name + ": " + path + ": must be a JSON object, got " + Fields.describe(e));
				}
				ContainerConfig c = entry(new Fields(name, path, (Map<String, Object>) e, warnings));
				Integer before = seen.putIfAbsent(c.id(), i);
				if (before != null) {
					throw new ConfigException(name + ": " + path + ".id: duplicate id \"" + c.id() + "\" (also at containers["
						+ before + "])");
				}
				out.add(c);
			}
		}
		root.warnUnknown();
		Map<String, Object> doc = (Map<String, Object>) tree;
		if (!doc.containsKey("containers")) {
			doc.put("containers", new ArrayList<>());
		}
		return new Result(List.copyOf(out), doc, List.copyOf(warnings));
	}

	static ContainerConfig entry(Fields f) throws ConfigException {
		if (!f.has("id")) {
			throw f.error("id", "is required");
		}
		String id = f.string("id", null);
		if (!ContainerConfig.ID.matcher(id).matches()) {
			throw f.error("id", "\"" + id + "\" is not a valid id: use 1 to 64 letters, digits, '_', '.' or '-', starting with a letter or digit");
		}
		String friendly = f.string("friendly_name", null);
		String version = version(f);
		if (!f.has("runtime")) {
			throw f.error("runtime", "is required (lxc or podman)");
		}
		String runtime = f.string("runtime", null);
		if (!runtime.equals(ContainerConfig.LXC) && !runtime.equals(ContainerConfig.PODMAN)) {
			throw f.error("runtime", "must be lxc or podman, got \"" + runtime + "\"");
		}
		String createArgs = f.string("create_args", "");
		if (runtime.equals(ContainerConfig.LXC) && !createArgs.isBlank()) {
			throw f.error("create_args", "is for podman containers only; an lxc container takes its settings from its config file");
		}
		boolean autostart = f.bool("autostart", false);
		boolean monitor = f.bool("monitor", true);
		Fields r = f.object("restart");
		RestartPolicy d = RestartPolicy.DEFAULT;
		RestartPolicy restart = new RestartPolicy(r.bool("enabled", d.enabled()),
			(int) r.integer("max_retries", d.maxRetries(), 0, 1_000_000),
			(int) r.integer("retry_delay", d.retryDelaySeconds(), 0, 86_400),
			(int) r.integer("window", d.windowSeconds(), 1, 7 * 86_400));
		r.warnUnknown();
		DrmSettings drm = null;
		Object drmBlock = f.raw("drm");
		if (drmBlock != null) {
			try {
				drm = Drm.parse(drmBlock);
			} catch (IllegalArgumentException e) {
				String m = e.getMessage();
				throw f.error("drm" + (m.startsWith(".") ? m.substring(0, m.indexOf(' ')) : ""), m.startsWith(".") ? m.substring(m.indexOf(' ') + 1) : m);
			}
		}
		HealthCheck health = null;
		Object healthBlock = f.raw("health");
		if (healthBlock != null) {
			try {
				health = HealthJson.parse(healthBlock);
			} catch (IllegalArgumentException e) {
				String m = e.getMessage();
				throw f.error("health" + (m.startsWith(".") ? m.substring(0, m.indexOf(' ')) : ""), m.startsWith(".") ? m.substring(m.indexOf(' ') + 1) : m);
			}
		}
		boolean forwardLogs = f.bool("forward_logs", false);
		String packageId = f.string("package_id", null);
		for (String own : DAEMON_FIELDS) {
			f.raw(own);
		}
		f.warnUnknown();
		return new ContainerConfig(id, friendly, version, runtime, createArgs, autostart, monitor, restart, drm, packageId, health, forwardLogs);
	}

	private static String version(Fields f) throws ConfigException {
		Object v = f.raw("version");
		if (v == null) {
			return null;
		}
		if (v instanceof String) {
			return (String) v;
		}
		if (v instanceof BigDecimal) {
			return ((BigDecimal) v).toPlainString();
		}
		if (v instanceof Number) {
			return v.toString();
		}
		throw f.error("version", "must be a number or a string, got " + Fields.describe(v));
	}

	/**
	 * The raw object of an entry with the values of {@code c} merged in: fields of {@code c} replace their raw
	 * counterparts, every other field of {@code raw} stays where it was.
	 */
	static Map<String, Object> merge(Map<String, Object> raw, ContainerConfig c) {
		Map<String, Object> m = raw == null ? new LinkedHashMap<>() : new LinkedHashMap<>(raw);
		m.put("id", c.id());
		putOrRemove(m, "friendly_name", c.friendlyName());
		Object oldVersion = m.get("version");
		if (c.version() == null) {
			m.remove("version");
		} else if (oldVersion instanceof Number && numberText(oldVersion).equals(c.version())) {
			// unchanged: keep the number as the user wrote it
		} else {
			m.put("version", c.version());
		}
		m.put("runtime", c.runtime());
		if (c.runtime().equals(ContainerConfig.PODMAN)) {
			m.put("create_args", c.createArgs());
		} else {
			m.remove("create_args");
		}
		m.put("autostart", c.autostart());
		m.put("monitor", c.monitor());
		Map<String, Object> restart = new LinkedHashMap<>();
		Object oldRestart = m.get("restart");
		if (oldRestart instanceof Map) {
			@SuppressWarnings("unchecked")
			Map<String, Object> or = (Map<String, Object>) oldRestart;
			restart.putAll(or);
		}
		restart.put("enabled", c.restart().enabled());
		restart.put("max_retries", (long) c.restart().maxRetries());
		restart.put("retry_delay", (long) c.restart().retryDelaySeconds());
		restart.put("window", (long) c.restart().windowSeconds());
		m.put("restart", restart);
		if (c.drm() == null) {
			m.remove("drm");
		} else {
			m.put("drm", Drm.json(c.drm()));
		}
		putOrRemove(m, "package_id", c.packageId());
		if (c.health() == null) {
			m.remove("health");
		} else {
			m.put("health", HealthJson.json(c.health()));
		}
		if (c.forwardLogs()) {
			m.put("forward_logs", true);
		} else if (m.containsKey("forward_logs")) {
			m.put("forward_logs", false);
		}
		return m;
	}

	private static String numberText(Object n) {
		return n instanceof BigDecimal ? ((BigDecimal) n).toPlainString() : n.toString();
	}

	private static void putOrRemove(Map<String, Object> m, String key, Object value) {
		if (value == null) {
			m.remove(key);
		} else {
			m.put(key, value);
		}
	}
}
