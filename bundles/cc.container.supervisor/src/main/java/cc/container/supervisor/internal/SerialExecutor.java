package cc.container.supervisor.internal;

import java.util.ArrayDeque;
import java.util.Queue;
import java.util.concurrent.Executor;

/** Runs the tasks given to it one after the other, in order, on a shared pool. */
final class SerialExecutor implements Executor {
	private final Executor pool;
	private final Queue<Runnable> tasks = new ArrayDeque<>();
	private boolean running;

	SerialExecutor(Executor pool) {
		this.pool = pool;
	}

	@Override
	public synchronized void execute(Runnable task) {
		tasks.add(task);
		if (!running) {
			running = true;
			pool.execute(this::drain);
		}
	}

	private void drain() {
		while (true) {
			Runnable next;
			synchronized (this) {
				next = tasks.poll();
				if (next == null) {
					running = false;
					return;
				}
			}
			try {
				next.run();
			} catch (RuntimeException e) {
				// each task reports its own failures; one must not stop the queue
			}
		}
	}
}
