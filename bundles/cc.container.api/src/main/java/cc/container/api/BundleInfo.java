package cc.container.api;

import java.util.List;

/**
 * One bundle of the running daemon, as {@code bundle list} shows it.
 *
 * @param id the framework's bundle id
 * @param symbolicName its {@code Bundle-SymbolicName}
 * @param version the version that runs
 * @param state {@code installed}, {@code resolved}, {@code starting}, {@code active}, {@code stopping} or
 *            {@code uninstalled}
 * @param upgraded whether it runs a version installed in the field (not the one shipped with the distribution)
 * @param shippedVersion the version the distribution shipped, or null when that is not known
 * @param replaced the versions a rollback returns to, most recent last (empty when not upgraded)
 */
public record BundleInfo(long id, String symbolicName, String version, String state, boolean upgraded, String shippedVersion,
	List<String> replaced) {

	/** A bundle as shown. */
	public BundleInfo {
		replaced = List.copyOf(replaced);
	}
}
