package cc.container.api.runtime;

import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import org.osgi.annotation.versioning.ConsumerType;
import org.osgi.annotation.versioning.ProviderType;

/**
 * The runtime drivers registered now, one per runtime: of several drivers registered for one runtime, the one with the
 * highest {@code service.ranking} (then the oldest) serves it, as OSGi ranks services. Every bundle that needs a driver
 * asks this service, so a driver that is upgraded in the field, or a second driver registered to take over a runtime,
 * is seen the same way everywhere.
 */
@ProviderType
public interface RuntimeDrivers {

	/** The driver serving {@code runtime} now, or empty (none is registered; one may be being upgraded). */
	Optional<RuntimeDriver> driver(String runtime);

	/** The runtimes served now. */
	Set<String> runtimes();

	/**
	 * Waits until a driver serves {@code runtime}, at most {@code timeout}.
	 *
	 * @return the driver, or empty when none came in time
	 */
	Optional<RuntimeDriver> await(String runtime, Duration timeout) throws InterruptedException;

	/**
	 * Tells {@code listener} of every change of the driver serving a runtime, first of the drivers serving now (as
	 * changes from none), until the returned handle is closed. Changes are told one at a time, in order; a listener
	 * must not block.
	 */
	AutoCloseable watch(Listener listener);

	/** Told when the driver serving a runtime changes. */
	@ConsumerType
	interface Listener {
		/**
		 * @param previous the driver that served it, or null
		 * @param current the driver that serves it now, or null (none does)
		 */
		void changed(String runtime, RuntimeDriver previous, RuntimeDriver current);
	}
}
