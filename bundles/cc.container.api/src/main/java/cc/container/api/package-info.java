/**
 * The services that users of the manager drive, through {@code containerctl}, the Gogo shell or a remote manager: the
 * {@link cc.container.api.Supervisor} (desired state, restart policy, state.json), the {@link cc.container.api.Installer}
 * (packages), {@link cc.container.api.BundleUpgrades} (field upgrades) and {@link cc.container.api.LogControl}, with
 * the reports and errors they answer with.
 *
 * <p>Every type here is provided by the project ({@code @ProviderType}, or a record the project builds): a consumer
 * keeps working across minor versions of this package. See docs/architecture.md for how each API package may change.
 */
@Export
@Version("1.1.0")
package cc.container.api;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
