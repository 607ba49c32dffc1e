package cc.container.util.trust;

import cc.container.util.Bounded;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.interfaces.ECKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * The keys packages are signed with: Ed25519 or ECDSA on P-256, as PEM files that {@code openssl} reads and writes
 * (public keys as {@code PUBLIC KEY}, private keys as PKCS#8 {@code PRIVATE KEY}), and the signatures they make (Ed25519
 * as is, ECDSA as DER with SHA-256: what {@code openssl pkeyutl -sign -rawin} and {@code openssl dgst -sha256 -sign}
 * write). Only the JDK's own providers are used.
 */
public final class Keys {
	/** The largest key file read. */
	static final int MAX_KEY_FILE = 16 << 10;

	private Keys() {
	}

	/** A key the device trusts, with its name (its file name without {@code .pub}). */
	public record Trusted(String name, PublicKey key) {
	}

	/** The algorithms a key may be made with. */
	public enum Algorithm {
		ED25519("ed25519"), ECDSA_P256("ecdsa-p256");

		/** Its name on the command line. */
		public final String word;

		Algorithm(String word) {
			this.word = word;
		}

		/** The algorithm named {@code word}, or null. */
		public static Algorithm of(String word) {
			for (Algorithm a : values()) {
				if (a.word.equals(word)) {
					return a;
				}
			}
			return null;
		}
	}

	/** A new key pair. */
	public static KeyPair generate(Algorithm a) {
		try {
			if (a == Algorithm.ED25519) {
				return KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
			}
			KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
			g.initialize(new ECGenParameterSpec("secp256r1"));
			return g.generateKeyPair();
		} catch (GeneralSecurityException e) {
			throw new IllegalStateException("the JDK cannot make " + a.word + " keys", e);
		}
	}

	/** A key as PEM. */
	public static String pem(PublicKey k) {
		return pem("PUBLIC KEY", k.getEncoded());
	}

	/** A private key as PKCS#8 PEM. */
	public static String pem(PrivateKey k) {
		return pem("PRIVATE KEY", k.getEncoded());
	}

	private static String pem(String type, byte[] der) {
		return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, new byte[] { '\n' }).encodeToString(der) + "\n-----END " + type
			+ "-----\n";
	}

	/** The DER inside the first {@code type} block of a PEM text. */
	static byte[] der(String pem, String type) throws GeneralSecurityException {
		String begin = "-----BEGIN " + type + "-----";
		String end = "-----END " + type + "-----";
		int b = pem.indexOf(begin);
		int e = pem.indexOf(end, Math.max(b, 0));
		if (b < 0 || e < 0) {
			throw new GeneralSecurityException("it holds no " + type + " in PEM");
		}
		try {
			return Base64.getMimeDecoder().decode(pem.substring(b + begin.length(), e));
		} catch (IllegalArgumentException x) {
			throw new GeneralSecurityException("its " + type + " is not valid base64");
		}
	}

	/** Reads a public key (Ed25519, or ECDSA on P-256) from PEM. */
	public static PublicKey publicKey(String pem) throws GeneralSecurityException {
		return (PublicKey) check(decode(der(pem, "PUBLIC KEY"), true));
	}

	/** Reads a PKCS#8 private key (Ed25519, or ECDSA on P-256) from PEM. */
	public static PrivateKey privateKey(String pem) throws GeneralSecurityException {
		return (PrivateKey) check(decode(der(pem, "PRIVATE KEY"), false));
	}

	private static java.security.Key decode(byte[] der, boolean pub) throws GeneralSecurityException {
		for (String alg : List.of("Ed25519", "EC")) {
			try {
				KeyFactory f = KeyFactory.getInstance(alg);
				return pub ? f.generatePublic(new X509EncodedKeySpec(der)) : f.generatePrivate(new PKCS8EncodedKeySpec(der));
			} catch (GeneralSecurityException | IllegalArgumentException e) {
				// not this algorithm
			}
		}
		throw new GeneralSecurityException("it is not an Ed25519 or ECDSA key");
	}

	private static java.security.Key check(java.security.Key k) throws GeneralSecurityException {
		if (k instanceof ECKey ec && ec.getParams().getCurve().getField().getFieldSize() != 256) {
			throw new GeneralSecurityException("it is an ECDSA key on a curve other than P-256");
		}
		return k;
	}

	/** The JDK's name of the signature a key makes. */
	static String signatureAlgorithm(java.security.Key k) {
		return k instanceof ECKey ? "SHA256withECDSA" : "Ed25519";
	}

	/** Signs {@code data}. */
	public static byte[] sign(byte[] data, PrivateKey key) throws GeneralSecurityException {
		Signature s = Signature.getInstance(signatureAlgorithm(key));
		s.initSign(key);
		s.update(data);
		return s.sign();
	}

	/** Whether {@code signature} of {@code data} was made with the private key of {@code key}. */
	public static boolean verifies(byte[] data, byte[] signature, PublicKey key) {
		try {
			Signature s = Signature.getInstance(signatureAlgorithm(key));
			s.initVerify(key);
			s.update(data);
			return s.verify(signature);
		} catch (GeneralSecurityException | RuntimeException e) {
			return false; // a malformed signature verifies nothing
		}
	}

	/** The name of the first trusted key that made {@code signature} of {@code data}, or null. */
	public static String signer(byte[] data, byte[] signature, List<Trusted> keys) {
		for (Trusted t : keys) {
			if (verifies(data, signature, t.key())) {
				return t.name();
			}
		}
		return null;
	}

	/**
	 * The trusted keys: every {@code *.pub} file of {@code folder} (a missing folder holds none).
	 *
	 * @throws IOException naming the file, when one cannot be read or holds no key
	 */
	public static List<Trusted> trusted(Path folder) throws IOException {
		List<Trusted> out = new ArrayList<>();
		try (DirectoryStream<Path> files = Files.newDirectoryStream(folder, "*.pub")) {
			for (Path f : files) {
				String name = f.getFileName().toString();
				try {
					out.add(new Trusted(name.substring(0, name.length() - ".pub".length()), publicKey(read(f))));
				} catch (GeneralSecurityException e) {
					throw new IOException(f + " is not a public key: " + e.getMessage(), e);
				}
			}
		} catch (NoSuchFileException e) {
			return List.of();
		}
		out.sort(java.util.Comparator.comparing(Trusted::name));
		return out;
	}

	/** A key file's text (a regular file of at most 16 KiB). */
	public static String read(Path file) throws IOException {
		return new String(Bounded.read(file, MAX_KEY_FILE), StandardCharsets.US_ASCII);
	}
}
