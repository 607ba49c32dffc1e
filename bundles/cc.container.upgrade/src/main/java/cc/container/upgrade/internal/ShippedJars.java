package cc.container.upgrade.internal;

import cc.container.util.upgrade.UpgradeRecord;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.osgi.framework.BundleContext;

/**
 * The shipped jars as the daemon found them at its start. The launcher installs them where they lie ({@code reference:}
 * locations), and a refresh (every update and rollback refreshes the bundles that depend on the one it swaps) reads a
 * bundle again from its file: after a reinstall that renamed new jars into place without restarting the daemon, it
 * would mix two versions. An update or rollback is refused then, until the daemon restarts.
 */
final class ShippedJars {
	/**
	 * What tells a file's content cheaply: its modification time and size (install.sh copies a jar with its build's
	 * time). Not its inode: on an overlay file system a chmod or chown copies the file up to a new one.
	 */
	private record Seen(long modified, long size) {
		static Seen of(Path jar) {
			try {
				BasicFileAttributes a = Files.readAttributes(jar, BasicFileAttributes.class);
				return new Seen(a.lastModifiedTime().toMillis(), a.size());
			} catch (IOException e) {
				return null; // gone
			}
		}
	}

	private final Map<Path, Seen> seen = new LinkedHashMap<>();

	ShippedJars(List<Path> jars) {
		jars.forEach(j -> seen.put(j, Seen.of(j)));
	}

	/** The jars that the bundles of {@code context} are read from in place. */
	static ShippedJars of(BundleContext context) {
		return new ShippedJars(java.util.Arrays.stream(context.getBundles()).filter(b -> b.getLocation().startsWith(UpgradeRecord.IN_PLACE))
			.map(Upgrades::shippedJar).filter(Objects::nonNull).toList());
	}

	/** Null when every jar is as it was found; else a sentence naming the first one that changed. */
	String changed() {
		for (Map.Entry<Path, Seen> e : seen.entrySet()) {
			if (!Objects.equals(Seen.of(e.getKey()), e.getValue())) {
				return e.getKey() + " was replaced since the daemon started: restart the daemon before updating or rolling back a bundle "
					+ "(nothing was changed)";
			}
		}
		return null;
	}
}
