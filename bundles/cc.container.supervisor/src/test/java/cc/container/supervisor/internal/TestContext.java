package cc.container.supervisor.internal;

import cc.container.api.runtime.RuntimeDriver;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledFuture;

/**
 * What a machine under test gets of its supervisor: one driver (null: away), a hand-moved clock, a pool that runs its
 * work on the caller's thread unless a test gives another, and a log of what it said above DEBUG ("LEVEL message").
 */
final class TestContext implements ContainerMachine.Context {
	final VirtualClock clock;
	final List<String> log = new CopyOnWriteArrayList<>();
	volatile RuntimeDriver driver;
	volatile Executor pool = Runnable::run;

	TestContext(RuntimeDriver driver) {
		this(driver, new VirtualClock());
	}

	/** A context on {@code clock}, which a test may share with other parts under test. */
	TestContext(RuntimeDriver driver, VirtualClock clock) {
		this.driver = driver;
		this.clock = clock;
	}

	@Override
	public RuntimeDriver driver(String runtime) {
		return driver;
	}

	@Override
	public long nowMs() {
		return clock.nowMs();
	}

	@Override
	public ScheduledFuture<?> schedule(Runnable task, long delayMs) {
		return clock.schedule(task, delayMs);
	}

	@Override
	public Executor pool() {
		return pool;
	}

	@Override
	public Duration commandTimeout() {
		return Duration.ofSeconds(5);
	}

	@Override
	public boolean holding() {
		return false;
	}

	@Override
	public void changed() {
	}

	@Override
	public void log(Action.Log.Level level, String message, Object... args) {
		if (level != Action.Log.Level.DEBUG) {
			log.add(level + " " + message);
		}
	}
}
