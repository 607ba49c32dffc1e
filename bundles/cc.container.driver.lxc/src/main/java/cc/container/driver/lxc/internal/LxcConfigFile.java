package cc.container.driver.lxc.internal;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Rewrites the author's LXC {@code config} for the container's home on the device: {@code lxc.rootfs.path},
 * {@code lxc.uts.name} and {@code lxc.console.logfile} point at the container's folder; every other line stays as
 * the author wrote it. A console log cap is added when the author set none.
 */
final class LxcConfigFile {
	/** Size of the console log before LXC rotates it; one rotated file is kept. */
	static final String CONSOLE_SIZE = "1MB";

	private LxcConfigFile() {
	}

	static String rewrite(String config, Path dir, String id) {
		Map<String, String> ours = new LinkedHashMap<>();
		ours.put("lxc.rootfs.path", "dir:" + dir.resolve("rootfs"));
		ours.put("lxc.uts.name", id);
		ours.put("lxc.console.logfile", dir.resolve("console.log").toString());
		Map<String, String> defaults = new LinkedHashMap<>();
		defaults.put("lxc.console.size", CONSOLE_SIZE);
		defaults.put("lxc.console.rotate", "1");
		List<String> out = new ArrayList<>();
		for (String line : config.split("\n", -1)) {
			String key = key(line);
			if (key.equals("lxc.rootfs") || key.equals("lxc.utsname")) {
				key = key.equals("lxc.rootfs") ? "lxc.rootfs.path" : "lxc.uts.name"; // LXC 2 names
			}
			defaults.remove(key);
			if (ours.containsKey(key)) {
				String value = ours.remove(key);
				out.add(key + " = " + value);
			} else {
				out.add(line);
			}
		}
		while (!out.isEmpty() && out.get(out.size() - 1).isEmpty()) {
			out.remove(out.size() - 1);
		}
		if (!ours.isEmpty() || !defaults.isEmpty()) {
			out.add("# added by cc-container-mng");
			ours.forEach((k, v) -> out.add(k + " = " + v));
			defaults.forEach((k, v) -> out.add(k + " = " + v));
		}
		return String.join("\n", out) + "\n";
	}

	/** The key of a {@code key = value} line, or an empty string for comments and blank lines. */
	static String key(String line) {
		String t = line.trim();
		if (t.isEmpty() || t.startsWith("#")) {
			return "";
		}
		int eq = t.indexOf('=');
		return eq < 0 ? t : t.substring(0, eq).trim();
	}
}
