package cc.container.supervisor.internal;

import cc.container.api.ContainerReport;
import cc.container.api.ContainerStatus;
import cc.container.api.DesiredState;
import cc.container.api.HistoryEntry;
import cc.container.api.config.ContainerConfig;
import cc.container.api.runtime.ContainerStats;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Everything one container's machine knows, immutable: the machine moves from one to the next through
 * {@link Transitions#step}, and nothing else changes it.
 *
 * @param config its entry of the containers configuration
 * @param desired where its user wants it
 * @param status where it is
 * @param pid the host pid of its init while it runs, else 0
 * @param startedAt when its current or last run started
 * @param exitedAt when its last run ended
 * @param exitCode the exit status of its last run
 * @param restarts the restart policy's counts
 * @param history the last unexpected stops and what the policy decided, oldest first
 * @param stats the last statistics sample while it runs
 * @param looked whether its runtime has been looked at since the machine was made or its driver returned
 * @param bootPending whether it autostarts at its first look (the daemon's first start after a boot)
 * @param adoptDesired whether a running container found at its first look is wanted running (an entry added by hand)
 * @param restartPending whether an automatic restart is scheduled
 * @param resumeRestart whether a restart was due when its driver went away (it is done when the driver returns)
 * @param startAfterStop whether a user's restart waits for its stop to end
 * @param released whether it is no longer the machine's
 * @param health what its health check says since it started, or null (no check, or no result yet)
 * @param changedAt when its status was last set ({@link System#nanoTime()}): a runtime answer asked for before then says
 *        nothing about it any more
 */
record MachineState(ContainerConfig config, DesiredState desired, ContainerStatus status, long pid, Instant startedAt, Instant exitedAt,
	Integer exitCode, RestartCounts restarts, List<HistoryEntry> history, ContainerStats stats, boolean looked, boolean bootPending,
	boolean adoptDesired, boolean restartPending, boolean resumeRestart, boolean startAfterStop, boolean released, ContainerReport.Health health,
	long changedAt) {

	/** How many unexpected stops the history keeps. */
	static final int HISTORY = 20;

	MachineState {
		history = List.copyOf(history);
	}

	/** A machine's first state: nothing known of the runtime yet. */
	static MachineState initial(ContainerConfig config, DesiredState desired, StateJson.Saved saved, boolean sameBoot) {
		if (saved == null) {
			return new MachineState(config, desired, ContainerStatus.UNKNOWN, 0, null, null, null, RestartCounts.NONE, List.of(), null, false,
				!sameBoot, false, false, false, false, false, null, 0);
		}
		RestartCounts r = new RestartCounts(saved.total(), sameBoot ? saved.windowTimes() : List.of(), saved.gaveUp() && sameBoot, saved.lastAt());
		List<HistoryEntry> h = saved.history();
		if (h.size() > HISTORY) {
			h = h.subList(h.size() - HISTORY, h.size());
		}
		return new MachineState(config, desired, r.gaveUp() ? ContainerStatus.FAILED : ContainerStatus.UNKNOWN, 0, saved.startedAt(), saved.exitedAt(),
			saved.exitCode(), r, h, null, false, !sameBoot, false, false, false, false, false, null, 0);
	}

	/** A copy to change: the transition function builds the next state with it. */
	Builder change() {
		return new Builder(this);
	}

	/** The next state, field by field. */
	static final class Builder {
		ContainerConfig config;
		DesiredState desired;
		ContainerStatus status;
		long pid;
		Instant startedAt;
		Instant exitedAt;
		Integer exitCode;
		RestartCounts restarts;
		List<HistoryEntry> history;
		ContainerStats stats;
		boolean looked;
		boolean bootPending;
		boolean adoptDesired;
		boolean restartPending;
		boolean resumeRestart;
		boolean startAfterStop;
		boolean released;
		ContainerReport.Health health;
		long changedAt;

		Builder(MachineState s) {
			config = s.config;
			desired = s.desired;
			status = s.status;
			pid = s.pid;
			startedAt = s.startedAt;
			exitedAt = s.exitedAt;
			exitCode = s.exitCode;
			restarts = s.restarts;
			history = s.history;
			stats = s.stats;
			looked = s.looked;
			bootPending = s.bootPending;
			adoptDesired = s.adoptDesired;
			restartPending = s.restartPending;
			resumeRestart = s.resumeRestart;
			startAfterStop = s.startAfterStop;
			released = s.released;
			health = s.health;
			changedAt = s.changedAt;
		}

		/** Adds a history entry, keeping the last {@link #HISTORY}. */
		void record(HistoryEntry e) {
			List<HistoryEntry> h = new ArrayList<>(history);
			h.add(e);
			while (h.size() > HISTORY) {
				h.remove(0);
			}
			history = h;
		}

		MachineState build() {
			return new MachineState(config, desired, status, pid, startedAt, exitedAt, exitCode, restarts, history, stats, looked, bootPending,
				adoptDesired, restartPending, resumeRestart, startAfterStop, released, health, changedAt);
		}
	}
}
