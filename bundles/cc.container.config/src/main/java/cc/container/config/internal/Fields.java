package cc.container.config.internal;

import cc.container.api.config.ConfigException;
import cc.container.api.config.LogLevel;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Typed, validated reads of one JSON object of a configuration file. Every error names the file and the field path
 * ({@code service.monitor_interval}, {@code containers[2].restart.window}); every field read is remembered so that
 * the ones left over can be warned about as unknown.
 */
final class Fields {
	private final String file;
	private final String path;
	private final Map<String, Object> map;
	private final List<String> warnings;
	private final Set<String> known = new LinkedHashSet<>();

	Fields(String file, String path, Map<String, Object> map, List<String> warnings) {
		this.file = file;
		this.path = path;
		this.map = map;
		this.warnings = warnings;
	}

	/** The object at the root of a document, or an error when the document is something else. */
	@SuppressWarnings("unchecked")
	static Fields root(String file, Object tree, List<String> warnings) throws ConfigException {
		if (!(tree instanceof Map)) {
			throw new ConfigException(file + ": the file must hold a JSON object, got " + describe(tree));
		}
		return new Fields(file, "", (Map<String, Object>) tree, warnings);
	}

	String path(String name) {
		return path.isEmpty() ? name : path + "." + name;
	}

	ConfigException error(String name, String problem) {
		return new ConfigException(file + ": " + path(name) + ": " + problem);
	}

	boolean has(String name) {
		known.add(name);
		return map.containsKey(name) && map.get(name) != null;
	}

	Object raw(String name) {
		known.add(name);
		return map.get(name);
	}

	@SuppressWarnings("unchecked")
	Fields object(String name) throws ConfigException {
		Object v = raw(name);
		if (v == null) {
			return new Fields(file, path(name), Map.of(), warnings);
		}
		if (!(v instanceof Map)) {
			throw error(name, "must be a JSON object, got " + describe(v));
		}
		return new Fields(file, path(name), (Map<String, Object>) v, warnings);
	}

	String string(String name, String def) throws ConfigException {
		Object v = raw(name);
		if (v == null) {
			return def;
		}
		if (!(v instanceof String)) {
			throw error(name, "must be a string, got " + describe(v));
		}
		return (String) v;
	}

	String nonEmptyString(String name, String def) throws ConfigException {
		String s = string(name, def);
		if (s != null && s.isEmpty()) {
			throw error(name, "must not be empty");
		}
		return s;
	}

	boolean bool(String name, boolean def) throws ConfigException {
		Object v = raw(name);
		if (v == null) {
			return def;
		}
		if (!(v instanceof Boolean)) {
			throw error(name, "must be true or false, got " + describe(v));
		}
		return (Boolean) v;
	}

	long integer(String name, long def, long min, long max) throws ConfigException {
		Object v = raw(name);
		if (v == null) {
			return def;
		}
		Long whole = cc.container.util.json.Json.wholeNumber(v);
		long value;
		if (whole != null) {
			value = whole;
		} else if (v instanceof Number) {
			throw error(name, "must be a whole number from " + min + " to " + max + ", got " + describe(v));
		} else {
			throw error(name, "must be a whole number, got " + describe(v));
		}
		if (value < min || value > max) {
			throw error(name, "must be a whole number from " + min + " to " + max + ", got " + value);
		}
		return value;
	}

	LogLevel level(String name, LogLevel def) throws ConfigException {
		String s = string(name, null);
		if (s == null) {
			return def;
		}
		try {
			return LogLevel.parse(s);
		} catch (IllegalArgumentException e) {
			throw error(name, "must be one of DEBUG, INFO, WARNING, ERROR, CRITICAL, got \"" + s + "\"");
		}
	}

	/** Warns about every field that was not read. */
	void warnUnknown() {
		for (String k : map.keySet()) {
			if (!known.contains(k)) {
				warnings.add(file + ": " + path(k) + ": unknown field, ignored");
			}
		}
	}

	/** A short description of a JSON value for error messages: its type and, for scalars, the value. */
	static String describe(Object v) {
		if (v == null) {
			return "null";
		}
		if (v instanceof Map) {
			return "an object";
		}
		if (v instanceof List) {
			return "an array";
		}
		if (v instanceof String) {
			String s = (String) v;
			return "the string \"" + (s.length() > 40 ? s.substring(0, 40) + "…" : s) + "\"";
		}
		if (v instanceof Boolean) {
			return v.toString();
		}
		if (v instanceof BigInteger || v instanceof BigDecimal || v instanceof Long) {
			return v.toString();
		}
		return v.toString();
	}
}
