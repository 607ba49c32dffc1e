package cc.container.supervisor.internal;

import java.util.concurrent.ScheduledFuture;

/** The supervisor's boot clock and timer: what the machines and the prober plan with (a test moves it by hand). */
interface Timing {
	/** The boot clock: milliseconds since the device booted. */
	long nowMs();

	/** Runs {@code task} {@code delayMs} from now on the supervisor's timer. */
	ScheduledFuture<?> schedule(Runnable task, long delayMs);
}
