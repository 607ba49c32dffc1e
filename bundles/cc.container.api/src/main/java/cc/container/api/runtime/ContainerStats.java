package cc.container.api.runtime;

import java.time.Instant;

/**
 * One statistics sample of a running container. Counters the runtime cannot give are -1.
 *
 * @param id the container's id
 * @param sampledAt when the sample was taken
 * @param uptimeSeconds seconds since its init process started
 * @param cpuPercent CPU use since the previous sample (or since start), in percent of one CPU
 * @param memBytes memory in use
 * @param memLimitBytes its memory limit, 0 when it has none
 * @param netRxBytes bytes received on its network interfaces (loopback excluded)
 * @param netTxBytes bytes sent on its network interfaces (loopback excluded)
 * @param blkReadBytes bytes read from block devices
 * @param blkWriteBytes bytes written to block devices
 * @param pids processes and threads in it
 */
public record ContainerStats(String id, Instant sampledAt, long uptimeSeconds, double cpuPercent, long memBytes, long memLimitBytes,
	long netRxBytes, long netTxBytes, long blkReadBytes, long blkWriteBytes, long pids) {
}
