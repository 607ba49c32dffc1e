package cc.container.supervisor.internal;

import cc.container.util.Threads;
import java.util.ArrayDeque;
import java.util.Queue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;

/**
 * The threads the containers' serial executors run on. A runtime call can block a thread for a long time (a stop
 * waits out its grace period), so a fixed handful would let a few slow stops starve every other container's
 * restarts; and a thread for every task that finds none idle would make one per container at each poll, whose events
 * take a moment each. So a task goes to an idle thread, or waits in order for the next one free; when there is no
 * thread at all one is made at once, and tasks still waiting {@value #SPAWN_DELAY_MS} ms later get one each (the busy
 * threads are then likely blocked in runtime calls), up to {@value #MAX} at once. A thread ends after
 * {@value #IDLE_SECONDS} s without work: an idle daemon holds none, and a poll of twenty containers needs one or two.
 */
final class Workers implements Executor {
	static final int MAX = 64;
	static final int IDLE_SECONDS = 30;
	static final long SPAWN_DELAY_MS = 20;

	private final ThreadFactory factory;
	private final ScheduledExecutorService timer;
	// Guarded by this.
	private final Queue<Runnable> queue = new ArrayDeque<>();
	private int threads;
	private int idle;
	private boolean checkPlanned;
	private boolean shutdown;

	/** @param timer where the look for tasks that wait too long runs */
	Workers(String name, ScheduledExecutorService timer) {
		this.factory = Threads.named(name);
		this.timer = timer;
	}

	@Override
	public synchronized void execute(Runnable task) {
		if (shutdown) {
			throw new RejectedExecutionException("the supervisor stopped");
		}
		queue.add(task);
		if (idle >= queue.size()) {
			notify();
		} else if (threads == 0) {
			spawn();
		} else {
			planCheck();
		}
	}

	private void planCheck() {
		if (checkPlanned) {
			return;
		}
		checkPlanned = true;
		try {
			timer.schedule(this::check, SPAWN_DELAY_MS, TimeUnit.MILLISECONDS);
		} catch (RejectedExecutionException e) {
			checkPlanned = false;
			if (threads < MAX) {
				spawn(); // the supervisor's timer stopped: no task waits for a look that will not come
			}
		}
	}

	/** Every task still waiting for a thread gets one (within {@value #MAX}). */
	private synchronized void check() {
		checkPlanned = false;
		for (int want = queue.size() - idle; want > 0 && threads < MAX && !shutdown; want--) {
			spawn();
		}
	}

	/** The liveness check's safety net: a task that waits while no thread is idle gets one. */
	synchronized void tick() {
		if (!shutdown && queue.size() > idle && threads < MAX) {
			spawn();
		}
	}

	/** Runs what is queued, then lets the threads end; nothing new is taken. */
	synchronized void shutdown() {
		shutdown = true;
		notifyAll();
	}

	/** The threads there are now (tests). */
	synchronized int threads() {
		return threads;
	}

	private void spawn() {
		threads++;
		factory.newThread(this::work).start();
	}

	private void work() {
		Runnable task;
		while ((task = next()) != null) {
			Thread.interrupted(); // an interrupt meant for the previous task is not this one's
			try {
				task.run();
			} catch (RuntimeException e) {
				// each task reports its own failures; one must not end the thread
			} catch (Error e) {
				synchronized (this) {
					threads--; // the thread ends with it, and its uncaught handler prints it
				}
				throw e;
			}
		}
	}

	/** The next task, or null when this thread is to end (idle too long, or the pool shut down and drained). */
	private synchronized Runnable next() {
		long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(IDLE_SECONDS);
		while (true) {
			Runnable task = queue.poll();
			if (task != null) {
				return task;
			}
			long left = deadline - System.nanoTime();
			if (shutdown || left <= 0) {
				threads--;
				return null;
			}
			idle++;
			try {
				TimeUnit.NANOSECONDS.timedWait(this, left);
			} catch (InterruptedException e) {
				// only the pool ends its threads: look again
			} finally {
				idle--;
			}
		}
	}
}
