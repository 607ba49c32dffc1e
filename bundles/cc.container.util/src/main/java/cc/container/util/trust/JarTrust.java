package cc.container.util.trust;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.CodeSigner;
import java.security.GeneralSecurityException;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;

/**
 * Whether a jar was signed ({@code jarsigner}) by a certificate the device trusts: every entry but the signature files
 * themselves signed, by one signer whose certificate chain leads, link by link, to a trusted certificate (the signer's
 * own, or one that issued it). Validity dates are not checked: a device's clock may be wrong, and a certificate that
 * expired must not stop the device from being upgraded.
 */
public final class JarTrust {
	private JarTrust() {
	}

	/** A jar that is not signed as required. */
	public static final class Untrusted extends Exception {
		private static final long serialVersionUID = 1L;

		Untrusted(String message) {
			super(message);
		}
	}

	/** The certificates of {@code folder} ({@code *.pem}, {@code *.crt}: PEM or DER); a missing folder holds none. */
	public static List<X509Certificate> trusted(Path folder) throws IOException {
		List<X509Certificate> out = new ArrayList<>();
		try (DirectoryStream<Path> files = Files.newDirectoryStream(folder, "*.{pem,crt}")) {
			CertificateFactory f = CertificateFactory.getInstance("X.509");
			for (Path p : files) {
				try (InputStream in = Files.newInputStream(p)) {
					for (Certificate c : f.generateCertificates(in)) {
						out.add((X509Certificate) c);
					}
				} catch (GeneralSecurityException e) {
					throw new IOException(p + " is not a certificate: " + e.getMessage(), e);
				}
			}
		} catch (NoSuchFileException e) {
			return List.of();
		} catch (GeneralSecurityException e) {
			throw new IllegalStateException(e);
		}
		return out;
	}

	/**
	 * Checks that {@code jar} was signed by a trusted certificate.
	 *
	 * @return the signer's subject
	 * @throws Untrusted with one sentence saying why not
	 */
	public static String verify(Path jar, List<X509Certificate> trusted) throws IOException, Untrusted {
		if (trusted.isEmpty()) {
			throw new Untrusted("no certificate is trusted to sign bundles (the trusted certificates folder is empty)");
		}
		List<? extends Certificate> signer = null;
		int signed = 0;
		try (JarFile file = new JarFile(jar.toFile(), true)) {
			byte[] buf = new byte[8192];
			Enumeration<JarEntry> entries = file.entries();
			while (entries.hasMoreElements()) {
				JarEntry e = entries.nextElement();
				try (InputStream in = file.getInputStream(e)) {
					while (in.read(buf) >= 0) {
						// reading the whole entry checks its digest against the signature; a mismatch throws
					}
				} catch (SecurityException x) {
					throw new Untrusted("its entry " + e.getName() + " was changed after the jar was signed");
				}
				if (e.isDirectory() || signatureFile(e.getName())) {
					continue;
				}
				CodeSigner[] signers = e.getCodeSigners();
				if (signers == null || signers.length == 0) {
					throw new Untrusted(signed == 0 ? "it is not signed" : "its entry " + e.getName() + " is not signed");
				}
				List<? extends Certificate> chain = signers[0].getSignerCertPath().getCertificates();
				if (signer == null) {
					signer = chain;
				} else if (!signer.get(0).equals(chain.get(0))) {
					throw new Untrusted("its entries are signed by different signers");
				}
				signed++;
			}
		}
		if (signer == null) {
			throw new Untrusted("it is not signed");
		}
		X509Certificate subject = (X509Certificate) signer.get(0);
		for (int i = 0; i < signer.size(); i++) {
			X509Certificate c = (X509Certificate) signer.get(i);
			if (trusted.contains(c) || issuedByTrusted(c, trusted)) {
				return subject.getSubjectX500Principal().getName();
			}
			if (i + 1 < signer.size() && !issuedBy(c, (X509Certificate) signer.get(i + 1))) {
				break; // the chain does not hold together beyond here
			}
		}
		throw new Untrusted("it is signed by " + subject.getSubjectX500Principal().getName() + ", which no trusted certificate vouches for");
	}

	private static boolean issuedByTrusted(X509Certificate c, List<X509Certificate> trusted) {
		for (X509Certificate t : trusted) {
			if (issuedBy(c, t)) {
				return true;
			}
		}
		return false;
	}

	private static boolean issuedBy(X509Certificate c, X509Certificate issuer) {
		if (!c.getIssuerX500Principal().equals(issuer.getSubjectX500Principal())) {
			return false;
		}
		try {
			c.verify(issuer.getPublicKey());
			return true;
		} catch (GeneralSecurityException e) {
			return false;
		}
	}

	private static boolean signatureFile(String name) {
		String n = name.toUpperCase(java.util.Locale.ROOT);
		if (n.equals("META-INF/MANIFEST.MF")) {
			return true;
		}
		return n.startsWith("META-INF/") && n.indexOf('/', "META-INF/".length()) < 0
			&& (n.endsWith(".SF") || n.endsWith(".RSA") || n.endsWith(".DSA") || n.endsWith(".EC") || n.startsWith("META-INF/SIG-"));
	}
}
