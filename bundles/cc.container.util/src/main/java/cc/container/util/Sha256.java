package cc.container.util;

import com.sun.jna.Library;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * SHA-256 for large streams (packages, bundle jars) at the machine's native speed. The daemon's JVM runs the client
 * compiler only (its memory budget), which has no intrinsic for SHA-256: the JDK's digest then runs about ten times
 * slower than {@code sha256sum} (1.3 s against 0.1 s for 100 MB on the reference machine). Where the system has
 * OpenSSL's {@code libcrypto} (as nearly every device does), the digest is computed by it; elsewhere by the JDK.
 */
public final class Sha256 {
	/** The library's names: the versioned ones first, which a device has without OpenSSL's development files. */
	private static final String[] NAMES = { "libcrypto.so.3", "libcrypto.so.1.1", "crypto" };
	private static final Crypto CRYPTO = load();
	/** What one native call digests at most: the bytes are copied to native memory this much at a time. */
	private static final int CHUNK = 64 * 1024;

	private Sha256() {
	}

	interface Crypto extends Library {
		Pointer EVP_sha256();

		Pointer EVP_MD_CTX_new();

		void EVP_MD_CTX_free(Pointer ctx);

		int EVP_DigestInit_ex(Pointer ctx, Pointer type, Pointer engine);

		int EVP_DigestUpdate(Pointer ctx, Pointer data, long count);

		int EVP_DigestFinal_ex(Pointer ctx, Pointer md, Pointer size);
	}

	private static Crypto load() {
		for (String name : NAMES) {
			try {
				Crypto c = Native.load(name, Crypto.class);
				c.EVP_sha256(); // every symbol used is there (OpenSSL 1.1 and 3)
				return c;
			} catch (UnsatisfiedLinkError | RuntimeException e) {
				// the next name
			} catch (NoClassDefFoundError e) {
				return null; // no JNA on this class path (the client's)
			}
		}
		return null;
	}

	/** A new SHA-256 digest: OpenSSL's where the system has it, else the JDK's. */
	public static MessageDigest newDigest() {
		if (CRYPTO != null) {
			return new Native256();
		}
		return jdk();
	}

	/** Whether digests are computed by the system's OpenSSL. */
	public static boolean isNative() {
		return CRYPTO != null;
	}

	/** The JDK's SHA-256 (every JDK has it). */
	public static MessageDigest jdk() {
		try {
			return MessageDigest.getInstance("SHA-256");
		} catch (NoSuchAlgorithmException e) {
			throw new IllegalStateException(e);
		}
	}

	/**
	 * OpenSSL's SHA-256 behind the JDK's interface. Its native context is freed by {@link #digest()} and by
	 * {@link #reset()}: a caller that may abandon a digest resets it in a {@code finally}.
	 */
	private static final class Native256 extends MessageDigest {
		private Pointer ctx;
		private final Memory buf = new Memory(CHUNK);

		Native256() {
			super("SHA-256");
		}

		private void free() {
			if (ctx != null) {
				CRYPTO.EVP_MD_CTX_free(ctx);
				ctx = null;
			}
		}

		private Pointer ctx() {
			if (ctx == null) {
				Pointer c = CRYPTO.EVP_MD_CTX_new();
				if (c == null) {
					throw new IllegalStateException("OpenSSL could not begin a SHA-256 digest");
				}
				ctx = c;
				if (CRYPTO.EVP_DigestInit_ex(c, CRYPTO.EVP_sha256(), null) != 1) {
					free();
					throw new IllegalStateException("OpenSSL could not begin a SHA-256 digest");
				}
			}
			return ctx;
		}

		@Override
		protected void engineUpdate(byte input) {
			engineUpdate(new byte[] { input }, 0, 1);
		}

		@Override
		protected void engineUpdate(byte[] input, int offset, int len) {
			Pointer c = ctx();
			for (int done = 0; done < len;) {
				int n = Math.min(CHUNK, len - done);
				buf.write(0, input, offset + done, n);
				if (CRYPTO.EVP_DigestUpdate(c, buf, n) != 1) {
					throw new IllegalStateException("OpenSSL failed a SHA-256 update");
				}
				done += n;
			}
		}

		@Override
		protected byte[] engineDigest() {
			Pointer c = ctx();
			Memory out = new Memory(32);
			try {
				if (CRYPTO.EVP_DigestFinal_ex(c, out, null) != 1) {
					throw new IllegalStateException("OpenSSL failed to end a SHA-256 digest");
				}
				return out.getByteArray(0, 32);
			} finally {
				free();
			}
		}

		@Override
		protected void engineReset() {
			free();
		}

		@Override
		protected int engineGetDigestLength() {
			return 32;
		}
	}
}
