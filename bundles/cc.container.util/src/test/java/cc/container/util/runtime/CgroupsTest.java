package cc.container.util.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import cc.container.api.runtime.ContainerState;
import cc.container.api.runtime.ContainerStats;
import cc.container.api.runtime.RuntimeStatus;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The counter files' formats as the kernel writes them, parsed as bytes; and a sample of this very process. */
class CgroupsTest {
	static byte[] b(String s) {
		return s.getBytes(StandardCharsets.US_ASCII);
	}

	@Test
	void oneNumberFilesAndNoLimit() {
		assertThat(Cgroups.number(b("123456\n"), 0, 7)).isEqualTo(123456);
		assertThat(Cgroups.number(b("max\n"), 0, 4)).isZero();
		assertThat(Cgroups.number(b("9223372036854771712\n"), 0, 20)).isEqualTo(9223372036854771712L);
		assertThat(Cgroups.number(b(""), 0, 0)).isEqualTo(-1);
		assertThat(Cgroups.number(b("x"), 0, 1)).isEqualTo(-1);
	}

	@Test
	void cpuStatIsReadByItsKey() {
		byte[] v2 = b("usage_usec 8812345\nuser_usec 5000000\nsystem_usec 3812345\nnr_periods 0\n");
		assertThat(Cgroups.field(v2, v2.length, "usage_usec")).isEqualTo(8812345);
		assertThat(Cgroups.field(v2, v2.length, "system_usec")).isEqualTo(3812345);
		assertThat(Cgroups.field(v2, v2.length, "usage")).isEqualTo(-1);
		assertThat(Cgroups.field(v2, v2.length, "nr_throttled")).isEqualTo(-1);
	}

	@Test
	void blockIoSumsReadsAndWritesOverDevices() {
		byte[] v1 = b("8:0 Read 4096\n8:0 Write 512\n8:0 Sync 100\n8:0 Total 4608\n8:16 Read 10\n8:16 Write 5\nTotal 4623\n");
		assertThat(Cgroups.blkioV1(v1, v1.length)).containsExactly(4106, 517);
		byte[] v2 = b("8:0 rbytes=4096 wbytes=512 rios=3 wios=1 dbytes=0 dios=0\n253:0 rbytes=100 wbytes=7 rios=1 wios=1 dbytes=9 dios=1\n");
		assertThat(Cgroups.ioStatV2(v2, v2.length)).containsExactly(4196, 519);
		assertThat(Cgroups.ioStatV2(b(""), 0)).containsExactly(0, 0);
	}

	@Test
	void networkCountsEveryInterfaceButLoopback() {
		byte[] dev = b("""
			Inter-|   Receive                                                |  Transmit
			 face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed
			    lo: 9999999     100    0    0    0     0          0         0  9999999     100    0    0    0     0       0          0
			  eth0:    1500      10    0    0    0     0          0         0      700       5    0    0    0     0       0          0
			 veth1:      20       1    0    0    0     0          0         0       30       1    0    0    0     0       0          0
			""");
		assertThat(Cgroups.netDev(dev, dev.length)).containsExactly(1520, 730);
		byte[] cut = b("h\nh\n  eth0: 1500 10 0 0 0 0 0 0 700 5\n  eth1: 99 1 0");
		assertThat(Cgroups.netDev(cut, cut.length)).as("a line without its sent bytes counts not").containsExactly(1500, 700);
	}

	@Test
	void thisProcessIsSampledAndOneThatEndedIsLeftOut() throws Exception {
		long pid = ProcessHandle.current().pid();
		Cgroups c = new Cgroups();
		ContainerState me = new ContainerState("me", RuntimeStatus.RUNNING, pid, null, null, Instant.now().minusSeconds(5), null, "1");
		Map<String, ContainerStats> first = c.sample(List.of(me));
		assertThat(first).containsKey("me");
		assertThat(first.get("me").uptimeSeconds()).isBetween(4L, 60L);
		assertThat(first.get("me").cpuPercent()).isNotNegative();
		if (Files.readString(Path.of("/proc/self/cgroup")).contains("::/")) {
			assertThat(first.get("me").memBytes()).isPositive(); // the unified hierarchy tells every process's
		}
		ContainerState gone = new ContainerState("gone", RuntimeStatus.RUNNING, Integer.MAX_VALUE, null, null, Instant.now(), null, "1");
		assertThat(c.sample(List.of(gone))).as("a process that ended is left out").isEmpty();
	}
}
