package cc.container.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * An isolated Podman store in a temporary folder ({@code --root}, {@code --runroot}, its own containers.conf with
 * runc and rlimits these machines allow), so tests neither see nor leave images and containers in the machine's store.
 */
public final class PodmanSandbox implements AutoCloseable {
	private final Path dir;
	private final Path conf;
	private final Path runRoot;

	/** A sandbox in {@code dir}, with its run root in a short folder of its own under /tmp. */
	public PodmanSandbox(Path dir) {
		this(dir, Path.of("/tmp", "ccrr-" + Integer.toHexString(dir.toAbsolutePath().toString().hashCode())));
	}

	/**
	 * A sandbox in {@code dir} with its run root at {@code runRoot} (Podman refuses a run root path longer than 50
	 * characters).
	 */
	public PodmanSandbox(Path dir, Path runRoot) {
		this.runRoot = runRoot;
		try {
			this.dir = Files.createDirectories(dir);
			this.conf = dir.resolve("containers.conf");
			Files.writeString(conf, "[containers]\n"
				+ "default_ulimits = [\"nofile=1024:1024\", \"nproc=1024:1024\"]\n"
				+ "[engine]\n"
				+ "runtime = \"runc\"\n");
		} catch (IOException e) {
			throw new UncheckedIOException(e);
		}
	}

	/** Podman's global arguments for this sandbox. */
	public List<String> globalArgs() {
		return List.of("--root", dir.resolve("root").toString(), "--runroot", runRoot.toString());
	}

	/** The environment Podman needs for this sandbox. */
	public Map<String, String> environment() {
		return Map.of("CONTAINERS_CONF", conf.toString());
	}

	/** Runs {@code podman <global args> args...}; returns its standard output. */
	public String podman(String... args) {
		List<String> argv = new ArrayList<>();
		argv.add("podman");
		argv.addAll(globalArgs());
		argv.addAll(List.of(args));
		return Sh.run(null, environment(), argv);
	}

	/** Imports a busybox root filesystem as image {@code name} whose command is {@code /start.sh}. */
	public String image(String name, String startScript) {
		Path rootfs = Busybox.rootfs(dir.resolve("img-" + System.nanoTime()), startScript);
		Path tar = dir.resolve("img-" + System.nanoTime() + ".tar");
		Sh.run(rootfs, Map.of(), List.of("tar", "--numeric-owner", "-cf", tar.toString(), "."));
		podman("import", "--change", "CMD [\"/start.sh\"]", tar.toString(), name);
		Sh.run("rm", "-rf", rootfs.toString(), tar.toString());
		return name;
	}

	/** Saves image {@code name} as a docker-archive at {@code out} (a DCP payload). */
	public Path save(String name, Path out) {
		try {
			Files.deleteIfExists(out); // podman save refuses to overwrite
		} catch (IOException e) {
			throw new UncheckedIOException(e);
		}
		podman("save", "--format", "docker-archive", "-o", out.toString(), name);
		return out;
	}

	/** Makes a docker-archive holding a busybox image with this start script. */
	public Path imageArchive(String name, String startScript, Path out) {
		image(name, startScript);
		save(name, out);
		podman("rmi", name);
		return out;
	}

	/** The folder of the sandbox. */
	public Path dir() {
		return dir;
	}

	/** Removes every container and image of the sandbox, then the sandbox. */
	@Override
	public void close() {
		try {
			podman("rm", "--all", "--force", "--time", "0");
		} catch (IllegalStateException e) {
			// nothing to remove, or the store is already gone
		}
		try {
			podman("system", "reset", "--force");
		} catch (IllegalStateException e) {
			// best effort: the folder goes anyway
		}
		unmountBelow(dir);
		unmountBelow(runRoot);
		Sh.run("rm", "-rf", dir.toString(), runRoot.toString());
	}

	/** Podman leaves its storage folder mounted on itself: lazily unmounts whatever is mounted below {@code p}. */
	static void unmountBelow(Path p) {
		try {
			List<String> mounts = new ArrayList<>();
			for (String line : Files.readAllLines(Path.of("/proc/self/mounts"))) {
				String[] f = line.split(" ");
				String point = f.length > 1 ? f[1].replace("\\040", " ") : "";
				if (point.equals(p.toString()) || point.startsWith(p + "/")) {
					mounts.add(point);
				}
			}
			mounts.sort(java.util.Comparator.reverseOrder());
			for (String m : mounts) {
				try {
					Sh.run("umount", "-l", m);
				} catch (IllegalStateException e) {
					// already gone
				}
			}
		} catch (IOException e) {
			throw new UncheckedIOException(e);
		}
	}
}
