package cc.container.util.tar;

/** The unpacking policies the project uses. */
public final class UnpackerFactory {
	/** The most members a container's root filesystem may have (a Debian base system has about 10 000). */
	public static final int MAX_ROOTFS_MEMBERS = 500_000;
	/** The most members of a small archive (a package's own files). */
	public static final int MAX_SMALL_MEMBERS = 1_000;

	private UnpackerFactory() {
	}

	/** For a container's root filesystem: absolute symbolic links point inside the container and are kept. */
	public static Unpacker rootfs(long maxBytes) {
		return new Unpacker(true, maxBytes, MAX_ROOTFS_MEMBERS);
	}

	/** For a package: every link must stay inside the package. */
	public static Unpacker strict(long maxBytes) {
		return new Unpacker(false, maxBytes, MAX_SMALL_MEMBERS);
	}
}
