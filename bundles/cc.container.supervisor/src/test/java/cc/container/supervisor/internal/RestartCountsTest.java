package cc.container.supervisor.internal;

import static org.assertj.core.api.Assertions.assertThat;

import cc.container.api.config.RestartPolicy;
import cc.container.supervisor.internal.RestartTracker.Decision.Kind;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The restart policy of SPEC section 4, to the second, on an injected monotonic clock. */
class RestartTrackerTest {
	static final RestartPolicy THREE_IN_60 = new RestartPolicy(true, 3, 5, 60);

	static long s(long seconds) {
		return seconds * 1000;
	}

	@Test
	void restartsAfterTheRetryDelay() {
		RestartTracker t = new RestartTracker(0, List.of(), false);
		RestartTracker.Decision d = t.onUnexpectedStop(THREE_IN_60, s(100));
		assertThat(d.kind()).isEqualTo(Kind.RESTART);
		assertThat(d.delayMs()).isEqualTo(5000);
		assertThat(d.attempt()).isEqualTo(1);
		assertThat(d.text()).isEqualTo("restart in 5 s (1 of 3 in 60 s)");
	}

	@Test
	void givesUpAtExactlyMaxRetriesWithinTheWindow() {
		RestartTracker t = new RestartTracker(0, List.of(), false);
		for (int i = 0; i < 3; i++) {
			assertThat(t.onUnexpectedStop(THREE_IN_60, s(100 + i * 10)).kind()).isEqualTo(Kind.RESTART);
			t.recordRestart(s(105 + i * 10));
		}
		RestartTracker.Decision d = t.onUnexpectedStop(THREE_IN_60, s(130));
		assertThat(d.kind()).isEqualTo(Kind.GIVE_UP);
		assertThat(d.text()).isEqualTo("gave up: 3 restarts within 60 s (max_retries 3)");
		assertThat(t.gaveUp()).isTrue();
		assertThat(t.total()).isEqualTo(3);
	}

	@Test
	void theWindowSlides() {
		RestartTracker t = new RestartTracker(0, List.of(), false);
		t.recordRestart(s(100));
		t.recordRestart(s(110));
		t.recordRestart(s(120));
		// At 160 the restart of 100 is exactly 60 s old: out of the window.
		assertThat(t.inWindow(THREE_IN_60, s(160))).isEqualTo(2);
		assertThat(t.onUnexpectedStop(THREE_IN_60, s(160)).kind()).isEqualTo(Kind.RESTART);
		// One second earlier all three were within it.
		RestartTracker u = new RestartTracker(0, List.of(s(100), s(110), s(120)), false);
		assertThat(u.onUnexpectedStop(THREE_IN_60, s(159)).kind()).isEqualTo(Kind.GIVE_UP);
	}

	@Test
	void aUserStartClearsTheCount() {
		RestartTracker t = new RestartTracker(0, List.of(s(100), s(101), s(102)), true);
		assertThat(t.onUnexpectedStop(THREE_IN_60, s(103)).kind()).isEqualTo(Kind.GIVE_UP);
		t.reset();
		assertThat(t.gaveUp()).isFalse();
		assertThat(t.onUnexpectedStop(THREE_IN_60, s(104)).kind()).isEqualTo(Kind.RESTART);
	}

	@Test
	void maxRetriesZeroMeansNoLimit() {
		RestartPolicy unlimited = new RestartPolicy(true, 0, 0, 60);
		RestartTracker t = new RestartTracker(0, List.of(), false);
		for (int i = 0; i < 1000; i++) {
			RestartTracker.Decision d = t.onUnexpectedStop(unlimited, s(100) + i);
			assertThat(d.kind()).isEqualTo(Kind.RESTART);
			t.recordRestart(s(100) + i);
		}
		assertThat(t.total()).isEqualTo(1000);
		assertThat(t.onUnexpectedStop(unlimited, s(102)).text()).isEqualTo("restart in 0 s (attempt 1001 in 60 s)");
		assertThat(t.onUnexpectedStop(unlimited, s(200)).text()).isEqualTo("restart in 0 s (attempt 1 in 60 s)");
	}

	@Test
	void disabledPolicyNeverRestarts() {
		RestartTracker t = new RestartTracker(0, List.of(), false);
		RestartTracker.Decision d = t.onUnexpectedStop(new RestartPolicy(false, 3, 3, 60), s(100));
		assertThat(d.kind()).isEqualTo(Kind.NONE);
		assertThat(d.text()).isEqualTo("not restarted: its restart policy is disabled");
	}

	@Test
	void aClockThatJumpsBackForgetsRestartsFromTheFuture() {
		// Restart times from a previous boot (a larger uptime) must not count in a new one.
		RestartTracker t = new RestartTracker(0, List.of(s(5000), s(5010), s(5020)), false);
		assertThat(t.onUnexpectedStop(THREE_IN_60, s(30)).kind()).isEqualTo(Kind.RESTART);
		assertThat(t.inWindow(THREE_IN_60, s(30))).isZero();
	}
}
