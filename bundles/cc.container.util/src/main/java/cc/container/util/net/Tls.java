package cc.container.util.net;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManagerFactory;

/** TLS from PEM files (an MQTT broker's, for the device and the fleet tool): the CA to trust, a client certificate and key. */
public final class Tls {
	private Tls() {
	}

	/**
	 * A socket factory trusting the certificates of {@code caFile} (the JVM's when null) and presenting the certificate
	 * of {@code certFile} with the key of {@code keyFile} (none when null).
	 */
	public static SSLSocketFactory socketFactory(Path caFile, Path certFile, Path keyFile) throws IOException, GeneralSecurityException {
		TrustManagerFactory tmf = null;
		if (caFile != null) {
			KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
			trust.load(null, null);
			int i = 0;
			for (Certificate c : certificates(caFile)) {
				trust.setCertificateEntry("ca-" + i++, c);
			}
			if (i == 0) {
				throw new GeneralSecurityException(caFile + " holds no certificate");
			}
			tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
			tmf.init(trust);
		}
		KeyManagerFactory kmf = null;
		if (certFile != null) {
			List<Certificate> chain = certificates(certFile);
			if (chain.isEmpty()) {
				throw new GeneralSecurityException(certFile + " holds no certificate");
			}
			char[] none = new char[0];
			KeyStore keys = KeyStore.getInstance(KeyStore.getDefaultType());
			keys.load(null, null);
			keys.setKeyEntry("device", privateKey(keyFile), none, chain.toArray(new Certificate[0]));
			kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
			kmf.init(keys, none);
		}
		SSLContext ctx = SSLContext.getInstance("TLS");
		ctx.init(kmf == null ? null : kmf.getKeyManagers(), tmf == null ? null : tmf.getTrustManagers(), null);
		return ctx.getSocketFactory();
	}

	private static List<Certificate> certificates(Path file) throws IOException, GeneralSecurityException {
		try (InputStream in = Files.newInputStream(file)) {
			return new ArrayList<>(CertificateFactory.getInstance("X.509").generateCertificates(in));
		}
	}

	/** A PKCS#8 private key ({@code BEGIN PRIVATE KEY}): RSA, EC or Ed25519. */
	private static PrivateKey privateKey(Path file) throws IOException, GeneralSecurityException {
		String pem = Files.readString(file, StandardCharsets.US_ASCII);
		int begin = pem.indexOf("-----BEGIN PRIVATE KEY-----");
		int end = pem.indexOf("-----END PRIVATE KEY-----");
		if (begin < 0 || end < begin) {
			throw new GeneralSecurityException(file + " is not a PKCS#8 private key in PEM (BEGIN PRIVATE KEY; openssl pkcs8 -topk8 -nocrypt converts one)");
		}
		byte[] der = Base64.getMimeDecoder().decode(pem.substring(begin + 27, end));
		for (String algorithm : new String[] { "RSA", "EC", "Ed25519" }) {
			try {
				return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
			} catch (GeneralSecurityException e) {
				// the next algorithm
			}
		}
		throw new GeneralSecurityException(file + " holds a private key that is neither RSA, EC nor Ed25519");
	}
}
