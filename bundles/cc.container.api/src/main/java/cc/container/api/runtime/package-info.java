/**
 * The runtime driver SPI: what a driver bundle implements ({@link cc.container.api.runtime.RuntimeDriver}, a
 * {@code @ConsumerType}) and the records and errors it exchanges with the manager.
 *
 * <p>Drivers are upgraded in the field on their own, against the version of this package they were built with: a
 * minor version may add records' components (each record keeps its earlier constructors) and default methods; a
 * method without a default, or any other change a driver would notice, is a major version.
 */
@Export
@Version("1.1.0")
package cc.container.api.runtime;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
