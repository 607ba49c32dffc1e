package cc.container.api;

import cc.container.api.config.DrmSettings;
import cc.container.api.runtime.ContainerStats;
import java.time.Instant;
import java.util.List;

/**
 * Everything the manager knows of one container: one element of {@code containers} in state.json, and what
 * {@code containerctl status <id> --json} prints.
 *
 * @param id the container's id
 * @param friendlyName its name for people, or {@code null}
 * @param runtime {@code lxc} or {@code podman}
 * @param version its installed version, or {@code null}
 * @param desired where its user wants it
 * @param status where it is
 * @param pid the host pid of its init while it runs, else 0
 * @param startedAt when its current or last run started, or {@code null}
 * @param exitedAt when its last run ended, or {@code null}
 * @param exitCode the exit status of its last run, or {@code null}
 * @param restarts the restart counters
 * @param stats the last statistics sample, or {@code null}
 * @param history the last restart decisions, oldest first
 * @param drm its telemetry settings for a remote manager, or {@code null}
 */
public record ContainerReport(String id, String friendlyName, String runtime, String version, DesiredState desired,
	ContainerStatus status, long pid, Instant startedAt, Instant exitedAt, Integer exitCode, Restarts restarts,
	ContainerStats stats, List<HistoryEntry> history, DrmSettings drm) {

	/** Copies the history. */
	public ContainerReport {
		history = List.copyOf(history);
	}

	/** A report without telemetry settings (as version 1.0 of this record). */
	public ContainerReport(String id, String friendlyName, String runtime, String version, DesiredState desired, ContainerStatus status, long pid,
		Instant startedAt, Instant exitedAt, Integer exitCode, Restarts restarts, ContainerStats stats, List<HistoryEntry> history) {
		this(id, friendlyName, runtime, version, desired, status, pid, startedAt, exitedAt, exitCode, restarts, stats, history, null);
	}

	/**
	 * Restart counters.
	 *
	 * @param total automatic restarts since the container was installed
	 * @param inWindow automatic restarts within the policy's window, now
	 * @param lastAt when the last automatic restart happened, or {@code null}
	 * @param gaveUp whether the policy gave up on the container
	 */
	public record Restarts(int total, int inWindow, Instant lastAt, boolean gaveUp) {
	}
}
