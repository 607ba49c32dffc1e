package cc.container.api;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;
import org.osgi.annotation.versioning.ProviderType;

/**
 * Field upgrade of one bundle of the running daemon: the others, and the containers, keep running. An upgrade is
 * checked before anything changes, verified after, rolled back by itself when the new version does not come up, and
 * kept across daemon restarts. Operations run one at a time.
 */
@ProviderType
public interface BundleUpgrades {

	/** The default time a new version has to resolve, start and satisfy its components. */
	Duration DEFAULT_SETTLE = Duration.ofSeconds(30);

	/** Every bundle of the daemon, by bundle id. */
	List<BundleInfo> list();

	/**
	 * Replaces the bundle whose symbolic name {@code jar} carries. Refused, changing nothing, when the file is not a
	 * bundle, no bundle of that name runs, or it does not resolve against the running framework. When the new version
	 * does not resolve, start, and have every component satisfied within {@code settle}, the previous version is put
	 * back and the exception says why.
	 *
	 * @param progress told what is being done ({@code checking}, {@code updating}, {@code verifying}), in a few words
	 * @return the bundle as it runs now
	 */
	BundleInfo update(Path jar, Duration settle, Consumer<String> progress) throws UpgradeException;

	/**
	 * Puts back the version that the current field upgrade of {@code symbolicName} replaced (the shipped one after the
	 * first rollback), verified like an update.
	 */
	BundleInfo rollback(String symbolicName, Duration settle, Consumer<String> progress) throws UpgradeException;
}
