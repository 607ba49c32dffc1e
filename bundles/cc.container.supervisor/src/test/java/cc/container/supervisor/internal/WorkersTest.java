package cc.container.supervisor.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import cc.container.util.Threads;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class WorkersTest {
	final ScheduledExecutorService timer = Threads.scheduler("test-timer");
	final Workers pool = new Workers("test-worker", timer);

	/** A timer held busy: the look for tasks that wait too long cannot come, so no thread is made but the first. */
	final ScheduledExecutorService held = Threads.scheduler("test-held-timer");
	final CountDownLatch unhold = new CountDownLatch(1);

	@AfterEach
	void stop() {
		pool.shutdown();
		timer.shutdownNow();
		unhold.countDown();
		held.shutdownNow();
	}

	/** Waits for {@code latch} as a task blocked in a runtime call would. */
	static void awaitQuietly(CountDownLatch latch) {
		try {
			latch.await();
		} catch (InterruptedException e) {
			Thread.currentThread().interrupt();
		}
	}

	Workers withHeldTimer(String name) {
		held.execute(() -> awaitQuietly(unhold));
		return new Workers(name, held);
	}

	@Test
	void aBurstOfQuickTasksRunsOnOneThreadInOrder() throws Exception {
		// A poll's events: twenty tasks of 0.2 ms at once. A thread per task that finds none idle would make about
		// twenty; here the look for tasks that wait too long cannot come (its timer is held), so one thread runs them all.
		Workers burst = withHeldTimer("test-burst");
		try {
			Set<Thread> used = ConcurrentHashMap.newKeySet();
			List<Integer> order = new CopyOnWriteArrayList<>();
			CountDownLatch done = new CountDownLatch(20);
			for (int i = 0; i < 20; i++) {
				int n = i;
				burst.execute(() -> {
					used.add(Thread.currentThread());
					order.add(n);
					java.util.concurrent.locks.LockSupport.parkNanos(200_000);
					done.countDown();
				});
			}
			assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();
			assertThat(used).hasSize(1);
			assertThat(burst.threads()).isEqualTo(1);
			assertThat(order).as("in the order given").isSorted();
		} finally {
			burst.shutdown();
		}
	}

	@Test
	void tasksBlockedInRuntimeCallsDoNotStarveTheOthers() throws Exception {
		// Ten stops waiting out their grace period at once: each gets a thread, and a restart after them still runs.
		CountDownLatch release = new CountDownLatch(1);
		CountDownLatch blocked = new CountDownLatch(10);
		for (int i = 0; i < 10; i++) {
			pool.execute(() -> {
				blocked.countDown();
				awaitQuietly(release);
			});
		}
		CountDownLatch restart = new CountDownLatch(1);
		pool.execute(restart::countDown);
		try {
			assertThat(blocked.await(10, TimeUnit.SECONDS)).as("every blocked task runs at once").isTrue();
			assertThat(restart.await(10, TimeUnit.SECONDS)).as("a task behind them runs too").isTrue();
			assertThat(pool.threads()).isBetween(11, Workers.MAX);
		} finally {
			release.countDown();
		}
	}

	@Test
	void aShutdownRunsWhatWaitsAndRefusesTheRest() throws Exception {
		CountDownLatch release = new CountDownLatch(1);
		CountDownLatch ran = new CountDownLatch(2);
		pool.execute(() -> {
			awaitQuietly(release);
			ran.countDown();
		});
		pool.execute(ran::countDown);
		pool.shutdown();
		assertThatThrownBy(() -> pool.execute(() -> { })).isInstanceOf(RejectedExecutionException.class);
		release.countDown();
		assertThat(ran.await(10, TimeUnit.SECONDS)).isTrue();
		for (int i = 0; i < 200 && pool.threads() > 0; i++) {
			Thread.sleep(10);
		}
		assertThat(pool.threads()).isZero();
	}

	@Test
	void anInterruptMeantForOneTaskDoesNotReachTheNext() throws Exception {
		// The second task is queued while the first runs, so the same thread takes it straight after: no idle wait
		// between them could swallow the interrupt.
		CountDownLatch queued = new CountDownLatch(1);
		Thread[] ranOn = new Thread[2];
		boolean[] interrupted = new boolean[1];
		CountDownLatch second = new CountDownLatch(1);
		Workers one = withHeldTimer("test-one");
		one.execute(() -> {
			ranOn[0] = Thread.currentThread();
			awaitQuietly(queued);
			Thread.currentThread().interrupt(); // a cancelled start's interrupt, left set
		});
		one.execute(() -> {
			ranOn[1] = Thread.currentThread();
			interrupted[0] = Thread.currentThread().isInterrupted();
			second.countDown();
		});
		queued.countDown();
		assertThat(second.await(10, TimeUnit.SECONDS)).isTrue();
		assertThat(ranOn[1]).as("the same thread").isSameAs(ranOn[0]);
		assertThat(interrupted[0]).isFalse();
		one.shutdown();
	}
}
