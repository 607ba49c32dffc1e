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

	@AfterEach
	void stop() {
		pool.shutdown();
		timer.shutdownNow();
	}

	@Test
	void aBurstOfQuickTasksRunsOnAFewThreadsInOrder() throws Exception {
		// A poll's events: twenty tasks of 0.2 ms at once. A thread per task that finds none idle would make about twenty.
		Set<Thread> used = ConcurrentHashMap.newKeySet();
		List<Integer> order = new CopyOnWriteArrayList<>();
		CountDownLatch done = new CountDownLatch(20);
		SerialExecutor serial = new SerialExecutor(pool);
		for (int i = 0; i < 20; i++) {
			int n = i;
			pool.execute(() -> {
				used.add(Thread.currentThread());
				java.util.concurrent.locks.LockSupport.parkNanos(200_000);
				done.countDown();
			});
			serial.execute(() -> order.add(n));
		}
		assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();
		assertThat(used.size()).isLessThanOrEqualTo(10);
		while (order.size() < 20) {
			Thread.sleep(5);
		}
		assertThat(order).isSorted();
	}

	@Test
	void tasksBlockedInRuntimeCallsDoNotStarveTheOthers() throws Exception {
		// Ten stops waiting out their grace period at once: each gets a thread, and a restart after them still runs.
		CountDownLatch release = new CountDownLatch(1);
		CountDownLatch blocked = new CountDownLatch(10);
		for (int i = 0; i < 10; i++) {
			pool.execute(() -> {
				blocked.countDown();
				try {
					release.await();
				} catch (InterruptedException e) {
					Thread.currentThread().interrupt();
				}
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
			try {
				release.await();
			} catch (InterruptedException e) {
				Thread.currentThread().interrupt();
			}
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
		CountDownLatch first = new CountDownLatch(1);
		boolean[] interrupted = new boolean[1];
		CountDownLatch second = new CountDownLatch(1);
		pool.execute(() -> {
			Thread.currentThread().interrupt();
			first.countDown();
		});
		assertThat(first.await(10, TimeUnit.SECONDS)).isTrue();
		pool.execute(() -> {
			interrupted[0] = Thread.currentThread().isInterrupted();
			second.countDown();
		});
		assertThat(second.await(10, TimeUnit.SECONDS)).isTrue();
		assertThat(interrupted[0]).isFalse();
	}
}
