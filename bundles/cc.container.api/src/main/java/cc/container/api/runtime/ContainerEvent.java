package cc.container.api.runtime;

import java.time.Instant;

/**
 * Something that happened to a container, as its runtime reported it.
 *
 * @param id the container's id
 * @param type what happened
 * @param at when
 * @param exitCode for {@link Type#DIED}: its exit status, or {@code null} when the runtime does not know it
 */
public record ContainerEvent(String id, Type type, Instant at, Integer exitCode) {

	/** Kinds of event. */
	public enum Type {
		/** Its init process started. */
		STARTED,
		/** Its init process ended, whichever way. */
		DIED,
		/** The kernel's OOM killer struck in it. */
		OOM
	}
}
