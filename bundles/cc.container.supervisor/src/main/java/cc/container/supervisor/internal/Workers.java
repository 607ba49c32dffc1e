package cc.container.supervisor.internal;

import cc.container.util.Threads;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The threads the containers' serial executors run on. A runtime call can block a thread for a long time (a stop
 * waits out its grace period), so a fixed handful would let a few slow stops starve every other container's
 * restarts. Instead a thread is made when a task finds none idle, up to {@value #MAX} at once, and ends after
 * {@value #IDLE_SECONDS} s without work: an idle daemon holds none, a busy one as many as it has slow calls at once.
 * Past {@value #MAX}, tasks wait in order for the next free thread rather than being refused ({@link #tick()}, called
 * by the supervisor's liveness check, hands them on should every busy thread have finished just before they came).
 */
final class Workers extends ThreadPoolExecutor {
	static final int MAX = 64;
	static final int IDLE_SECONDS = 30;
	private final ConcurrentLinkedQueue<Runnable> overflow = new ConcurrentLinkedQueue<>();

	Workers(String name) {
		super(0, MAX, IDLE_SECONDS, TimeUnit.SECONDS, new SynchronousQueue<>(), Threads.named(name));
		setRejectedExecutionHandler((task, pool) -> {
			if (pool.isShutdown()) {
				throw new RejectedExecutionException("the supervisor stopped");
			}
			overflow.add(task);
		});
	}

	@Override
	protected void afterExecute(Runnable r, Throwable t) {
		drain();
	}

	private void drain() {
		Runnable next;
		while ((next = overflow.poll()) != null) {
			next.run();
		}
	}

	/** Hands waiting tasks to a thread when one is free. */
	void tick() {
		if (!overflow.isEmpty() && getActiveCount() < MAX && !isShutdown()) {
			execute(this::drain);
		}
	}
}
