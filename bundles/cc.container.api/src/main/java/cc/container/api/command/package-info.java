/**
 * The commands of {@code containerctl} and of the Gogo shell ({@link cc.container.api.command.ContainerCommands}), run
 * by the daemon for both.
 */
@Export
@Version("1.1.0")
package cc.container.api.command;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
