package cc.container.util.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The runtimes' log files, read from their end and followed: LXC's console, Podman's k8s-file. */
class LogFileTest {
	@TempDir
	Path dir;

	@Test
	void aKubernetesLogJoinsPartialLinesAndSkipsWhatIsNotInItsFormat() throws Exception {
		Path f = Files.writeString(dir.resolve("ctr.log"), String.join("\n",
			"5-12-01T16:21:22.492525268+00:00 stdo", // cut by conmon's truncation
			"2026-12-01T16:21:22.500000000+00:00 stdout F first",
			"2026-12-01T16:21:22.600000000+00:00 stderr P a long ",
			"2026-12-01T16:21:22.700000000+00:00 stderr F line",
			"2026-12-01T16:21:22.800000000+00:00 stdout F ",
			"not a log line at all",
			"2026-12-01T16:21:22.900000000+00:00 stdout F last", ""));
		assertThat(new LogFile(f, null, LogFile.KUBERNETES).tail(10)).containsExactly("first", "a long line", "", "last");
		assertThat(new LogFile(f, null, LogFile.KUBERNETES).tail(2)).containsExactly("", "last");
	}

	@Test
	void aConsoleLogReadsItsRotatedFileFirstAndDropsCarriageReturns() throws Exception {
		Files.writeString(dir.resolve("console.log.1"), "one\r\ntwo\r\n");
		Path f = Files.writeString(dir.resolve("console.log"), "three\r\n");
		assertThat(new LogFile(f, dir.resolve("console.log.1"), LogFile.PLAIN).tail(2)).containsExactly("two", "three");
	}

	@Test
	void aFollowerReadsOnAndStartsAgainWhenTheFileIsTruncated() throws Exception {
		Path f = Files.writeString(dir.resolve("ctr.log"), "2026-12-01T00:00:00Z stdout F before\n");
		List<String> seen = new ArrayList<>();
		LogFile.Follower follower = new LogFile(f, null, LogFile.KUBERNETES).follow(seen::add);
		Files.writeString(f, "2026-12-01T00:00:01Z stdout F after\n", StandardOpenOption.APPEND);
		follower.poll();
		Files.writeString(f, "2026-12-01T00:00:02Z stdout F truncated\n"); // conmon truncated it past its cap
		follower.poll();
		assertThat(seen).containsExactly("after", "truncated");
	}
}
