package cc.container.util.dcp;

import cc.container.util.AtomicFiles;
import cc.container.util.tar.TarEntry;
import cc.container.util.tar.TarPaths;
import cc.container.util.tar.TarReader;
import cc.container.util.tar.TarWriter;
import cc.container.util.tar.UnsafeArchiveException;
import cc.container.util.trust.Keys;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.time.Instant;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * Signs a package: its members copied as they are, a signature of {@code manifest.json} added as
 * {@link PackageReader#SIGNATURE} (one it had replaced), the package replaced atomically. The package is verified
 * first: only a valid package is signed.
 */
public final class PackageSigner {
	private PackageSigner() {
	}

	/**
	 * Signs {@code file} in place with {@code key}.
	 *
	 * @return the verified package's manifest
	 */
	public static Manifest sign(Path file, PrivateKey key) throws IOException, DcpException {
		PackageReader.Verified v = PackageReader.verify(file, null, Long.MAX_VALUE, s -> { });
		byte[] signature;
		try {
			signature = Keys.sign(v.manifestBytes(), key);
		} catch (GeneralSecurityException e) {
			throw new DcpException("the key cannot sign: " + e.getMessage());
		}
		Path temp = Files.createTempFile(file.toAbsolutePath().getParent(), AtomicFiles.TEMP_PREFIX + "signed-", ".tar.gz");
		try {
			boolean metadataFolder = false;
			Instant now = Instant.now();
			try (InputStream in = new GZIPInputStream(Files.newInputStream(file), 65536); TarReader tar = new TarReader(in);
				OutputStream raw = Files.newOutputStream(temp); GZIPOutputStream gz = new GZIPOutputStream(raw, 65536); TarWriter out = new TarWriter(gz)) {
				TarEntry e;
				while ((e = tar.next()) != null) {
					String name;
					try {
						name = TarPaths.normalize(e.name());
					} catch (UnsafeArchiveException x) {
						throw new DcpException("the package is refused: " + x.getMessage()); // verify refused it already
					}
					if (name.equals(PackageReader.SIGNATURE)) {
						continue;
					}
					Instant mtime = e.mtime() == null ? now : e.mtime();
					if (e.type() == TarEntry.Type.DIRECTORY) {
						out.directory(name, e.mode(), mtime);
						metadataFolder |= name.equals("metadata");
					} else if (e.type() == TarEntry.Type.FILE) {
						out.file(name, e.mode(), mtime, e.size(), tar.content());
					} else if (e.type() == TarEntry.Type.SYMLINK || e.type() == TarEntry.Type.HARDLINK) {
						out.member(name, e.type() == TarEntry.Type.SYMLINK ? '2' : '1', e.mode(), mtime, new byte[0], e.linkName());
					}
				}
				if (!metadataFolder) {
					out.directory("metadata", 0755, now);
				}
				out.file(PackageReader.SIGNATURE, 0644, now, signature);
			}
			Files.setPosixFilePermissions(temp, Files.getPosixFilePermissions(file));
			Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
			AtomicFiles.forceDirectory(file.toAbsolutePath().getParent());
		} finally {
			Files.deleteIfExists(temp);
		}
		return v.manifest();
	}
}
