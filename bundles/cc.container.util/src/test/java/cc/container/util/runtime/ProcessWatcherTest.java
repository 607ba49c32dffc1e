package cc.container.util.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The kernel's word on a process's end, through a pidfd (this machine has them: Linux 5.3 and glibc 2.36 or later). */
class ProcessWatcherTest {
	@Test
	void aWatchedProcessThatIsKilledIsToldOnce() throws Exception {
		Process sleeper = new ProcessBuilder("sleep", "600").start();
		try (ProcessWatcher w = ProcessWatcher.open("test-exits")) {
			assertThat(w).as("pidfds on this machine").isNotNull();
			CountDownLatch ended = new CountDownLatch(1);
			AtomicInteger told = new AtomicInteger();
			w.watch("s", sleeper.toHandle(), () -> {
				told.incrementAndGet();
				ended.countDown();
			});
			assertThat(ended.await(200, TimeUnit.MILLISECONDS)).as("nothing told while it runs").isFalse();
			assertThat(w.watches("s")).isTrue();
			sleeper.destroyForcibly().waitFor();
			assertThat(ended.await(30, TimeUnit.SECONDS)).isTrue();
			assertThat(w.watches("s")).as("an end told is watched no more").isFalse();
			Thread.sleep(100); // a second word would come now (this waits for an absence)
			assertThat(told).hasValue(1);
		} finally {
			sleeper.destroyForcibly();
		}
	}

	@Test
	void aProcessThatEndedAlreadyIsToldAtOnce() throws Exception {
		Process done = new ProcessBuilder("true").start();
		done.waitFor();
		try (ProcessWatcher w = ProcessWatcher.open("test-exits")) {
			AtomicInteger told = new AtomicInteger();
			w.watch("t", done.toHandle(), told::incrementAndGet);
			assertThat(told).hasValue(1);
		}
	}

	@Test
	void aClosedWatcherWatchesNothing() throws Exception {
		Process sleeper = new ProcessBuilder("sleep", "600").start();
		try {
			ProcessWatcher w = ProcessWatcher.open("test-exits");
			w.close();
			AtomicInteger told = new AtomicInteger();
			w.watch("s", sleeper.toHandle(), told::incrementAndGet);
			w.unwatch("s");
			w.close(); // twice is nothing
			sleeper.destroyForcibly().waitFor();
			Thread.sleep(100); // an end would be told now (this waits for an absence)
			assertThat(told).hasValue(0);
		} finally {
			sleeper.destroyForcibly();
		}
	}
}
