package cc.container.api;

import java.time.Instant;

/**
 * The daemon itself, as state.json reports it.
 *
 * @param pid its process id
 * @param version its version
 * @param startedAt when it started
 * @param bootId the kernel's boot id when it started
 */
public record DaemonReport(long pid, String version, Instant startedAt, String bootId) {
}
