package cc.container.driver.lxc.internal;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Rewrites the author's LXC {@code config} for the container's home on the device. The manager pins the keys that
 * name files on the host: {@code lxc.rootfs.path} (the container's own {@code rootfs/}), {@code lxc.uts.name},
 * {@code lxc.console.logfile} and {@code lxc.log.file} (files of the container's folder), and the console log's size
 * and rotation (its cap). Each is written once, at its first place, whatever the author wrote and however many times:
 * LXC takes the last line of a key, so a second {@code lxc.rootfs.path} line that stayed would name the root file
 * system that {@code lxc-destroy} deletes. A root file system that is not a folder, or two different ones, is refused.
 * Every other line stays as the author wrote it.
 */
final class LxcConfigFile {
	/** Size of the console log before LXC rotates it, by default; one rotated file is kept. */
	static final long CONSOLE_SIZE = 1L << 20;
	/** Keys of LXC 2 and their names since LXC 3. */
	private static final Map<String, String> RENAMED = Map.of("lxc.rootfs", "lxc.rootfs.path", "lxc.utsname", "lxc.uts.name", "lxc.logfile",
		"lxc.log.file");

	private LxcConfigFile() {
	}

	/** A config that cannot be installed; the message says why, in one sentence. */
	static final class Refused extends Exception {
		private static final long serialVersionUID = 1L;

		Refused(String message) {
			super(cc.container.util.Text.oneLine(message));
		}
	}

	/** The manager's values of the keys it pins, for a container of {@code id} in {@code dir}. */
	static Map<String, String> pinned(Path dir, String id, long consoleSize) {
		Map<String, String> ours = new LinkedHashMap<>();
		ours.put("lxc.rootfs.path", "dir:" + dir.resolve("rootfs"));
		ours.put("lxc.uts.name", id);
		ours.put("lxc.console.logfile", dir.resolve("console.log").toString());
		ours.put("lxc.log.file", dir.resolve(LxcDriver.START_LOG).toString());
		ours.put("lxc.console.size", (consoleSize + 1023) / 1024 + "KB");
		ours.put("lxc.console.rotate", "1");
		return ours;
	}

	/** The config with every pinned key set to the manager's value, once, with the default console size. */
	static String rewrite(String config, Path dir, String id) throws Refused {
		return rewrite(config, dir, id, CONSOLE_SIZE);
	}

	/**
	 * The console log's size a config the manager wrote keeps ({@code lxc.console.size = <n>KB}), in bytes; the default
	 * where it has none it can read. A rename keeps it: the size is fixed when the container is installed.
	 */
	static long consoleSize(String config) {
		long size = CONSOLE_SIZE;
		for (String line : config.split("\n")) {
			if (key(line).equals("lxc.console.size")) {
				String v = value(line);
				if (v.matches("[0-9]{1,9}KB")) {
					size = Long.parseLong(v.substring(0, v.length() - 2)) * 1024;
				}
			}
		}
		return size;
	}

	/** The config with every pinned key set to the manager's value, once; the console log kept at {@code consoleSize}. */
	static String rewrite(String config, Path dir, String id, long consoleSize) throws Refused {
		String control = cc.container.util.Text.controlCharacter(config);
		if (control != null) {
			throw new Refused("the LXC config holds " + control + " (LXC stops reading at a NUL: the manager's own keys would not count)");
		}
		Map<String, String> ours = pinned(dir, id, consoleSize);
		String rootfs = null;
		List<String> out = new ArrayList<>();
		for (String line : config.split("\n", -1)) {
			String key = key(line);
			key = RENAMED.getOrDefault(key, key);
			if (key.equals("lxc.rootfs.path")) {
				String value = value(line);
				checkRootfs(value);
				if (rootfs != null && !rootfs.equals(value)) {
					throw new Refused("the LXC config names two root file systems (\"" + rootfs + "\" and \"" + value
						+ "\"); the manager installs the bundle's rootfs/ folder only");
				}
				rootfs = value;
			}
			if (!ours.containsKey(key) && !pinnedKey(key)) {
				out.add(line);
			} else if (ours.containsKey(key)) {
				out.add(key + " = " + ours.remove(key));
			}
			// a pinned key seen again: dropped
		}
		while (!out.isEmpty() && out.get(out.size() - 1).isEmpty()) {
			out.remove(out.size() - 1);
		}
		if (!ours.isEmpty()) {
			out.add("# added by cc-container-mng");
			ours.forEach((k, v) -> out.add(k + " = " + v));
		}
		return String.join("\n", out) + "\n";
	}

	private static boolean pinnedKey(String key) {
		return pinned(Path.of("/"), "x", CONSOLE_SIZE).containsKey(key);
	}

	/** A root file system the manager can install: a folder, with or without the {@code dir:} prefix. */
	private static void checkRootfs(String value) throws Refused {
		if (value.startsWith("dir:") || value.startsWith("/") || value.isEmpty()) {
			return;
		}
		throw new Refused("the LXC config's lxc.rootfs.path names a root file system that is not a folder (\"" + value
			+ "\"); the manager installs the bundle's rootfs/ folder only");
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

	/** The value of a {@code key = value} line (LXC takes everything after the first {@code =}, trimmed). */
	static String value(String line) {
		int eq = line.indexOf('=');
		return eq < 0 ? "" : line.substring(eq + 1).trim();
	}
}
