package cc.container.driver.podman.internal;

import cc.container.api.runtime.ContainerEvent;
import cc.container.api.runtime.ContainerState;
import cc.container.api.runtime.RuntimeStatus;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;

/** Reads what Podman prints as JSON into the driver's records. Throws {@link IllegalArgumentException} on nonsense. */
final class PodmanJson {
	static final String LABEL_MANAGED = "cc-container-mng.managed";
	static final String LABEL_VERSION = "cc-container-mng.version";

	private PodmanJson() {
	}

	static RuntimeStatus status(String state) {
		switch (state == null ? "" : state) {
			case "running":
				return RuntimeStatus.RUNNING;
			case "created":
			case "configured":
			case "initialized":
				return RuntimeStatus.CREATED;
			case "exited":
			case "stopped":
				return RuntimeStatus.EXITED;
			case "paused":
				return RuntimeStatus.PAUSED;
			case "stopping":
			case "removing":
				return RuntimeStatus.TRANSITIONING;
			default:
				return RuntimeStatus.UNKNOWN;
		}
	}

	/** One element of {@code podman ps -a --format json}. */
	static ContainerState psEntry(Map<?, ?> m) {
		Object names = m.get("Names");
		if (!(names instanceof List) || ((List<?>) names).isEmpty()) {
			throw new IllegalArgumentException("an entry of podman ps has no Names");
		}
		String id = String.valueOf(((List<?>) names).get(0));
		RuntimeStatus status = status(str(m.get("State")));
		long pid = num(m.get("Pid"));
		Integer exit = status == RuntimeStatus.EXITED ? (int) num(m.get("ExitCode")) : null;
		Instant started = epoch(num(m.get("StartedAt")));
		Instant exited = status == RuntimeStatus.EXITED ? epoch(num(m.get("ExitedAt"))) : null;
		Object labels = m.get("Labels");
		String version = labels instanceof Map ? str(((Map<?, ?>) labels).get(LABEL_VERSION)) : null;
		return new ContainerState(id, status, status == RuntimeStatus.RUNNING ? pid : 0, exit, null, started, exited, version);
	}

	/** One line of {@code podman events --format json}, or {@code null} for events the manager does not use. */
	static ContainerEvent event(Map<?, ?> m) {
		String name = str(m.get("Name"));
		String status = str(m.get("Status"));
		if (name == null || status == null) {
			return null;
		}
		Instant at = time(str(m.get("Time")));
		switch (status) {
			case "start":
				return new ContainerEvent(name, ContainerEvent.Type.STARTED, at, null);
			case "died":
				Object code = m.get("ContainerExitCode");
				return new ContainerEvent(name, ContainerEvent.Type.DIED, at, code instanceof Number ? ((Number) code).intValue() : null);
			case "oom":
				return new ContainerEvent(name, ContainerEvent.Type.OOM, at, null);
			default:
				return null;
		}
	}

	static Instant time(String s) {
		if (s == null || s.isEmpty()) {
			return Instant.now();
		}
		try {
			return OffsetDateTime.parse(s).toInstant();
		} catch (RuntimeException e) {
			return Instant.now();
		}
	}

	/** Podman prints the zero time as a large negative epoch. */
	static Instant epoch(long seconds) {
		return seconds <= 0 ? null : Instant.ofEpochSecond(seconds);
	}

	static String str(Object o) {
		return o == null ? null : o.toString();
	}

	static long num(Object o) {
		if (o instanceof Number) {
			return ((Number) o).longValue();
		}
		if (o instanceof BigDecimal) {
			return ((BigDecimal) o).longValue();
		}
		return 0;
	}

	static double dbl(Object o) {
		return o instanceof Number ? ((Number) o).doubleValue() : 0;
	}
}
