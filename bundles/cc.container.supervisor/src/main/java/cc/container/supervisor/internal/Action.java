package cc.container.supervisor.internal;

import cc.container.api.DesiredState;
import cc.container.api.SupervisorException;
import java.time.Duration;
import java.time.Instant;

/**
 * What a step of a container's machine asks for. Runtime calls ({@link Start}, {@link Stop}, {@link Query},
 * {@link ConfirmDeath}) are run by the machine, and their outcome is the next event; the others are done at once.
 */
sealed interface Action {
	/** Start the container; {@link Event.Started} or {@link Event.StartFailed} follows. */
	record Start(Event.Cause cause) implements Action {
	}

	/** Stop it; {@link Event.Stopped} or {@link Event.StopFailed} follows. {@code keep}: a shutdown stop's desired state. */
	record Stop(Duration grace, Purpose purpose, DesiredState keep) implements Action {
		/** Why it is stopped. */
		enum Purpose {
			/** A user's stop (or the stop of a user's restart). */
			USER,
			/** The device shuts down. */
			SHUTDOWN,
			/** Its health check failed: its restart policy decided what follows. */
			UNHEALTHY
		}
	}

	/** Ask the runtime whether it runs; {@link Event.Queried} follows. */
	record Query() implements Action {
	}

	/** Ask the runtime about a reported death; {@link Event.DeathConfirmed} follows. */
	record ConfirmDeath(Integer exitCode, Instant at) implements Action {
	}

	/** Restart it after {@code delayMs}: {@link Event.RestartDue} then. */
	record ScheduleRestart(long delayMs) implements Action {
	}

	/** Cancel a pending automatic restart. */
	record CancelRestart() implements Action {
	}

	/** Log a sentence for the device's integrator ({@code {}} placeholders). */
	record Log(Level level, String message, Object... args) implements Action {
		/** Severities. */
		enum Level {
			DEBUG, INFO, WARN, ERROR
		}
	}

	/** The user's operation ends: with the container's report, or with {@code error}. */
	record Answer(SupervisorException error) implements Action {
	}
}
