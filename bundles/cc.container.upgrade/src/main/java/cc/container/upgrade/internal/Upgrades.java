package cc.container.upgrade.internal;

import cc.container.api.UpgradeException.Kind;
import cc.container.api.UpgradeException;
import cc.container.util.AtomicFiles;
import cc.container.util.upgrade.UpgradeRecord;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Version;
import org.osgi.service.log.Logger;

/**
 * The upgrades folder: the jars of field upgrades and their record ({@link UpgradeRecord}, which the launcher applies at
 * the next start), and the jars the bundles run from.
 */
final class Upgrades {
	private final BundleContext context;
	private final Path dir;
	private final Logger log;

	Upgrades(BundleContext context, Path dir, Logger log) {
		this.context = context;
		this.dir = dir;
		this.log = log;
	}

	Path dir() {
		return dir;
	}

	/** The record, or null (said) when it cannot be read. */
	UpgradeRecord record() {
		try {
			return UpgradeRecord.load(dir);
		} catch (IOException | IllegalArgumentException e) {
			log.warn("The field upgrade record in {} cannot be read: {}", dir, e.getMessage());
			return null;
		}
	}

	UpgradeRecord recordOrThrow() throws UpgradeException {
		UpgradeRecord r = record();
		if (r == null) {
			throw new UpgradeException(Kind.FAILED, "the field upgrade record in " + dir + " cannot be read; nothing was changed", null);
		}
		return r;
	}

	void save(UpgradeRecord record) throws UpgradeException {
		try {
			record.save();
		} catch (IOException e) {
			throw new UpgradeException(Kind.FAILED, "the upgrade runs but could not be recorded in " + dir + " (" + e.getMessage()
				+ "); after the next daemon start the previous version runs", e);
		}
	}

	/** The jar {@code b} runs from: its current field upgrade, else the shipped jar. */
	Path runningJar(Bundle b, UpgradeRecord record) throws UpgradeException {
		Path p = record.current(b.getSymbolicName());
		if (p == null) {
			p = shippedJar(b);
		}
		if (p == null || !Files.isReadable(p)) {
			throw new UpgradeException(Kind.REFUSED, "the jar that " + b.getSymbolicName() + " runs from (" + (p == null ? b.getLocation() : p)
				+ ") cannot be read, so it could not be put back if the new one failed; nothing was changed", null);
		}
		return p;
	}

	/** The jar the bundle was installed from (the launcher keeps the shipped jar as the location), or null. */
	static Path shippedJar(Bundle b) {
		String location = b.getLocation();
		if (location.startsWith(UpgradeRecord.IN_PLACE)) {
			location = location.substring(UpgradeRecord.IN_PLACE.length());
		}
		try {
			Path p = location.startsWith("file:") ? Path.of(URI.create(location)) : Path.of(location);
			return p.isAbsolute() && Files.isRegularFile(p) ? p : null;
		} catch (RuntimeException e) {
			return null;
		}
	}

	/** The bundle version in a jar's manifest, or null. */
	static String versionOf(Path jar) {
		try {
			UpgradeRecord.Headers h = UpgradeRecord.headers(jar);
			return h == null ? null : Version.parseVersion(h.version()).toString();
		} catch (IOException | IllegalArgumentException e) {
			return null;
		}
	}

	/** A bundle's state in a word. */
	static String state(Bundle b) {
		switch (b.getState()) {
			case Bundle.INSTALLED:
				return "installed";
			case Bundle.RESOLVED:
				return "resolved";
			case Bundle.STARTING:
				return "starting";
			case Bundle.ACTIVE:
				return "active";
			case Bundle.STOPPING:
				return "stopping";
			default:
				return "uninstalled";
		}
	}

	/**
	 * At start: drops the record of a bundle that does not run its recorded upgrade (the distribution ships a newer
	 * version, or the jar is gone), and jars that no record names (an upgrade cut short by a crash).
	 */
	void prune() {
		UpgradeRecord record = record();
		if (record == null) {
			return;
		}
		UpgradeRecord kept = record;
		for (String bsn : record.symbolicNames()) {
			Bundle b = Arrays.stream(context.getBundles()).filter(x -> bsn.equals(x.getSymbolicName())).findFirst().orElse(null);
			String recorded = versionOf(record.current(bsn));
			if (b == null || recorded == null || !b.getVersion().toString().equals(recorded)) {
				log.warn("The field upgrade of {} ({}) is not what runs ({}); it is dropped.", bsn, record.jars(bsn),
					b == null ? "no such bundle" : b.getVersion());
				kept = kept.with(bsn, List.of());
			} else {
				log.info("Bundle {} runs its field upgrade {}.", bsn, recorded);
			}
		}
		try {
			if (kept != record) {
				kept.save();
			}
			if (Files.isDirectory(dir)) {
				Set<String> named = new HashSet<>();
				for (String bsn : kept.symbolicNames()) {
					named.addAll(kept.jars(bsn));
				}
				try (Stream<Path> s = Files.list(dir)) {
					for (Path p : s.toList()) {
						String n = p.getFileName().toString();
						if ((n.endsWith(".jar") && !named.contains(n)) || n.startsWith(AtomicFiles.TEMP_PREFIX)) {
							deleteQuietly(p);
						}
					}
				}
			}
		} catch (IOException e) {
			log.warn("The field upgrades in {} could not be tidied: {}", dir, e.getMessage());
		}
	}

	static void deleteQuietly(Path p) {
		try {
			Files.deleteIfExists(p);
		} catch (IOException e) {
			// a leftover jar is removed at the next start
		}
	}
}
