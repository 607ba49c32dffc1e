/** Fixtures for tests that drive the real Podman and LXC tools. */
@Export
@Version("1.0.0")
package cc.container.testing;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
