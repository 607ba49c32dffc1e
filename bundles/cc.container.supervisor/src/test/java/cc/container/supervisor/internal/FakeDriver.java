package cc.container.supervisor.internal;

import cc.container.api.runtime.ContainerEvent;
import cc.container.api.runtime.ContainerSpec;
import cc.container.api.runtime.ContainerState;
import cc.container.api.runtime.ContainerStats;
import cc.container.api.runtime.DriverException;
import cc.container.api.runtime.RuntimeDriver;
import cc.container.api.runtime.RuntimeStatus;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/** A runtime in memory, for the policy's unit tests; the real runtimes are tested elsewhere. */
class FakeDriver implements RuntimeDriver {
	final String runtime;
	final Map<String, ContainerState> containers = new LinkedHashMap<>();
	final List<String> calls = new ArrayList<>();
	final Set<String> failStarts = new HashSet<>();
	long nextPid = 100;

	FakeDriver(String runtime, String... ids) {
		this.runtime = runtime;
		for (String id : ids) {
			containers.put(id, new ContainerState(id, RuntimeStatus.CREATED, 0, null, null, null, null, "1"));
		}
	}

	@Override
	public String runtime() {
		return runtime;
	}

	@Override
	public void install(ContainerSpec spec, Path payload) {
		containers.put(spec.id(), new ContainerState(spec.id(), RuntimeStatus.CREATED, 0, null, null, null, null, spec.version()));
	}

	@Override
	public void start(String id) throws DriverException {
		calls.add("start " + id);
		if (failStarts.contains(id)) {
			throw new DriverException(runtime, DriverException.Kind.FAILED, "start of " + id + " refused");
		}
		containers.put(id, new ContainerState(id, RuntimeStatus.RUNNING, nextPid++, null, null, Instant.now(), null, "1"));
	}

	@Override
	public void stop(String id, Duration grace) {
		calls.add("stop " + id);
		ContainerState s = containers.get(id);
		containers.put(id, new ContainerState(id, RuntimeStatus.EXITED, 0, 137, false, s.startedAt(), Instant.now(), "1"));
	}

	/** The container's init dies with {@code code}, as a crash would. */
	void crash(String id, int code) {
		ContainerState s = containers.get(id);
		containers.put(id, new ContainerState(id, RuntimeStatus.EXITED, 0, code, false, s.startedAt(), Instant.now(), "1"));
	}

	@Override
	public void rename(String id, String newId) {
		containers.put(newId, containers.remove(id));
	}

	@Override
	public void remove(String id) {
		containers.remove(id);
	}

	@Override
	public Map<String, ContainerState> states() {
		return new LinkedHashMap<>(containers);
	}

	@Override
	public Map<String, ContainerStats> stats() {
		return Map.of();
	}

	@Override
	public List<String> logs(String id, int lines) {
		return List.of();
	}

	@Override
	public AutoCloseable followLogs(String id, int lines, Consumer<String> sink) {
		return () -> { };
	}

	@Override
	public AutoCloseable events(Consumer<ContainerEvent> listener) {
		return () -> { };
	}

	long startsOf(String id) {
		return calls.stream().filter(c -> c.equals("start " + id)).count();
	}
}
