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
 * @param health what its health check says, or {@code null} when it has none
 */
public record ContainerReport(String id, String friendlyName, String runtime, String version, DesiredState desired,
	ContainerStatus status, long pid, Instant startedAt, Instant exitedAt, Integer exitCode, Restarts restarts,
	ContainerStats stats, List<HistoryEntry> history, DrmSettings drm, Health health) {

	/** Copies the history. */
	public ContainerReport {
		history = List.copyOf(history);
	}

	/** A report without telemetry settings. */
	public ContainerReport(String id, String friendlyName, String runtime, String version, DesiredState desired, ContainerStatus status, long pid,
		Instant startedAt, Instant exitedAt, Integer exitCode, Restarts restarts, ContainerStats stats, List<HistoryEntry> history) {
		this(id, friendlyName, runtime, version, desired, status, pid, startedAt, exitedAt, exitCode, restarts, stats, history, null);
	}

	/** A report without a health check (the canonical constructor of version 1.0). */
	public ContainerReport(String id, String friendlyName, String runtime, String version, DesiredState desired, ContainerStatus status, long pid,
		Instant startedAt, Instant exitedAt, Integer exitCode, Restarts restarts, ContainerStats stats, List<HistoryEntry> history,
		DrmSettings drm) {
		this(id, friendlyName, runtime, version, desired, status, pid, startedAt, exitedAt, exitCode, restarts, stats, history, drm, null);
	}

	/**
	 * What a container's health check says.
	 *
	 * @param status {@code starting} (no success since it started, within its start period), {@code healthy} or
	 *        {@code unhealthy}
	 * @param failingStreak failed checks in a row
	 * @param lastCheckAt when the last check ended, or {@code null}
	 * @param lastOutput what the last check said (its output's last line, an HTTP status line, why it failed), or
	 *        {@code null}
	 */
	public record Health(String status, int failingStreak, Instant lastCheckAt, String lastOutput) {
		/** A container that has not been checked since it started. */
		public static final Health STARTING = new Health("starting", 0, null, null);
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
