package cc.container.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs a helper command of a test and fails loudly when it fails. */
public final class Sh {
	private Sh() {
	}

	/** Runs {@code argv} in {@code cwd} (may be null) with extra environment; returns standard output. */
	public static String run(Path cwd, Map<String, String> env, List<String> argv) {
		try {
			ProcessBuilder pb = new ProcessBuilder(argv).redirectErrorStream(false);
			if (cwd != null) {
				pb.directory(cwd.toFile());
			}
			pb.environment().putAll(env);
			pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
			java.io.File err = java.io.File.createTempFile("sh-", ".err");
			pb.redirectError(err);
			Process p = pb.start();
			byte[] out = p.getInputStream().readAllBytes();
			if (!p.waitFor(600, TimeUnit.SECONDS)) {
				p.destroyForcibly();
				throw new IllegalStateException("timed out: " + argv);
			}
			String errText = java.nio.file.Files.readString(err.toPath());
			err.delete();
			if (p.exitValue() != 0) {
				throw new IllegalStateException(argv + " failed with " + p.exitValue() + ": " + errText.strip());
			}
			return new String(out, StandardCharsets.UTF_8);
		} catch (IOException e) {
			throw new IllegalStateException("cannot run " + argv + ": " + e.getMessage(), e);
		} catch (InterruptedException e) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(e);
		}
	}

	/** Runs {@code argv}; returns standard output. */
	public static String run(String... argv) {
		return run(null, Map.of(), List.of(argv));
	}
}
