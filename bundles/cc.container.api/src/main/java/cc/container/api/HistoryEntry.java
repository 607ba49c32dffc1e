package cc.container.api;

import java.time.Instant;

/**
 * One entry of a container's restart history: an unexpected stop and what the restart policy decided.
 *
 * @param at when the stop was seen
 * @param event what happened: {@code died}, {@code start-failed} for a restart attempt that failed, or {@code unhealthy}
 *        for a container its health check failed
 * @param exitCode the exit status of the run that ended, or {@code null} when the runtime does not know it
 * @param signal the signal that ended it ({@code KILL}, {@code TERM}, ...), or {@code null}
 * @param oom whether the kernel's OOM killer ended it, or {@code null} when unknown
 * @param decision the decision, in words: {@code restart in 3 s (1 of 3 in 60 s)}, {@code gave up: ...}
 * @param detail more of what happened (the last output of a failed health check), or {@code null}
 */
public record HistoryEntry(Instant at, String event, Integer exitCode, String signal, Boolean oom, String decision, String detail) {

	/** An entry without detail (the canonical constructor of version 1.0). */
	public HistoryEntry(Instant at, String event, Integer exitCode, String signal, Boolean oom, String decision) {
		this(at, event, exitCode, signal, oom, decision, null);
	}
}
