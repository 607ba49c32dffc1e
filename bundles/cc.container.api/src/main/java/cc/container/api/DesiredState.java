package cc.container.api;

import java.util.Locale;

/** Where a container's user wants it. */
public enum DesiredState {
	/** It should run: an unexpected stop is handled by the restart policy. */
	RUNNING,
	/** It should not run: set by a user's stop, never undone by the restart policy. */
	STOPPED;

	/** The name used in state.json: lower case. */
	public String json() {
		return name().toLowerCase(Locale.ROOT);
	}
}
