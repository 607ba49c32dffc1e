package cc.container.supervisor.internal;

import static org.assertj.core.api.Assertions.assertThat;

import cc.container.api.runtime.RuntimeDriver;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** One whiteboard of drivers, ranked as OSGi ranks services, with waits and changes told in order. */
class DriverWhiteboardTest {
	final DriverWhiteboard board = new DriverWhiteboard();
	final List<String> told = new CopyOnWriteArrayList<>();

	static Map<String, Object> props(String runtime, int ranking, long id) {
		return Map.of(RuntimeDriver.RUNTIME, runtime, "service.ranking", ranking, "service.id", id);
	}

	static String name(RuntimeDriver d) {
		return d == null ? "none" : d.toString();
	}

	static FakeDriver named(String runtime, String name) {
		return new FakeDriver(runtime) {
			@Override
			public String toString() {
				return name;
			}
		};
	}

	@Test
	void theHighestRankingServesThenTheOldest() throws Exception {
		FakeDriver first = named("podman", "first");
		FakeDriver better = named("podman", "better");
		FakeDriver same = named("podman", "same-rank-later");
		board.watch((runtime, before, after) -> told.add(runtime + ": " + name(before) + " -> " + name(after)));
		board.bindDriver(first, props("podman", 0, 10));
		board.bindDriver(better, props("podman", 5, 11));
		board.bindDriver(same, props("podman", 5, 12));
		assertThat(board.driver("podman")).containsSame(better);
		board.unbindDriver(better, props("podman", 5, 11));
		assertThat(board.driver("podman")).containsSame(same);
		board.unbindDriver(first, props("podman", 0, 10)); // not serving: nothing to tell
		board.unbindDriver(same, props("podman", 5, 12));
		assertThat(board.driver("podman")).isEmpty();
		assertThat(board.runtimes()).isEmpty();
		assertThat(told).containsExactly("podman: none -> first", "podman: first -> better", "podman: better -> same-rank-later",
			"podman: same-rank-later -> none");
	}

	@Test
	void aRankingChangeIsSeen() throws Exception {
		FakeDriver a = named("lxc", "a");
		FakeDriver b = named("lxc", "b");
		board.bindDriver(a, props("lxc", 1, 1));
		board.bindDriver(b, props("lxc", 0, 2));
		board.updatedDriver(b, props("lxc", 9, 2));
		assertThat(board.driver("lxc")).containsSame(b);
	}

	@Test
	void aWatcherIsToldOfTheDriversAlreadyThere() throws Exception {
		board.add(named("lxc", "l"));
		board.add(named("podman", "p"));
		try (AutoCloseable w = board.watch((runtime, before, after) -> told.add(runtime + ": " + name(after)))) {
			assertThat(told).containsExactlyInAnyOrder("lxc: l", "podman: p");
		}
		board.add(named("other", "o"));
		assertThat(told).hasSize(2); // closed: told nothing more
	}

	@Test
	void awaitReturnsWhenTheDriverComesOrTheTimeIsUp() throws Exception {
		assertThat(board.await("podman", Duration.ofMillis(50))).isEmpty();
		FakeDriver d = named("podman", "p");
		CompletableFuture<Object> waiting = CompletableFuture.supplyAsync(() -> {
			try {
				return board.await("podman", Duration.ofSeconds(30)).orElse(null);
			} catch (InterruptedException e) {
				return null;
			}
		});
		Thread.sleep(100); // it waits...
		assertThat(waiting).isNotDone();
		board.add(d); // ...until the driver comes
		assertThat(waiting.get(10, TimeUnit.SECONDS)).isSameAs(d);
	}
}
