package cc.container.api;

import java.util.Locale;

/** What the manager says of a container (the {@code status} of state.json). */
public enum ContainerStatus {
	/** Running as its user wants. */
	RUNNING,
	/** Stopped, as its user wants (or never started). */
	STOPPED,
	/** Being started. */
	STARTING,
	/** Being stopped. */
	STOPPING,
	/** It stopped unexpectedly; the restart policy starts it again after its delay. */
	RESTARTING,
	/** It stopped unexpectedly and the restart policy does not restart it (disabled, or monitor is off). */
	EXITED,
	/** The restart policy gave up on it; only a user's start brings it back. */
	FAILED,
	/** Its runtime cannot be asked (its driver is absent, or the runtime does not answer). */
	UNKNOWN;

	/** The name used in state.json and on the command line: lower case. */
	public String json() {
		return name().toLowerCase(Locale.ROOT);
	}
}
