package cc.container.util;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/** Executors of the daemon's components: named daemon threads, so a thread dump says whose they are. */
public final class Threads {
	private Threads() {
	}

	/** A factory of daemon threads called {@code name}, then {@code name-2}, {@code name-3}, ... */
	public static ThreadFactory named(String name) {
		AtomicInteger n = new AtomicInteger();
		return r -> {
			int i = n.incrementAndGet();
			Thread t = new Thread(r, i == 1 ? name : name + "-" + i);
			t.setDaemon(true);
			return t;
		};
	}

	/** A scheduler with one daemon thread called {@code name}. */
	public static ScheduledExecutorService scheduler(String name) {
		return Executors.newSingleThreadScheduledExecutor(named(name));
	}
}
