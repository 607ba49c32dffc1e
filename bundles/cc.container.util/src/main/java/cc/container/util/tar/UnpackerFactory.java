package cc.container.util.tar;

/** The unpacking policies the project uses. */
public final class UnpackerFactory {
	private UnpackerFactory() {
	}

	/** For a container's root filesystem: absolute symbolic links point inside the container and are kept. */
	public static Unpacker rootfs(long maxBytes) {
		return new Unpacker(true, maxBytes);
	}

	/** For a package: every link must stay inside the package. */
	public static Unpacker strict(long maxBytes) {
		return new Unpacker(false, maxBytes);
	}
}
