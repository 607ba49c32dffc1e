package cc.container.util.trust;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Jars signed with the JDK's jarsigner, checked against trusted certificates made with its keytool. */
class JarTrustTest {
	@TempDir
	static Path dir;
	static Path trustedStore;
	static Path otherStore;
	static Path trusted;

	static void tool(String name, String... args) throws Exception {
		List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", name).toString()));
		cmd.addAll(List.of(args));
		Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
		String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
		assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
		assertThat(p.exitValue()).as(name + " " + String.join(" ", args) + ": " + out).isZero();
	}

	static Path keystore(String name) throws Exception {
		Path ks = dir.resolve(name + ".p12");
		tool("keytool", "-genkeypair", "-keystore", ks.toString(), "-storetype", "PKCS12", "-storepass", "secret", "-alias", "signer",
			"-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=" + name, "-validity", "3650");
		return ks;
	}

	@BeforeAll
	static void keys() throws Exception {
		trustedStore = keystore("Device Vendor");
		otherStore = keystore("Someone Else");
		trusted = Files.createDirectories(dir.resolve("trusted"));
		tool("keytool", "-exportcert", "-rfc", "-keystore", trustedStore.toString(), "-storepass", "secret", "-alias", "signer", "-file",
			trusted.resolve("vendor.pem").toString());
	}

	static Path jar(String name) throws IOException {
		Path jar = dir.resolve(name + ".jar");
		Manifest m = new Manifest();
		m.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
		m.getMainAttributes().putValue("Bundle-SymbolicName", "a.b");
		try (OutputStream os = Files.newOutputStream(jar); JarOutputStream out = new JarOutputStream(os, m)) {
			out.putNextEntry(new JarEntry("a/b/C.class"));
			out.write(new byte[] { (byte) 0xca, (byte) 0xfe, 1, 2, 3 });
			out.closeEntry();
		}
		return jar;
	}

	static Path signed(String name, Path keystore) throws Exception {
		Path jar = jar(name);
		tool("jarsigner", "-keystore", keystore.toString(), "-storepass", "secret", jar.toString(), "signer");
		return jar;
	}

	@Test
	void aJarSignedByATrustedCertificateIsAccepted() throws Exception {
		assertThat(JarTrust.verify(signed("good", trustedStore), JarTrust.trusted(trusted))).isEqualTo("CN=Device Vendor");
	}

	@Test
	void anUnsignedJarIsRefused() throws Exception {
		assertThatThrownBy(() -> JarTrust.verify(jar("plain"), JarTrust.trusted(trusted))).isInstanceOf(JarTrust.Untrusted.class)
			.hasMessage("it is not signed");
	}

	@Test
	void aJarSignedBySomeoneElseIsRefused() throws Exception {
		assertThatThrownBy(() -> JarTrust.verify(signed("other", otherStore), JarTrust.trusted(trusted))).isInstanceOf(JarTrust.Untrusted.class)
			.hasMessage("it is signed by CN=Someone Else, which no trusted certificate vouches for");
	}

	@Test
	void aJarChangedAfterItWasSignedIsRefused() throws Exception {
		Path jar = signed("changed", trustedStore);
		// Rewrite the class's bytes in place (same length, so the jar stays a valid zip): the digest no longer matches.
		Path copy = dir.resolve("changed-copy.jar");
		try (java.util.zip.ZipFile in = new java.util.zip.ZipFile(jar.toFile()); OutputStream os = Files.newOutputStream(copy);
			java.util.zip.ZipOutputStream out = new java.util.zip.ZipOutputStream(os)) {
			for (var e : java.util.Collections.list(in.entries())) {
				out.putNextEntry(new java.util.zip.ZipEntry(e.getName()));
				byte[] b = in.getInputStream(e).readAllBytes();
				if (e.getName().equals("a/b/C.class")) {
					b[2] = 9;
				}
				out.write(b);
				out.closeEntry();
			}
		}
		assertThatThrownBy(() -> JarTrust.verify(copy, JarTrust.trusted(trusted))).isInstanceOf(JarTrust.Untrusted.class)
			.hasMessage("its entry a/b/C.class was changed after the jar was signed");
	}

	@Test
	void noTrustedCertificateTrustsNothing() throws Exception {
		assertThatThrownBy(() -> JarTrust.verify(signed("none", trustedStore), JarTrust.trusted(dir.resolve("missing"))))
			.hasMessageContaining("no certificate is trusted");
	}
}
