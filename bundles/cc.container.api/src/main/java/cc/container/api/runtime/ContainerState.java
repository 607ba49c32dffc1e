package cc.container.api.runtime;

import java.time.Instant;

/**
 * A container as its runtime sees it at one instant.
 *
 * @param id the container's id (its name in the runtime)
 * @param status running, exited, …
 * @param pid the process id of its init process on the host while it runs, else 0
 * @param exitCode the exit status of its last run, or {@code null} when the runtime does not know it (LXC)
 * @param oomKilled whether the kernel's OOM killer ended its last run, or {@code null} when unknown
 * @param startedAt when its current or last run started, or {@code null}
 * @param finishedAt when its last run ended, or {@code null}
 * @param version the version the container was installed with, as labelled by the driver, or {@code null}
 */
public record ContainerState(String id, RuntimeStatus status, long pid, Integer exitCode, Boolean oomKilled, Instant startedAt,
	Instant finishedAt, String version) {

	/** Whether its init process runs. */
	public boolean running() {
		return status == RuntimeStatus.RUNNING;
	}
}
