package cc.container.upgrade.internal;

import cc.container.api.UpgradeException.Kind;
import cc.container.api.UpgradeException;
import cc.container.api.config.SecuritySettings;
import cc.container.util.Bounded;
import cc.container.util.Sha256;
import cc.container.util.trust.JarTrust;
import cc.container.util.upgrade.UpgradeRecord;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.Constants;
import org.osgi.framework.wiring.FrameworkWiring;
import org.osgi.service.log.Logger;

/**
 * What a jar must be before anything changes: a file of at most {@value #MAX_JAR_MIB} MiB, an OSGi bundle named like a
 * running bundle that may be replaced, and one that resolves against the running daemon (the framework itself says:
 * the jar is installed beside the running bundle under a check location, resolved and uninstalled again).
 */
final class Vetting {
	static final int MAX_JAR_MIB = 64;
	/** The largest jar accepted. */
	static final long MAX_JAR = (long) MAX_JAR_MIB << 20;
	/** Location prefix of the short-lived copy that checks whether a jar resolves. */
	static final String CHECK_LOCATION = "cc-upgrade-check:";

	private final BundleContext context;
	private final Swap swap;
	private final Logger log;

	Vetting(BundleContext context, Swap swap, Logger log) {
		this.context = context;
		this.swap = swap;
		this.log = log;
	}

	/** Streams {@code from} into {@code to} (at most {@link #MAX_JAR} bytes), returning its SHA-256 in hex. */
	static String copy(Path from, Path to) throws IOException, UpgradeException {
		Bounded.requireRegularFile(from);
		MessageDigest md = Sha256.newDigest();
		long n = 0;
		try (InputStream in = Files.newInputStream(from); OutputStream out = Files.newOutputStream(to)) {
			byte[] buf = new byte[64 << 10];
			int r;
			while ((r = in.read(buf)) > 0) {
				n += r;
				if (n > MAX_JAR) {
					throw new UpgradeException(Kind.REFUSED, from + " is larger than " + MAX_JAR_MIB + " MiB; it is no bundle of this daemon", null);
				}
				md.update(buf, 0, r);
				out.write(buf, 0, r);
			}
			return HexFormat.of().formatHex(md.digest());
		} finally {
			md.reset(); // frees a native digest that a failure abandoned
		}
	}

	/** The bundle headers of the kept copy {@code file} of {@code jar}. */
	static UpgradeRecord.Headers headers(Path file, Path jar) throws UpgradeException {
		UpgradeRecord.Headers headers;
		try {
			headers = UpgradeRecord.headers(file);
		} catch (IOException e) {
			throw new UpgradeException(Kind.REFUSED, jar + " is not a jar (" + e.getMessage() + "); nothing was changed", e);
		}
		if (headers == null) {
			throw new UpgradeException(Kind.REFUSED, jar + " is not an OSGi bundle: its manifest has no Bundle-SymbolicName; nothing was changed", null);
		}
		return headers;
	}

	/**
	 * When the device requires signed bundles: that the kept copy {@code file} of {@code jar} was signed by a trusted
	 * certificate.
	 *
	 * @return the signer, or null when no signature is required
	 */
	static String checkSignature(Path file, Path jar, SecuritySettings security) throws UpgradeException {
		if (!security.requireSignedBundles()) {
			return null;
		}
		List<X509Certificate> trusted;
		try {
			trusted = JarTrust.trusted(security.trustedCertificates());
		} catch (IOException e) {
			throw new UpgradeException(Kind.FAILED, "the trusted certificates cannot be read (" + e.getMessage() + "); nothing was changed", e);
		}
		try {
			return JarTrust.verify(file, trusted);
		} catch (JarTrust.Untrusted e) {
			throw new UpgradeException(Kind.REFUSED, jar + " is refused: " + e.getMessage() + ", and security.require_signed_bundles requires a "
				+ "signature by a certificate of " + security.trustedCertificates() + "; nothing was changed", null);
		} catch (IOException e) {
			throw new UpgradeException(Kind.REFUSED, jar + " is not a jar (" + e.getMessage() + "); nothing was changed", e);
		}
	}

	/** The running bundle named {@code bsn} that may be replaced; refuses the framework and this manager's own ground. */
	Bundle replaceable(String bsn) throws UpgradeException {
		Bundle target = Arrays.stream(context.getBundles()).filter(b -> bsn.equals(b.getSymbolicName()))
			.filter(b -> !b.getLocation().startsWith(CHECK_LOCATION)).findFirst().orElse(null);
		if (target == null) {
			throw new UpgradeException(Kind.NOT_FOUND, "no bundle of the daemon is named " + bsn + " (bundle list shows them); nothing was changed", null);
		}
		if (target.getBundleId() == 0) {
			throw new UpgradeException(Kind.REFUSED, "the OSGi framework itself cannot be upgraded in the field; it comes with the distribution", null);
		}
		if (target.getHeaders("").get(Constants.FRAGMENT_HOST) != null) {
			throw new UpgradeException(Kind.REFUSED, bsn + " is a fragment; fragments are upgraded with the distribution, not in the field", null);
		}
		Bundle self = context.getBundle();
		FrameworkWiring wiring = context.getBundle(0).adapt(FrameworkWiring.class);
		if (target.equals(self) || wiring.getDependencyClosure(List.of(target)).contains(self)) {
			throw new UpgradeException(Kind.REFUSED, "replacing " + bsn + " would restart " + self.getSymbolicName()
				+ ", which performs field upgrades; it comes with the distribution; nothing was changed", null);
		}
		return target;
	}

	/** Installs {@code file} beside the running bundle, lets the framework resolve it, and removes it again. */
	void checkResolves(UpgradeRecord.Headers headers, Path file, Path jar) throws UpgradeException {
		Bundle check;
		try (InputStream in = Files.newInputStream(file)) {
			check = context.installBundle(CHECK_LOCATION + headers.symbolicName(), in);
		} catch (IOException e) {
			throw new UpgradeException(Kind.REFUSED, jar + " cannot be read (" + e.getMessage() + "); nothing was changed", e);
		} catch (BundleException e) {
			throw new UpgradeException(Kind.REFUSED, jar + " is not a valid bundle: " + e.getMessage() + "; nothing was changed", e);
		}
		try {
			FrameworkWiring wiring = context.getBundle(0).adapt(FrameworkWiring.class);
			if (!wiring.resolveBundles(List.of(check))) {
				String why = "the framework cannot resolve it";
				try {
					check.start(); // it cannot resolve, so it cannot start: the exception says which requirement is missing
				} catch (BundleException e) {
					why = e.getMessage();
				}
				throw new UpgradeException(Kind.REFUSED, headers.symbolicName() + " " + headers.version()
					+ " does not resolve against the running daemon (" + why + "); nothing was changed", null);
			}
		} finally {
			try {
				check.uninstall();
				swap.refresh(check);
			} catch (BundleException | IllegalStateException e) {
				log.warn("The check copy of {} could not be removed: {}", headers.symbolicName(), e.getMessage());
			}
		}
	}
}
