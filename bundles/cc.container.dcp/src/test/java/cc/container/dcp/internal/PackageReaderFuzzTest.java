package cc.container.dcp.internal;

import static org.assertj.core.api.Assertions.assertThat;

import cc.container.testing.PackageFuzz;
import cc.container.util.Trees;
import cc.container.util.dcp.DcpException;
import cc.container.util.dcp.PackageReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The package reader against a seeded mutation corpus of good and hostile packages: every case ends in a verified
 * package or a one-sentence refusal, never anything else (benchmarks/package-fuzz.sh runs ten times as many in the
 * daemon's 32 MB heap).
 */
class PackageReaderFuzzTest {
	static final int CASES = 1000;

	@TempDir
	Path dir;

	@Test
	void everyMutantIsVerifiedOrRefusedInOneSentence() throws Exception {
		PackageFuzz fuzz = new PackageFuzz(20261201L, 64 << 10);
		Map<PackageFuzz.Kind, Integer> refused = new EnumMap<>(PackageFuzz.Kind.class);
		int verified = 0;
		for (int i = 0; i < CASES; i++) {
			PackageFuzz.Case c = fuzz.next();
			Path file = Files.write(dir.resolve("case.tar.gz"), c.bytes());
			Path staging = Files.createDirectories(dir.resolve("staging-" + i));
			try {
				PackageReader.verify(file, staging, 1L << 30, s -> { });
				verified++;
			} catch (DcpException | IOException e) {
				assertThat(e.getMessage()).as("case %d (%s): %s", i, c.kind(), e).isNotBlank().doesNotContain("\n");
				refused.merge(c.kind(), 1, Integer::sum);
			} catch (RuntimeException | Error e) {
				throw new AssertionError("case " + i + " (" + c.kind() + ") ended in " + e, e);
			} finally {
				Trees.delete(staging);
			}
		}
		assertThat(verified + refused.values().stream().mapToInt(Integer::intValue).sum()).isEqualTo(CASES);
		// The corpus does what it claims: every kind of mutation was tried and refused at least once.
		assertThat(refused.keySet()).containsExactlyInAnyOrder(PackageFuzz.Kind.values());
	}
}
