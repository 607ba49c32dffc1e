package cc.container.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/** A private lxcpath: every container in it is killed and destroyed when the sandbox closes. */
public final class LxcSandbox implements AutoCloseable {
	private final Path lxcPath;

	/** A sandbox whose lxcpath is {@code lxcPath}. */
	public LxcSandbox(Path lxcPath) {
		try {
			this.lxcPath = Files.createDirectories(lxcPath);
		} catch (IOException e) {
			throw new UncheckedIOException(e);
		}
	}

	/** The lxcpath. */
	public Path lxcPath() {
		return lxcPath;
	}

	/** The PID of a running container's init, from {@code lxc-info}, or 0. */
	public long pid(String name) {
		String out = Sh.run("lxc-info", "-P", lxcPath.toString(), "-n", name, "-p", "-H").trim();
		return out.isEmpty() ? 0 : Long.parseLong(out);
	}

	/** The state LXC reports: RUNNING, STOPPED, ... */
	public String state(String name) {
		return Sh.run("lxc-info", "-P", lxcPath.toString(), "-n", name, "-s", "-H").trim();
	}

	@Override
	public void close() {
		if (Files.isDirectory(lxcPath)) {
			try (Stream<Path> s = Files.list(lxcPath)) {
				s.filter(p -> Files.isRegularFile(p.resolve("config"))).forEach(p -> {
					String name = p.getFileName().toString();
					try {
						Sh.run("lxc-stop", "-P", lxcPath.toString(), "-n", name, "-k");
					} catch (IllegalStateException e) {
						// not running
					}
				});
			} catch (IOException e) {
				throw new UncheckedIOException(e);
			}
		}
		Sh.run("rm", "-rf", lxcPath.toString());
	}
}
