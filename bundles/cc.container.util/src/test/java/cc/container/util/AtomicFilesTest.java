package cc.container.util;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicFilesTest {
	@TempDir
	Path dir;

	/** Content of one writer generation: a header naming the generation, then 2 MB of that generation's byte. */
	static byte[] generation(int n) {
		byte[] b = new byte[2 * 1024 * 1024];
		Arrays.fill(b, (byte) ('A' + n % 26));
		byte[] head = ("generation " + n + "\n").getBytes(StandardCharsets.US_ASCII);
		System.arraycopy(head, 0, b, 0, head.length);
		return b;
	}

	/** Writes generations 1, 2, 3... to the file named by args[0] until killed. */
	public static void main(String[] args) throws IOException {
		Path target = Path.of(args[0]);
		for (int n = 1;; n++) {
			AtomicFiles.write(target, generation(n));
			Files.writeString(target.resolveSibling("progress"), Integer.toString(n));
		}
	}

	static void assertIsAWholeGeneration(Path file) throws IOException {
		byte[] content = Files.readAllBytes(file);
		String head = new String(content, 0, Math.min(32, content.length), StandardCharsets.US_ASCII);
		assertThat(head).startsWith("generation ");
		int n = Integer.parseInt(head.substring("generation ".length(), head.indexOf('\n')));
		assertThat(content).as("generation %d is whole", n).isEqualTo(generation(n));
	}

	@Test
	void writerKilledMidWriteLeavesTheOldOrTheNewFileNeverATornOne() throws Exception {
		Path target = dir.resolve("state.json");
		AtomicFiles.write(target, generation(0));
		String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
		for (int round = 0; round < 12; round++) {
			Files.deleteIfExists(dir.resolve("progress"));
			Process p = new ProcessBuilder(java, "-Xmx64m", "-cp", System.getProperty("java.class.path"),
				AtomicFilesTest.class.getName(), target.toString()).redirectErrorStream(true)
				.redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
			// Let it write a few generations, then kill it at a random instant.
			long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
			while (!Files.exists(dir.resolve("progress")) && System.nanoTime() < deadline) {
				Thread.sleep(5);
			}
			Thread.sleep(ThreadLocalRandom.current().nextInt(1, 60));
			p.destroyForcibly(); // SIGKILL
			assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
			assertIsAWholeGeneration(target);
		}
		AtomicFiles.cleanStale(dir);
		try (var files = Files.list(dir)) {
			List<String> names = files.map(f -> f.getFileName().toString()).sorted().toList();
			assertThat(names).containsExactly("progress", "state.json");
		}
	}

	@Test
	void crashBetweenWriteAndRenameLeavesTheOldContent() throws Exception {
		Path target = dir.resolve("cc-containers.conf");
		AtomicFiles.write(target, "old".getBytes(StandardCharsets.UTF_8));
		// What a crash after the temporary file is written but before the rename leaves behind:
		Files.writeString(dir.resolve(AtomicFiles.TEMP_PREFIX + "cc-containers.conf-1234"), "new, half writ");
		assertThat(Files.readString(target)).isEqualTo("old");
		AtomicFiles.cleanStale(dir);
		try (var files = Files.list(dir)) {
			assertThat(files.map(f -> f.getFileName().toString())).containsExactly("cc-containers.conf");
		}
	}

	@Test
	void writeReplacesContentAndLeavesNoTemporaryFile() throws Exception {
		Path target = dir.resolve("sub/dir/f.json");
		AtomicFiles.write(target, "1".getBytes(StandardCharsets.UTF_8));
		AtomicFiles.write(target, "2".getBytes(StandardCharsets.UTF_8));
		assertThat(Files.readString(target)).isEqualTo("2");
		try (var files = Files.list(target.getParent())) {
			assertThat(files.map(f -> f.getFileName().toString())).containsExactly("f.json");
		}
	}
}
