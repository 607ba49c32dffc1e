package cc.container.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** LXC bundles ({@code config} + {@code rootfs/}, tar.gz) as a package author makes them. */
public final class LxcBundles {
	private LxcBundles() {
	}

	/** A config as ENVIRONMENT.md describes it, with the author's own paths (the driver rewrites them). */
	public static String config(String name) {
		return "# written by the package author\n"
			+ "lxc.uts.name = " + name + "\n"
			+ "lxc.rootfs.path = dir:/var/lib/lxc/" + name + "/rootfs\n"
			+ "lxc.net.0.type = empty\n"
			+ "lxc.apparmor.profile = unconfined\n"
			+ "lxc.autodev = 1\n"
			+ "lxc.mount.auto = proc:mixed sys:ro cgroup:mixed\n"
			+ "lxc.console.logfile = /var/lib/lxc/" + name + "/console.log\n"
			+ "lxc.init.cmd = /start.sh\n"
			+ "lxc.signal.halt = SIGKILL\n";
	}

	/**
	 * Writes a bundle to {@code out}: {@code config} and {@code rootfs/} in one top-level folder when
	 * {@code folder} is not null, else at the top of the archive.
	 */
	public static Path create(Path work, Path out, String name, String startScript, String folder) {
		return withConfig(work, out, config(name), startScript, folder);
	}

	/** Writes a bundle with this {@code config} text. */
	public static Path withConfig(Path work, Path out, String configText, String startScript, String folder) {
		try {
			Path base = Files.createDirectories(work.resolve("bundle-src-" + System.nanoTime()));
			Path top = folder == null ? base : Files.createDirectories(base.resolve(folder));
			Busybox.rootfs(top.resolve("rootfs"), startScript);
			Files.writeString(top.resolve("config"), configText);
			Sh.run(base, java.util.Map.of(), java.util.List.of("tar", "--numeric-owner", "-czf", out.toString(), "."));
			Sh.run("rm", "-rf", base.toString());
			return out;
		} catch (IOException e) {
			throw new UncheckedIOException(e);
		}
	}
}
