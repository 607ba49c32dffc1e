package cc.container.dcp.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import cc.container.api.InstallException;
import cc.container.api.config.SecuritySettings.Profile;
import cc.container.api.config.SecuritySettings;
import cc.container.testing.OpenSsl;
import cc.container.testing.Packages;
import cc.container.util.dcp.DcpException;
import cc.container.util.dcp.DcpTool;
import cc.container.util.dcp.PackageReader;
import cc.container.util.json.Json;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Signed packages as an integrator makes them with openssl, and with containerctl dcp keygen | sign | verify: what the
 * installer's trust check accepts and refuses.
 */
class PackageSigningTest {
	@TempDir
	static Path dir;
	static Path trusted;
	static byte[] payload = "an image".getBytes(StandardCharsets.UTF_8);
	static byte[] manifest;

	@BeforeAll
	static void keys() throws Exception {
		trusted = Files.createDirectories(dir.resolve("trusted"));
		OpenSsl.keygen(trusted, "ops-ed25519", "ed25519");
		OpenSsl.keygen(trusted, "ops-p256", "p256");
		Files.createDirectories(dir.resolve("untrusted"));
		OpenSsl.keygen(dir.resolve("untrusted"), "stranger", "ed25519");
		manifest = Json.write(Packages.manifest("signed-app", "1", "podman", payload));
	}

	static SecuritySettings security(boolean required) {
		return new SecuritySettings(required, trusted, false, dir.resolve("certs"), Profile.DEFAULT, Profile.PRIVILEGED, List.of());
	}

	static PackageReader.Verified read(Path pkg) throws Exception {
		return PackageReader.verify(pkg, null, Long.MAX_VALUE, s -> { });
	}

	static String signer(Path pkg, boolean required) throws Exception {
		return PackageTrust.signer(read(pkg), security(required), pkg.getFileName().toString());
	}

	@ParameterizedTest
	@ValueSource(strings = { "ops-ed25519", "ops-p256" })
	void aPackageSignedWithOpensslVerifiesWithEitherTrustedKey(String key) throws Exception {
		Path pkg = OpenSsl.signedDcp(dir.resolve(key + ".tar.gz"), manifest, "image.tar", payload, trusted.resolve(key + ".key"));
		assertThat(signer(pkg, true)).isEqualTo(key);
	}

	@Test
	void aFlippedByteInTheManifestFails() throws Exception {
		byte[] signature = OpenSsl.sign(trusted.resolve("ops-ed25519.key"), manifest);
		byte[] changed = new String(manifest, StandardCharsets.UTF_8).replace("Test signed-app", "Test signed-apq").getBytes(StandardCharsets.UTF_8);
		assertThat(changed).isNotEqualTo(manifest);
		Path pkg = OpenSsl.signedDcp(dir.resolve("changed.tar.gz"), changed, "image.tar", payload, signature);
		assertThatThrownBy(() -> signer(pkg, false)).isInstanceOf(InstallException.class)
			.hasMessage("changed.tar.gz is signed, but by no key trusted in " + trusted + " (2 key(s)), or its manifest was changed after it was signed");
	}

	@Test
	void aFlippedByteInThePayloadFails() throws Exception {
		Path pkg = OpenSsl.signedDcp(dir.resolve("payload.tar.gz"), manifest, "image.tar", "an imagf".getBytes(StandardCharsets.UTF_8),
			trusted.resolve("ops-ed25519.key"));
		assertThatThrownBy(() -> read(pkg)).isInstanceOf(DcpException.class).hasMessageContaining("does not match");
	}

	@Test
	void aKeyThatIsNotTrustedFails() throws Exception {
		Path pkg = OpenSsl.signedDcp(dir.resolve("stranger.tar.gz"), manifest, "image.tar", payload, dir.resolve("untrusted/stranger.key"));
		assertThatThrownBy(() -> signer(pkg, false)).hasMessageContaining("is signed, but by no key trusted in");
	}

	@Test
	void anUnsignedPackageIsRefusedWhenSignaturesAreRequiredOnly() throws Exception {
		Path pkg = Packages.dcp(dir.resolve("unsigned.tar.gz"), Packages.manifest("plain", "1", "podman", payload), "image.tar", payload);
		assertThat(signer(pkg, false)).isNull();
		assertThatThrownBy(() -> signer(pkg, true)).isInstanceOf(InstallException.class)
			.hasMessage("unsigned.tar.gz is not signed, and security.require_signed_packages requires a signature by a key of " + trusted);
	}

	@Test
	void aCurveOtherThanP256IsNoTrustedKey() throws Exception {
		Path odd = Files.createDirectories(dir.resolve("odd"));
		OpenSsl.keygen(odd, "p384", "secp384r1");
		assertThatThrownBy(() -> cc.container.util.trust.Keys.trusted(odd)).hasMessageContaining("p384.pub is not a public key")
			.hasMessageContaining("P-256");
	}

	record Run(int status, String out, String err) {
	}

	static Run dcp(String... args) {
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		ByteArrayOutputStream err = new ByteArrayOutputStream();
		List<String> all = new java.util.ArrayList<>(List.of("dcp"));
		all.addAll(List.of(args));
		int status = DcpTool.run(all, new PrintStream(out, true), new PrintStream(err, true));
		return new Run(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
	}

	@ParameterizedTest
	@ValueSource(strings = { "ed25519", "ecdsa-p256" })
	void containerctlMakesKeysSignsAndVerifiesAndOpensslAgrees(String algorithm) throws Exception {
		Path keys = Files.createDirectories(dir.resolve("ctl-" + algorithm));
		Run r = dcp("keygen", keys.resolve("release").toString(), "--algorithm", algorithm);
		assertThat(r.status()).as(r.err()).isZero();
		assertThat(Files.getPosixFilePermissions(keys.resolve("release.key"))).hasSize(2); // rw------- only
		assertThat(dcp("keygen", keys.resolve("release").toString()).err()).contains("exists; it is not overwritten");

		Path pkg = Packages.dcp(dir.resolve("ctl-" + algorithm + ".tar.gz"), Packages.manifest("ctl-app", "1", "podman", payload), "image.tar", payload);
		r = dcp("verify", pkg.toString(), "--keys", keys.toString());
		assertThat(r.status()).isEqualTo(1);
		assertThat(r.err()).endsWith(": valid, but not signed\n");

		r = dcp("sign", pkg.toString(), "--key", keys.resolve("release.key").toString());
		assertThat(r.status()).as(r.err()).isZero();
		assertThat(r.out()).isEqualTo(pkg.getFileName() + ": signed ctl-app 1 (metadata/manifest.json.sig)\n");
		r = dcp("verify", pkg.toString(), "--keys", keys.toString());
		assertThat(r.status()).as(r.err()).isZero();
		assertThat(r.out()).isEqualTo(pkg.getFileName() + ": valid, signed by release\n");
		// Signing again replaces the signature: still one.
		assertThat(dcp("sign", pkg.toString(), "--key", keys.resolve("release.key").toString()).status()).isZero();
		PackageReader.Verified v = read(pkg);
		assertThat(OpenSsl.verifies(keys.resolve("release.pub"), v.manifestBytes(), v.signature())).as("openssl verifies it").isTrue();
		assertThat(dcp("verify", pkg.toString(), "--key", dir.resolve("untrusted/stranger.pub").toString()).err())
			.contains("its signature does not verify with the key stranger");
	}
}
