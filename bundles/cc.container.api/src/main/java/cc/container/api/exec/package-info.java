/**
 * Running external programs: the one service ({@link cc.container.api.exec.CommandRunner}) through which every call of
 * {@code podman} and the {@code lxc-*} tools goes, with its command and result records.
 */
@Export
@Version("1.0.0")
package cc.container.api.exec;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
