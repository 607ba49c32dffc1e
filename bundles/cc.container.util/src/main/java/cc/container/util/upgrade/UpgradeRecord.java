package cc.container.util.upgrade;

import cc.container.util.AtomicFiles;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import org.osgi.framework.Version;

/**
 * The field upgrades of the daemon's bundles: {@code <upgrades>/upgrades.properties}, one line per upgraded bundle,
 * {@code <symbolic name>=<jar>,<jar>,...} naming jars of the same folder, oldest first; the last one runs, the ones
 * before it are what {@code bundle rollback} returns to, and before the first comes the shipped jar.
 *
 * <p>The daemon's upgrade bundle writes it (atomically, after an upgrade was verified); the launcher reads it when it
 * installs the bundles, so an upgrade survives a daemon restart. It is the same class on both sides.
 */
public final class UpgradeRecord {
	/** The record's file name in the upgrades folder. */
	public static final String FILE = "upgrades.properties";
	/**
	 * How the launcher installs a shipped jar (and a field upgrade under that jar's location): Felix reads it where it
	 * lies ({@code reference:file:...}), nothing is copied into the bundle cache.
	 */
	public static final String IN_PLACE = "reference:";

	private static final String HEADER = "# Field upgrades of cc-container-mng bundles, written by the daemon (containerctl bundle update|rollback).\n"
		+ "# <symbolic name>=<jar>,<jar>,... in this folder, oldest first: the last one runs; before the first comes the shipped jar.\n";

	private final Path dir;
	private final Map<String, List<String>> jars;

	private UpgradeRecord(Path dir, Map<String, List<String>> jars) {
		this.dir = dir;
		this.jars = jars;
	}

	/** The record of {@code dir}; empty when there is none yet. */
	public static UpgradeRecord load(Path dir) throws IOException {
		Map<String, List<String>> jars = new TreeMap<>();
		String text;
		try {
			text = Files.readString(dir.resolve(FILE), StandardCharsets.UTF_8);
		} catch (NoSuchFileException e) {
			return new UpgradeRecord(dir, jars);
		}
		Properties p = new Properties();
		p.load(new StringReader(text));
		for (String bsn : p.stringPropertyNames()) {
			List<String> list = new ArrayList<>();
			for (String s : p.getProperty(bsn).split(",")) {
				String name = s.trim();
				// Only plain file names of this folder count: the record never points elsewhere.
				if (!name.isEmpty() && !name.contains("/") && !name.startsWith(".")) {
					list.add(name);
				}
			}
			if (!list.isEmpty()) {
				jars.put(bsn, list);
			}
		}
		return new UpgradeRecord(dir, jars);
	}

	/** The folder of the record and its jars. */
	public Path dir() {
		return dir;
	}

	/** The upgrade jars of {@code symbolicName}, oldest first; empty when it runs the shipped version. */
	public List<String> jars(String symbolicName) {
		return jars.getOrDefault(symbolicName, List.of());
	}

	/** Every upgraded bundle's symbolic name. */
	public List<String> symbolicNames() {
		return List.copyOf(jars.keySet());
	}

	/** The jar that runs for {@code symbolicName}, or null when the shipped one does. */
	public Path current(String symbolicName) {
		List<String> list = jars(symbolicName);
		return list.isEmpty() ? null : dir.resolve(list.get(list.size() - 1));
	}

	/** A record where {@code symbolicName} has these upgrade jars (none: back to the shipped version). */
	public UpgradeRecord with(String symbolicName, List<String> upgradeJars) {
		Map<String, List<String>> m = new TreeMap<>(jars);
		if (upgradeJars.isEmpty()) {
			m.remove(symbolicName);
		} else {
			m.put(symbolicName, List.copyOf(upgradeJars));
		}
		return new UpgradeRecord(dir, m);
	}

	/** Writes the record, atomically. */
	public void save() throws IOException {
		StringBuilder sb = new StringBuilder(HEADER);
		jars.forEach((bsn, list) -> sb.append(bsn).append('=').append(String.join(",", list)).append('\n'));
		AtomicFiles.write(dir.resolve(FILE), sb.toString().getBytes(StandardCharsets.UTF_8));
	}

	/** The identity of a bundle jar. */
	public record Headers(String symbolicName, String version) {
	}

	/**
	 * The symbolic name (without its directives) and version ({@code 0.0.0} when absent) of a jar; null when it is no
	 * OSGi bundle (no manifest, or no {@code Bundle-SymbolicName}).
	 */
	public static Headers headers(Path jar) throws IOException {
		try (JarFile j = new JarFile(jar.toFile(), false)) {
			Manifest m = j.getManifest();
			if (m == null) {
				return null;
			}
			String bsn = m.getMainAttributes().getValue("Bundle-SymbolicName");
			if (bsn == null || bsn.isBlank()) {
				return null;
			}
			String version = m.getMainAttributes().getValue("Bundle-Version");
			return new Headers(bsn.split(";")[0].trim(), version == null || version.isBlank() ? "0.0.0" : version.trim());
		}
	}

	/**
	 * Whether a field upgrade runs instead of the shipped jar: yes, unless the distribution ships a newer version than
	 * the upgrade (it was updated since).
	 */
	public static boolean upgradeRuns(Headers shipped, Headers upgrade) {
		return upgrade != null && shipped != null && upgrade.symbolicName().equals(shipped.symbolicName())
			&& Version.parseVersion(shipped.version()).compareTo(Version.parseVersion(upgrade.version())) <= 0;
	}

	@Override
	public String toString() {
		return dir + "/" + FILE + " " + Arrays.toString(jars.entrySet().toArray());
	}
}
