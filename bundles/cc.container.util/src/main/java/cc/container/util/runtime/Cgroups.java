package cc.container.util.runtime;

import cc.container.api.runtime.ContainerState;
import cc.container.api.runtime.ContainerStats;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Statistics of containers from their init processes' cgroups, read straight from the files (no process is started),
 * for both runtimes: the cgroup v1 controllers where they are mounted, else the unified (v2) hierarchy. Where a
 * process's cgroups are is told by {@code /proc/<pid>/cgroup}; where the hierarchies are mounted, by
 * {@code /proc/self/mountinfo}; network counters come from the process's {@code /proc/<pid>/net/dev}.
 */
public final class Cgroups {
	/** Raw counters; -1 where the kernel does not tell. */
	record Sample(long cpuNanos, long memBytes, long memLimitBytes, long blkRead, long blkWrite, long pids, long netRx, long netTx) {
	}

	/** Each container's last CPU reading: nanoseconds used, when, and of which pid. */
	private final Map<String, long[]> lastCpu = new java.util.concurrent.ConcurrentHashMap<>();

	/**
	 * A statistics sample of every running container of {@code states}: CPU in percent of one CPU since the previous
	 * sample of the same run (since its start for the first), memory, I/O, pids and network.
	 */
	public Map<String, ContainerStats> sample(Collection<ContainerState> states) {
		Map<String, ContainerStats> out = new LinkedHashMap<>();
		Instant now = Instant.now();
		long nowNanos = System.nanoTime();
		for (ContainerState s : states) {
			if (!s.running() || s.pid() <= 0) {
				continue;
			}
			Sample c;
			try {
				c = read(s.pid());
			} catch (IOException e) {
				continue; // it died since its runtime answered
			}
			long[] prev = lastCpu.put(s.id(), new long[] { c.cpuNanos(), nowNanos, s.pid() });
			double cpu = 0;
			if (prev != null && prev[2] == s.pid() && nowNanos > prev[1] && c.cpuNanos() >= prev[0] && c.cpuNanos() >= 0) {
				cpu = 100.0 * (c.cpuNanos() - prev[0]) / (nowNanos - prev[1]);
			} else if (s.startedAt() != null && c.cpuNanos() >= 0) {
				long lived = Duration.between(s.startedAt(), now).toNanos();
				cpu = lived > 0 ? 100.0 * c.cpuNanos() / lived : 0;
			}
			long uptime = s.startedAt() == null ? -1 : Math.max(0, Duration.between(s.startedAt(), now).toSeconds());
			out.put(s.id(), new ContainerStats(s.id(), now, uptime, cpu, c.memBytes(), c.memLimitBytes(), c.netRx(), c.netTx(), c.blkRead(),
				c.blkWrite(), c.pids()));
		}
		return out;
	}

	/** Forgets a container's last reading (it was removed). */
	public void forget(String id) {
		lastCpu.remove(id);
	}

	private final Map<String, Path> v1Mounts = new HashMap<>();
	private Path v2Mount;

	/** Reads where the hierarchies are mounted. */
	public Cgroups() {
		try {
			for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
				int dash = line.indexOf(" - ");
				if (dash < 0) {
					continue;
				}
				String[] pre = line.substring(0, dash).split(" ");
				String[] post = line.substring(dash + 3).split(" ");
				if (pre.length < 5 || post.length < 3) {
					continue;
				}
				Path mount = Path.of(unescape(pre[4]));
				if (post[0].equals("cgroup2")) {
					v2Mount = mount;
				} else if (post[0].equals("cgroup")) {
					for (String opt : post[2].split(",")) {
						v1Mounts.putIfAbsent(opt, mount);
					}
				}
			}
		} catch (IOException e) {
			// no /proc: statistics stay unknown
		}
	}

	private static String unescape(String s) {
		return s.replace("\\040", " ").replace("\\011", "\t").replace("\\012", "\n").replace("\\134", "\\");
	}

	Sample read(long pid) throws IOException {
		Map<String, Path> dirs = new HashMap<>();
		Path unified = null;
		for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/cgroup"))) {
			String[] f = line.split(":", 3);
			if (f.length < 3) {
				continue;
			}
			String rel = f[2].startsWith("/") ? f[2].substring(1) : f[2];
			if (f[0].equals("0") && f[1].isEmpty()) {
				unified = v2Mount == null ? null : v2Mount.resolve(rel);
			} else {
				for (String controller : f[1].split(",")) {
					Path m = v1Mounts.get(controller);
					if (m != null) {
						dirs.put(controller, m.resolve(rel));
					}
				}
			}
		}
		long cpu = -1;
		long mem = -1;
		long limit = -1;
		long pids = -1;
		long[] io = { -1, -1 };
		if (dirs.containsKey("cpuacct")) {
			cpu = num(dirs.get("cpuacct").resolve("cpuacct.usage"));
		} else if (unified != null) {
			long usec = field(unified.resolve("cpu.stat"), "usage_usec");
			cpu = usec < 0 ? -1 : usec * 1000;
		}
		if (dirs.containsKey("memory")) {
			mem = num(dirs.get("memory").resolve("memory.usage_in_bytes"));
			limit = num(dirs.get("memory").resolve("memory.limit_in_bytes"));
			if (limit >= (1L << 62)) {
				limit = 0; // "no limit" is the largest page-aligned long
			}
		} else if (unified != null) {
			mem = num(unified.resolve("memory.current"));
			limit = num(unified.resolve("memory.max"));
		}
		if (dirs.containsKey("pids")) {
			pids = num(dirs.get("pids").resolve("pids.current"));
		} else if (unified != null) {
			pids = num(unified.resolve("pids.current"));
		}
		if (dirs.containsKey("blkio")) {
			io = blkioV1(dirs.get("blkio").resolve("blkio.throttle.io_service_bytes"));
		} else if (unified != null) {
			io = ioStatV2(unified.resolve("io.stat"));
		}
		long[] net = netDev(Path.of("/proc/" + pid + "/net/dev"));
		return new Sample(cpu, mem, limit, io[0], io[1], pids, net[0], net[1]);
	}

	/** A file holding one number; "max" (no limit) is 0; -1 when missing. */
	static long num(Path p) {
		try {
			String s = Files.readString(p).trim();
			return s.equals("max") ? 0 : Long.parseLong(s);
		} catch (IOException | NumberFormatException e) {
			return -1;
		}
	}

	/** The value of {@code key} in a "key value" file (cpu.stat). */
	static long field(Path p, String key) {
		try {
			for (String line : Files.readAllLines(p)) {
				String[] f = line.trim().split("\\s+");
				if (f.length == 2 && f[0].equals(key)) {
					return Long.parseLong(f[1]);
				}
			}
		} catch (IOException | NumberFormatException e) {
			// unknown
		}
		return -1;
	}

	/** cgroup v1: lines "major:minor Read|Write|... bytes"; sums over devices. */
	static long[] blkioV1(Path p) {
		long[] io = { 0, 0 };
		try {
			for (String line : Files.readAllLines(p)) {
				String[] f = line.trim().split("\\s+");
				if (f.length == 3 && f[1].equals("Read")) {
					io[0] += Long.parseLong(f[2]);
				} else if (f.length == 3 && f[1].equals("Write")) {
					io[1] += Long.parseLong(f[2]);
				}
			}
			return io;
		} catch (IOException | NumberFormatException e) {
			return new long[] { -1, -1 };
		}
	}

	/** cgroup v2: lines "major:minor rbytes=N wbytes=N ..."; sums over devices. */
	static long[] ioStatV2(Path p) {
		long[] io = { 0, 0 };
		try {
			for (String line : Files.readAllLines(p)) {
				for (String kv : line.trim().split("\\s+")) {
					if (kv.startsWith("rbytes=")) {
						io[0] += Long.parseLong(kv.substring(7));
					} else if (kv.startsWith("wbytes=")) {
						io[1] += Long.parseLong(kv.substring(7));
					}
				}
			}
			return io;
		} catch (IOException | NumberFormatException e) {
			return new long[] { -1, -1 };
		}
	}

	/** Received and sent bytes over the interfaces of the process's network namespace, loopback excluded. */
	static long[] netDev(Path p) {
		long[] net = { 0, 0 };
		try {
			List<String> lines = Files.readAllLines(p);
			for (String line : lines.subList(Math.min(2, lines.size()), lines.size())) {
				int colon = line.indexOf(':');
				if (colon < 0 || line.substring(0, colon).trim().equals("lo")) {
					continue;
				}
				String[] f = line.substring(colon + 1).trim().split("\\s+");
				if (f.length >= 9) {
					net[0] += Long.parseLong(f[0]);
					net[1] += Long.parseLong(f[8]);
				}
			}
			return net;
		} catch (IOException | NumberFormatException e) {
			return new long[] { -1, -1 };
		}
	}
}
