package cc.container.benchmarks;

import cc.container.testing.PackageFuzz;
import cc.container.util.Trees;
import cc.container.util.dcp.DcpException;
import cc.container.util.dcp.PackageReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Map;
import java.util.zip.GZIPInputStream;

/**
 * Issue 10: the package reader against a seeded mutation corpus of good and hostile packages, in a JVM with the
 * daemon's options (its 32 MB heap): every case must end in a verified package or a one-sentence refusal. Prints the
 * outcome per kind of mutation, any case that ended otherwise (there must be none), the time per case beside the
 * time to only decompress the same bytes (the baseline, measured in the same run), and the heap's peak.
 * Usage: package-fuzz.sh [cases] [seed]
 */
public final class PackageFuzzBenchmark {
	private PackageFuzzBenchmark() {
	}

	public static void main(String[] args) throws Exception {
		int cases = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
		long seed = args.length > 1 ? Long.parseLong(args[1]) : 20261201L;
		Path dir = Files.createTempDirectory("cc-fuzz-");
		PackageFuzz fuzz = new PackageFuzz(seed, 256 << 10);
		Map<PackageFuzz.Kind, int[]> outcome = new EnumMap<>(PackageFuzz.Kind.class);
		int failures = 0;
		long verifyNanos = 0;
		long gunzipNanos = 0;
		long bytes = 0;
		try {
			for (int i = 0; i < cases; i++) {
				PackageFuzz.Case c = fuzz.next();
				bytes += c.bytes().length;
				int[] o = outcome.computeIfAbsent(c.kind(), k -> new int[3]);
				long t0 = System.nanoTime();
				try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(c.bytes()))) {
					in.transferTo(OutputStream.nullOutputStream());
				} catch (IOException e) {
					// the baseline only decompresses: a broken stream ends it early, as it ends the reader
				}
				gunzipNanos += System.nanoTime() - t0;
				Path file = Files.write(dir.resolve("case.tar.gz"), c.bytes());
				Path staging = Files.createDirectories(dir.resolve("staging"));
				long t1 = System.nanoTime();
				try {
					PackageReader.verify(file, staging, 1L << 30, s -> { });
					o[0]++;
				} catch (DcpException | IOException e) {
					if (e.getMessage() == null || e.getMessage().isBlank() || e.getMessage().contains("\n")) {
						failures++;
						System.out.println("case " + i + " (" + c.kind() + "): a refusal that is not one sentence: " + e);
					} else {
						o[1]++;
					}
				} catch (RuntimeException | Error e) {
					failures++;
					o[2]++;
					System.out.println("case " + i + " (" + c.kind() + ") ended in " + e);
				} finally {
					verifyNanos += System.nanoTime() - t1;
					Trees.delete(staging);
				}
			}
		} finally {
			Trees.delete(dir);
		}
		long peak = 0;
		for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
			if (p.getType() == MemoryType.HEAP) {
				peak += p.getPeakUsage().getUsed();
			}
		}
		System.out.printf("Package reader fuzz: %d cases (seed %d), %.1f MB of packages, heap limit %d MB%n", cases, seed, bytes / 1e6,
			Runtime.getRuntime().maxMemory() >> 20);
		System.out.printf("%-10s %9s %9s %9s%n", "mutation", "verified", "refused", "other");
		outcome.forEach((k, o) -> System.out.printf("%-10s %9d %9d %9d%n", k, o[0], o[1], o[2]));
		System.out.printf("cases ending in anything but a verified package or a one-sentence refusal: %d%n", failures);
		System.out.printf("time per case: verify %.2f ms, decompress only (baseline) %.2f ms, ratio %.2f%n", verifyNanos / 1e6 / cases,
			gunzipNanos / 1e6 / cases, (double) verifyNanos / gunzipNanos);
		System.out.printf("heap peak (all pools, summed): %.1f MB%n", peak / 1e6);
		if (failures > 0) {
			System.exit(1);
		}
	}
}
