/**
 * The domain of cc-container-mng: the daemon and container configuration as immutable records, the services the
 * manager's bundles provide to each other, and the runtime driver SPI that driver bundles implement.
 *
 * <p>Services provided by the project are {@code @ProviderType}; the runtime driver SPI is {@code @ConsumerType}, so
 * that a driver bundle built against this package keeps working when the package grows in a minor version.
 */
@Export
@Version("1.0.0")
package cc.container.api;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
