/**
 * The configuration of the daemon and of its containers, as immutable records, and the services that keep them
 * ({@link cc.container.api.config.DaemonConfiguration}, {@link cc.container.api.config.ContainersConfiguration}).
 */
@Export
@Version("1.2.0")
package cc.container.api.config;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
