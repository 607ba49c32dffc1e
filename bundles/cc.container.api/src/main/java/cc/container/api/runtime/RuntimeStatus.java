package cc.container.api.runtime;

/** What a runtime says of a container, reduced to what the manager needs. */
public enum RuntimeStatus {
	/** Created or installed, never started (or cleaned up after a stop). */
	CREATED,
	/** Running: its init process lives. */
	RUNNING,
	/** Paused or frozen. */
	PAUSED,
	/** Between states (starting, stopping) as the runtime reports it. */
	TRANSITIONING,
	/** Ended: stopped, exited or killed. */
	EXITED,
	/** The runtime answered something the driver does not know. */
	UNKNOWN
}
