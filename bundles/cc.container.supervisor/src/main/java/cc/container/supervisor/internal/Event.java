package cc.container.supervisor.internal;

import cc.container.api.DesiredState;
import cc.container.api.config.ContainerConfig;
import cc.container.api.config.HealthCheck;
import cc.container.api.runtime.ContainerState;
import cc.container.api.runtime.ContainerStats;
import cc.container.api.runtime.DriverException;
import java.time.Duration;
import java.time.Instant;

/**
 * What can happen to a managed container: a user's operation, what its runtime says, a timer, and the outcome of a
 * runtime call the machine made. {@link Transitions#step} maps each, with the container's state, to its next state and
 * what to do.
 */
sealed interface Event {
	/** A user starts it (also clears a restart policy that gave up). */
	record UserStart() implements Event {
	}

	/** A user stops it: its stop signal, then a kill after {@code grace}. */
	record UserStop(Duration grace) implements Event {
	}

	/** A user restarts it: a stop, then a start. */
	record UserRestart(Duration grace) implements Event {
	}

	/** The device shuts down: it is stopped, its desired state kept. */
	record ShutdownStop(Duration grace) implements Event {
	}

	/** It is no longer the machine's (removed, replaced, released by hand). */
	record Release() implements Event {
	}

	/** Its entry in the containers configuration changed. */
	record ConfigChanged(ContainerConfig config) implements Event {
	}

	/**
	 * A look at its runtime: its state ({@code null}: the runtime does not know it) and a statistics sample or null.
	 * {@code askedAt} ({@link System#nanoTime()}) is when the runtime was asked: an answer older than the container's
	 * last change says nothing about it any more.
	 */
	record Observed(ContainerState state, ContainerStats stats, long askedAt) implements Event {
	}

	/** Its runtime reported the end of its init: to be confirmed (events come late at times). */
	record Died(Integer exitCode, Instant at) implements Event {
	}

	/** A reported death, with what the runtime says now ({@code null} when it could not be asked). */
	record DeathConfirmed(Integer exitCode, Instant at, ContainerState now) implements Event {
	}

	/** A pending automatic restart is due. */
	record RestartDue() implements Event {
	}

	/** Its runtime's driver went away. */
	record DriverGone() implements Event {
	}

	/** What the runtime said when asked before a user's start ({@code null}: it does not know it). */
	record Queried(ContainerState state) implements Event {
	}

	/** A start the machine asked for returned; {@code state} is the runtime's view right after it (null: unknown). */
	record Started(ContainerState state, Cause cause) implements Event {
	}

	/**
	 * A start the machine asked for failed.
	 *
	 * @param cancelled whether it was cut short for a user's operation (not the runtime's failure)
	 */
	record StartFailed(DriverException error, Cause cause, boolean cancelled) implements Event {
	}

	/** A stop the machine asked for returned; {@code keep} is the desired state a shutdown stop keeps (else null). */
	record Stopped(Action.Stop.Purpose purpose, DesiredState keep) implements Event {
	}

	/** A stop the machine asked for failed. */
	record StopFailed(DriverException error, Action.Stop.Purpose purpose, DesiredState keep) implements Event {
	}

	/**
	 * A health check ended.
	 *
	 * @param ok whether it passed
	 * @param output what it said (the last line of its output, an HTTP status line, why it failed)
	 * @param check the check that ran (the container's, or its image's)
	 */
	record Probed(boolean ok, String output, Instant at, HealthCheck check) implements Event {
	}

	/** Who asked for a start. */
	enum Cause {
		USER("started by a user"), RESTART("restarted by its restart policy"), BOOT("autostart after boot");

		final String why;

		Cause(String why) {
			this.why = why;
		}

		boolean automatic() {
			return this != USER;
		}
	}
}
