package cc.container.util.runtime;

import cc.container.api.runtime.ContainerState;
import cc.container.api.runtime.ContainerStats;
import java.io.FileInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Statistics of containers from their init processes' cgroups, read straight from the files (no process is started),
 * for both runtimes: the cgroup v1 controllers where they are mounted, else the unified (v2) hierarchy. Where a
 * process's cgroups are is told by {@code /proc/<pid>/cgroup} (read once per container run); where the hierarchies are
 * mounted, by {@code /proc/self/mountinfo}; network counters come from the process's {@code /proc/<pid>/net/dev}. The
 * files are read into one buffer and parsed as bytes: a poll of 20 containers makes almost no garbage.
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
	public synchronized Map<String, ContainerStats> sample(Collection<ContainerState> states) {
		Map<String, ContainerStats> out = new LinkedHashMap<>();
		Instant now = Instant.now();
		long nowNanos = System.nanoTime();
		for (ContainerState s : states) {
			if (!s.running() || s.pid() <= 0) {
				continue;
			}
			Sample c;
			try {
				c = read(s.id(), s.pid());
			} catch (IOException e) {
				countersOf.remove(s.id());
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
	public synchronized void forget(String id) {
		lastCpu.remove(id);
		countersOf.remove(id);
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

	/** Where one process's counters are: file names, or null where the kernel has none. */
	private record Counters(long pid, String cpu, boolean cpuV1, String mem, String limit, boolean memV1, String pids, String io, boolean ioV1,
		String net) {
	}

	/**
	 * Each container's counter files, found for its current init: /proc/<pid>/cgroup is read once per run. An init that
	 * moves itself into a child cgroup after that (systemd into init.scope) is still counted whole: the cgroup found
	 * first holds the child's counters too. Forgotten with the container, or all at once past 4096 entries.
	 */
	private final Map<String, Counters> countersOf = new HashMap<>();
	/** The buffer every counter file is read into; it grows for a long one (a host's many interfaces in net/dev). */
	private byte[] buf = new byte[16 << 10];
	/** The longest counter file read whole. */
	private static final int MAX_FILE = 1 << 20;

	/** Reads the counters of a container's init (callers hold the lock: one buffer). */
	Sample read(String id, long pid) throws IOException {
		Counters f = countersOf.get(id);
		if (f == null || f.pid() != pid) {
			if (countersOf.size() >= 4096) {
				countersOf.clear(); // containers removed without a word: found again when sampled
			}
			f = locate(pid);
			countersOf.put(id, f);
		}
		// The network counters first: a process that ended has none, and its cgroup's files may be gone too.
		int netBytes = load(f.net());
		long[] net = netBytes < 0 ? new long[] { -1, -1 } : netDev(buf, netBytes);
		long cpu = -1;
		if (f.cpu() != null) {
			int n = load(f.cpu());
			if (f.cpuV1()) {
				cpu = number(buf, 0, n);
			} else {
				long usec = field(buf, n, "usage_usec");
				cpu = usec < 0 ? -1 : usec * 1000;
			}
		}
		long mem = f.mem() == null ? -1 : number(buf, 0, load(f.mem()));
		long limit = f.limit() == null ? -1 : number(buf, 0, load(f.limit()));
		if (f.memV1() && limit >= (1L << 62)) {
			limit = 0; // "no limit" is the largest page-aligned long
		}
		long pids = f.pids() == null ? -1 : number(buf, 0, load(f.pids()));
		long[] io = { -1, -1 };
		if (f.io() != null) {
			int n = load(f.io());
			io = n < 0 ? io : f.ioV1() ? blkioV1(buf, n) : ioStatV2(buf, n); // empty: no I/O yet, 0 and 0
		}
		return new Sample(cpu, mem, limit, io[0], io[1], pids, net[0], net[1]);
	}

	/** Where a process's counter files are, from /proc/<pid>/cgroup. */
	private Counters locate(long pid) throws IOException {
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
		String cpu = dirs.containsKey("cpuacct") ? name(dirs.get("cpuacct"), "cpuacct.usage") : name(unified, "cpu.stat");
		boolean memV1 = dirs.containsKey("memory");
		String mem = memV1 ? name(dirs.get("memory"), "memory.usage_in_bytes") : name(unified, "memory.current");
		String limit = memV1 ? name(dirs.get("memory"), "memory.limit_in_bytes") : name(unified, "memory.max");
		String pids = dirs.containsKey("pids") ? name(dirs.get("pids"), "pids.current") : name(unified, "pids.current");
		String io = dirs.containsKey("blkio") ? name(dirs.get("blkio"), "blkio.throttle.io_service_bytes") : name(unified, "io.stat");
		return new Counters(pid, cpu, dirs.containsKey("cpuacct"), mem, limit, memV1, pids, io, dirs.containsKey("blkio"), "/proc/" + pid + "/net/dev");
	}

	private static String name(Path dir, String file) {
		return dir == null ? null : dir.resolve(file).toString();
	}

	/**
	 * Reads a small file into {@link #buf}; returns its length, or -1 for a cgroup file that cannot be read (that counter
	 * is unknown). A /proc file that cannot be read means the process ended.
	 */
	private int load(String file) throws IOException {
		try (FileInputStream in = new FileInputStream(file)) {
			int n = 0;
			int r;
			while ((r = in.read(buf, n, buf.length - n)) > 0) {
				n += r;
				if (n == buf.length) {
					if (buf.length >= MAX_FILE) {
						return -1; // not a counter file of any size we know
					}
					buf = Arrays.copyOf(buf, buf.length * 2);
				}
			}
			return n;
		} catch (IOException e) {
			if (file.startsWith("/proc/")) {
				throw e;
			}
			return -1;
		}
	}

	/** The number at {@code from} (leading blanks skipped); "max" (no limit) is 0; -1 when there is none. */
	static long number(byte[] b, int from, int end) {
		int i = from;
		while (i < end && (b[i] == ' ' || b[i] == '\t')) {
			i++;
		}
		if (end - i >= 3 && b[i] == 'm' && b[i + 1] == 'a' && b[i + 2] == 'x') {
			return 0;
		}
		long v = 0;
		int start = i;
		while (i < end && b[i] >= '0' && b[i] <= '9' && i - start < 19) {
			v = v * 10 + (b[i] - '0');
			i++;
		}
		return i == start ? -1 : v;
	}

	/** Whether {@code b} holds {@code word} at {@code at}. */
	private static boolean at(byte[] b, int at, int end, String word) {
		if (end - at < word.length()) {
			return false;
		}
		for (int i = 0; i < word.length(); i++) {
			if (b[at + i] != word.charAt(i)) {
				return false;
			}
		}
		return true;
	}

	private static int lineEnd(byte[] b, int from, int end) {
		int i = from;
		while (i < end && b[i] != '\n') {
			i++;
		}
		return i;
	}

	/** The value of {@code key} in a "key value" file (cpu.stat); -1 when it is not there. */
	static long field(byte[] b, int n, String key) {
		for (int i = 0; i < n; i = lineEnd(b, i, n) + 1) {
			if (at(b, i, n, key) && i + key.length() < n && b[i + key.length()] == ' ') {
				return number(b, i + key.length(), lineEnd(b, i, n));
			}
		}
		return -1;
	}

	/** cgroup v1: lines "major:minor Read|Write|... bytes"; sums over devices. */
	static long[] blkioV1(byte[] b, int n) {
		long[] io = { 0, 0 };
		for (int i = 0; i < n; i = lineEnd(b, i, n) + 1) {
			int e = lineEnd(b, i, n);
			int sp = i;
			while (sp < e && b[sp] != ' ') {
				sp++;
			}
			if (sp == e || sp == i || b[i] < '0' || b[i] > '9') {
				continue; // "Total N", or not a device's line
			}
			if (at(b, sp + 1, e, "Read ")) {
				io[0] += Math.max(0, number(b, sp + 6, e));
			} else if (at(b, sp + 1, e, "Write ")) {
				io[1] += Math.max(0, number(b, sp + 7, e));
			}
		}
		return io;
	}

	/** cgroup v2: lines "major:minor rbytes=N wbytes=N ..."; sums over devices. */
	static long[] ioStatV2(byte[] b, int n) {
		long[] io = { 0, 0 };
		for (int i = 0; i < n; i++) {
			if ((i == 0 || b[i - 1] == ' ') && at(b, i, n, "rbytes=")) {
				io[0] += Math.max(0, number(b, i + 7, n));
			} else if ((i == 0 || b[i - 1] == ' ') && at(b, i, n, "wbytes=")) {
				io[1] += Math.max(0, number(b, i + 7, n));
			}
		}
		return io;
	}

	/** Received and sent bytes over the interfaces of the process's network namespace, loopback excluded. */
	static long[] netDev(byte[] b, int n) {
		long[] net = { 0, 0 };
		int line = 0;
		for (int i = 0; i < n; i = lineEnd(b, i, n) + 1, line++) {
			if (line < 2) {
				continue; // the two header lines
			}
			int e = lineEnd(b, i, n);
			int colon = i;
			while (colon < e && b[colon] != ':') {
				colon++;
			}
			int name = i;
			while (name < colon && b[name] == ' ') {
				name++;
			}
			if (colon == e || colon - name == 2 && b[name] == 'l' && b[name + 1] == 'o') {
				continue;
			}
			// The fields after the colon: bytes received is the first, bytes sent the ninth; a line without them counts not.
			int field = 0;
			long rx = 0;
			long tx = 0;
			int j = colon + 1;
			while (j < e && field < 9) {
				while (j < e && b[j] == ' ') {
					j++;
				}
				if (j >= e) {
					break;
				}
				if (field == 0) {
					rx = Math.max(0, number(b, j, e));
				} else if (field == 8) {
					tx = Math.max(0, number(b, j, e));
				}
				while (j < e && b[j] != ' ') {
					j++;
				}
				field++;
			}
			if (field == 9) {
				net[0] += rx;
				net[1] += tx;
			}
		}
		return net;
	}
}
