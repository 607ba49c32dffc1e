package cc.container.benchmarks;

import cc.container.api.config.DaemonConfig;
import cc.container.integration.Parts;
import cc.container.testing.Busybox;
import cc.container.testing.PodmanSandbox;
import cc.container.testing.Sh;
import cc.container.testing.TestConfig;
import cc.container.testing.TestLogger;
import cc.container.util.dcp.PackageBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Issue 5's benchmark: installing a Podman package whose payload holds a layer of random data, against
 * {@code sha256sum payload}, {@code podman load} and {@code podman create} run by hand in the same run; and the peak resident memory of the
 * installing JVM (run with the daemon's JVM options) for two payload sizes: streaming means it does not grow with the
 * package.
 *
 * <p>Usage: {@code benchmarks/install.sh [megabytes]}
 */
public final class InstallBenchmark {
	private InstallBenchmark() {
	}

	/** Runs the benchmark. */
	public static void main(String[] args) throws Exception {
		int mb = args.length > 0 ? Integer.parseInt(args[0]) : 100;
		Path work = Files.createTempDirectory("cc-bench-install-");
		PodmanSandbox podman = new PodmanSandbox(work.resolve("podman"));
		List<String> rows = new ArrayList<>();
		try {
			DaemonConfig config = TestConfig.daemon(work.resolve("work"), podman, Duration.ofSeconds(60));
			Files.writeString(work.resolve("boot_id"), "bench\n");
			Parts parts = Parts.open(config, work.resolve("exec"), work.resolve("boot_id"), TestLogger.create());
			var installer = parts.installer();
			for (int size : new int[] { 10, mb }) {
				Path image = image(podman, work, size);
				Path pkg = pkg(work, "bench-" + size, image);
				long imageBytes = Files.size(image);
				// Baseline: what a person would do by hand.
				long t = System.nanoTime();
				Sh.run("sha256sum", image.toString());
				podman.podman("load", "-i", image.toString());
				podman.podman("create", "--name", "by-hand-" + size, "--network", "none", "localhost/bench/big:" + size);
				double byHand = (System.nanoTime() - t) / 1e6;
				podman.podman("rm", "by-hand-" + size);
				podman.podman("rmi", "localhost/bench/big:" + size);
				// The installer.
				Files.writeString(Path.of("/proc/self/clear_refs"), "5");
				long rssBefore = status("VmRSS");
				t = System.nanoTime();
				installer.install(pkg, false, x -> { });
				double ours = (System.nanoTime() - t) / 1e6;
				long peak = status("VmHWM");
				rows.add(String.format("%8.1f %24.0f %24.0f %10.2f %14.1f %14.1f", imageBytes / 1048576.0, byHand, ours, ours / byHand,
					rssBefore / 1024.0, peak / 1024.0));
				installer.remove("bench-" + size);
				Files.delete(image);
				Files.delete(pkg);
			}
			System.out.printf("%nInstalling a Podman package (verify + load + create) against sha256sum + podman load + podman create by hand:%n");
			System.out.printf("%8s %24s %24s %10s %14s %14s%n", "MB", "by hand ms", "installer ms", "ratio", "RSS before MB", "RSS peak MB");
			rows.forEach(System.out::println);
			parts.close();
		} finally {
			podman.close();
			Sh.run("rm", "-rf", work.toString());
		}
	}

	static Path image(PodmanSandbox podman, Path work, int mb) throws Exception {
		Path rootfs = Busybox.rootfs(work.resolve("rootfs-" + mb), Busybox.TICKER);
		Sh.run("dd", "if=/dev/urandom", "of=" + rootfs.resolve("random.bin"), "bs=1M", "count=" + mb, "status=none");
		Path tar = work.resolve("rootfs-" + mb + ".tar");
		Sh.run(rootfs, Map.of(), List.of("tar", "--numeric-owner", "-cf", tar.toString(), "."));
		podman.podman("import", "--change", "CMD [\"/start.sh\"]", tar.toString(), "localhost/bench/big:" + mb);
		Path image = work.resolve("image-" + mb + ".tar");
		podman.save("localhost/bench/big:" + mb, image);
		podman.podman("rmi", "localhost/bench/big:" + mb);
		Sh.run("rm", "-rf", rootfs.toString(), tar.toString());
		return image;
	}

	static Path pkg(Path work, String id, Path image) throws Exception {
		Path manifest = work.resolve(id + ".json");
		Files.writeString(manifest, "{ \"package_id\": \"" + id + "\", \"version\": 1, \"runtime\": \"podman\", \"device_types\": [\"bench\"],"
			+ " \"create_args\": \"--network none\" }");
		return PackageBuilder.build(manifest, image, work.resolve("pkgs"));
	}

	static long status(String key) throws Exception {
		for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
			if (line.startsWith(key + ":")) {
				return Long.parseLong(line.replaceAll("[^0-9]", ""));
			}
		}
		return -1;
	}
}
