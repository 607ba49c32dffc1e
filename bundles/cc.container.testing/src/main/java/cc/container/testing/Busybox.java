package cc.container.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/** Root filesystems made from the static busybox. */
public final class Busybox {
	/** Where Debian's busybox-static puts the binary. */
	public static final Path BINARY = Path.of("/bin/busybox");

	/**
	 * A start script that works in both runtimes: under LXC (which sets {@code container=lxc} for init) it writes to
	 * the console, whose log the driver reads; it prints "started", then a line a second, and ignores SIGTERM like
	 * any init process without a handler.
	 */
	public static final String TICKER = "#!/bin/sh\n"
		+ "[ \"$container\" = lxc ] && exec >/dev/console 2>&1\n"
		+ "echo started\n"
		+ "i=0\n"
		+ "while true; do i=$((i+1)); echo \"tick $i\"; sleep 1; done\n";

	/** A start script that exits at once with status 3. */
	public static final String EXIT_AT_ONCE = "#!/bin/sh\n"
		+ "[ \"$container\" = lxc ] && exec >/dev/console 2>&1\n"
		+ "echo failing\nexit 3\n";

	private Busybox() {
	}

	/** Makes {@code dir} a root filesystem: busybox, its applet links, the usual folders and {@code /start.sh}. */
	public static Path rootfs(Path dir, String startScript) {
		try {
			Path bin = Files.createDirectories(dir.resolve("bin"));
			Files.copy(BINARY, bin.resolve("busybox"));
			for (String applet : Sh.run(BINARY.toString(), "--list").split("\n")) {
				String a = applet.trim();
				if (!a.isEmpty() && !a.equals("busybox") && !Files.exists(bin.resolve(a))) {
					Files.createSymbolicLink(bin.resolve(a), Path.of("busybox"));
				}
			}
			for (String d : new String[] { "proc", "sys", "dev", "tmp", "etc", "root", "run", "var/log" }) {
				Files.createDirectories(dir.resolve(d));
			}
			Files.writeString(dir.resolve("etc/passwd"), "root:x:0:0:root:/root:/bin/sh\n");
			Files.writeString(dir.resolve("etc/group"), "root:x:0:\n");
			Path start = dir.resolve("start.sh");
			Files.writeString(start, startScript);
			Files.setPosixFilePermissions(start, PosixFilePermissions.fromString("rwxr-xr-x"));
			return dir;
		} catch (IOException e) {
			throw new UncheckedIOException(e);
		}
	}
}
