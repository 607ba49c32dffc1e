package cc.container.supervisor.internal;

import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Delayed;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A boot clock that a test moves by hand, and the timers set on it: what happens to the second, without waiting.
 * {@link #advance} runs each timer that falls due, on the test's thread, at its own time.
 */
final class VirtualClock implements Timing {
	/** How many timers have run. */
	volatile int runs;
	volatile long now = 1_000_000;
	private final List<Timer> timers = new CopyOnWriteArrayList<>();

	/** A timer set on this clock. */
	final class Timer implements ScheduledFuture<Object> {
		final long due;
		final Runnable task;
		volatile boolean cancelled;
		volatile boolean ran;

		Timer(long due, Runnable task) {
			this.due = due;
			this.task = task;
		}

		@Override
		public long getDelay(TimeUnit unit) {
			return unit.convert(due - now, TimeUnit.MILLISECONDS);
		}

		@Override
		public int compareTo(Delayed o) {
			return Long.compare(getDelay(TimeUnit.MILLISECONDS), o.getDelay(TimeUnit.MILLISECONDS));
		}

		@Override
		public boolean cancel(boolean interrupt) {
			cancelled = true;
			return true;
		}

		@Override
		public boolean isCancelled() {
			return cancelled;
		}

		@Override
		public boolean isDone() {
			return cancelled || ran;
		}

		@Override
		public Object get() {
			return null;
		}

		@Override
		public Object get(long timeout, TimeUnit unit) {
			return null;
		}
	}

	@Override
	public long nowMs() {
		return now;
	}

	@Override
	public ScheduledFuture<?> schedule(Runnable task, long delayMs) {
		Timer t = new Timer(now + delayMs, task);
		timers.add(t);
		return t;
	}

	/** Whether a timer is set (and not cancelled). */
	boolean pending() {
		return timers.stream().anyMatch(t -> !t.cancelled);
	}

	/** When the soonest timer set is due, in seconds from now; -1: none is set. */
	double nextDueSeconds() {
		return timers.stream().filter(t -> !t.cancelled).mapToLong(t -> t.due).min().stream().mapToDouble(d -> (d - now) / 1000.0).findFirst()
			.orElse(-1);
	}

	/** Advances the clock by {@code seconds}, running the timers that fall due. */
	void advance(double seconds) {
		long until = now + (long) (seconds * 1000);
		while (true) {
			Timer next = timers.stream().filter(t -> !t.cancelled && t.due <= until).min(Comparator.comparingLong(t -> t.due)).orElse(null);
			if (next == null) {
				break;
			}
			now = Math.max(now, next.due);
			timers.remove(next);
			next.task.run();
			next.ran = true; // done once it has run, as a real timer's task
			runs++;
		}
		now = until;
	}
}
