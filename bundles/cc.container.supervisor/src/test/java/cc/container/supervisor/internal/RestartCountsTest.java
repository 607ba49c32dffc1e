package cc.container.supervisor.internal;

import static org.assertj.core.api.Assertions.assertThat;

import cc.container.api.config.RestartPolicy;
import cc.container.supervisor.internal.RestartCounts.Decision.Kind;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The restart policy (docs/configuration.md), to the second, on a given monotonic clock. */
class RestartCountsTest {
	static final RestartPolicy THREE_IN_60 = new RestartPolicy(true, 3, 5, 60);
	static final Instant AT = Instant.parse("2026-12-01T00:00:00Z");

	static long s(long seconds) {
		return seconds * 1000;
	}

	static RestartCounts of(long... times) {
		return new RestartCounts(0, java.util.Arrays.stream(times).boxed().toList(), false, null);
	}

	@Test
	void restartsAfterTheRetryDelay() {
		RestartCounts.Decision d = RestartCounts.NONE.decide(THREE_IN_60, s(100));
		assertThat(d.kind()).isEqualTo(Kind.RESTART);
		assertThat(d.delayMs()).isEqualTo(5000);
		assertThat(d.attempt()).isEqualTo(1);
		assertThat(d.text()).isEqualTo("restart in 5 s (1 of 3 in 60 s)");
	}

	@Test
	void givesUpAtExactlyMaxRetriesWithinTheWindow() {
		RestartCounts c = RestartCounts.NONE;
		for (int i = 0; i < 3; i++) {
			RestartCounts.Decision d = c.decide(THREE_IN_60, s(100 + i * 10));
			assertThat(d.kind()).isEqualTo(Kind.RESTART);
			c = d.next().restarted(s(105 + i * 10), AT);
		}
		RestartCounts.Decision d = c.decide(THREE_IN_60, s(130));
		assertThat(d.kind()).isEqualTo(Kind.GIVE_UP);
		assertThat(d.text()).isEqualTo("gave up: 3 restarts within 60 s (max_retries 3)");
		assertThat(d.next().gaveUp()).isTrue();
		assertThat(d.next().total()).isEqualTo(3);
		assertThat(d.next().lastAt()).isEqualTo(AT);
		assertThat(c.gaveUp()).as("the counts before the decision do not change").isFalse();
	}

	@Test
	void theWindowSlides() {
		RestartCounts c = of(s(100), s(110), s(120));
		// At 160 the restart of 100 is exactly 60 s old: out of the window.
		assertThat(c.inWindow(THREE_IN_60, s(160))).isEqualTo(2);
		assertThat(c.decide(THREE_IN_60, s(160)).kind()).isEqualTo(Kind.RESTART);
		// One second earlier all three were within it.
		assertThat(c.decide(THREE_IN_60, s(159)).kind()).isEqualTo(Kind.GIVE_UP);
	}

	@Test
	void aUserStartClearsTheCount() {
		RestartCounts c = new RestartCounts(3, List.of(s(100), s(101), s(102)), true, AT);
		assertThat(c.decide(THREE_IN_60, s(103)).kind()).isEqualTo(Kind.GIVE_UP);
		RestartCounts reset = c.reset();
		assertThat(reset.gaveUp()).isFalse();
		assertThat(reset.total()).as("the total since installation stays").isEqualTo(3);
		assertThat(reset.decide(THREE_IN_60, s(104)).kind()).isEqualTo(Kind.RESTART);
	}

	@Test
	void maxRetriesZeroMeansNoLimit() {
		RestartPolicy unlimited = new RestartPolicy(true, 0, 0, 60);
		RestartCounts c = RestartCounts.NONE;
		for (int i = 0; i < 1000; i++) {
			RestartCounts.Decision d = c.decide(unlimited, s(100) + i);
			assertThat(d.kind()).isEqualTo(Kind.RESTART);
			c = d.next().restarted(s(100) + i, AT);
		}
		assertThat(c.total()).isEqualTo(1000);
		assertThat(c.decide(unlimited, s(102)).text()).isEqualTo("restart in 0 s (attempt 1001 in 60 s)");
		assertThat(c.decide(unlimited, s(200)).text()).isEqualTo("restart in 0 s (attempt 1 in 60 s)");
	}

	@Test
	void disabledPolicyNeverRestarts() {
		RestartCounts.Decision d = RestartCounts.NONE.decide(new RestartPolicy(false, 3, 3, 60), s(100));
		assertThat(d.kind()).isEqualTo(Kind.NONE);
		assertThat(d.text()).isEqualTo("not restarted: its restart policy is disabled");
	}

	@Test
	void aClockThatJumpsBackForgetsRestartsFromTheFuture() {
		// Restart times from a previous boot (a larger uptime) must not count in a new one.
		RestartCounts c = of(s(5000), s(5010), s(5020));
		assertThat(c.decide(THREE_IN_60, s(30)).kind()).isEqualTo(Kind.RESTART);
		assertThat(c.inWindow(THREE_IN_60, s(30))).isZero();
	}

	@Test
	void theTimesKeptAreBounded() {
		RestartCounts c = RestartCounts.NONE;
		for (int i = 0; i < RestartCounts.MAX_TIMES + 10; i++) {
			c = c.restarted(i, AT);
		}
		assertThat(c.times()).hasSize(RestartCounts.MAX_TIMES).first().isEqualTo(10L);
		assertThat(c.total()).isEqualTo(RestartCounts.MAX_TIMES + 10);
	}
}
