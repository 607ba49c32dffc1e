package cc.container.util.runtime;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/** Event listeners of a driver: added and removed from any thread, each call shielded from the others' failures. */
public final class Listeners<T> {
	private final List<Consumer<T>> listeners = new CopyOnWriteArrayList<>();
	private final Consumer<String> onFailure;

	/** Listeners whose failures are reported to {@code onFailure}. */
	public Listeners(Consumer<String> onFailure) {
		this.onFailure = onFailure;
	}

	/** Adds a listener; closing the result removes it. */
	public AutoCloseable add(Consumer<T> listener) {
		listeners.add(listener);
		return () -> listeners.remove(listener);
	}

	/** Whether anyone listens. */
	public boolean isEmpty() {
		return listeners.isEmpty();
	}

	/** Hands {@code event} to every listener. */
	public void fire(T event) {
		for (Consumer<T> l : listeners) {
			try {
				l.accept(event);
			} catch (RuntimeException e) {
				onFailure.accept("An event listener failed on " + event + ": " + e);
			}
		}
	}
}
