package cc.container.testing;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Keys and signatures made with the openssl command line, as an integrator would make them. */
public final class OpenSsl {
	private OpenSsl() {
	}

	/**
	 * A key pair: {@code <dir>/<name>.key} (PKCS#8 PEM) and {@code <dir>/<name>.pub}.
	 *
	 * @param algorithm {@code ed25519}, {@code p256} or another curve name ({@code secp384r1})
	 * @return the private key's file
	 */
	public static Path keygen(Path dir, String name, String algorithm) {
		Path key = dir.resolve(name + ".key");
		if (algorithm.equals("ed25519")) {
			Sh.run("openssl", "genpkey", "-algorithm", "ed25519", "-out", key.toString());
		} else {
			String curve = algorithm.equals("p256") ? "prime256v1" : algorithm;
			Sh.run("openssl", "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:" + curve, "-out", key.toString());
		}
		Sh.run("openssl", "pkey", "-in", key.toString(), "-pubout", "-out", dir.resolve(name + ".pub").toString());
		return key;
	}

	/** The signature of {@code data} by {@code key}: Ed25519 as is, ECDSA with SHA-256 (DER). */
	public static byte[] sign(Path key, byte[] data) throws Exception {
		Path in = Files.createTempFile("cc-sign-", ".in");
		Path out = Files.createTempFile("cc-sign-", ".sig");
		try {
			Files.write(in, data);
			boolean ed = Sh.run("openssl", "pkey", "-in", key.toString(), "-noout", "-text").startsWith("ED25519");
			if (ed) {
				Sh.run("openssl", "pkeyutl", "-sign", "-rawin", "-inkey", key.toString(), "-in", in.toString(), "-out", out.toString());
			} else {
				Sh.run("openssl", "dgst", "-sha256", "-sign", key.toString(), "-out", out.toString(), in.toString());
			}
			return Files.readAllBytes(out);
		} finally {
			Files.deleteIfExists(in);
			Files.deleteIfExists(out);
		}
	}

	/** Whether openssl finds {@code signature} of {@code data} made by the key of {@code pub}. */
	public static boolean verifies(Path pub, byte[] data, byte[] signature) throws Exception {
		Path in = Files.createTempFile("cc-verify-", ".in");
		Path sig = Files.createTempFile("cc-verify-", ".sig");
		try {
			Files.write(in, data);
			Files.write(sig, signature);
			boolean ed = Sh.run("openssl", "pkey", "-pubin", "-in", pub.toString(), "-noout", "-text").startsWith("ED25519");
			List<String> cmd = new ArrayList<>(ed
				? List.of("openssl", "pkeyutl", "-verify", "-rawin", "-pubin", "-inkey", pub.toString(), "-in", in.toString(), "-sigfile", sig.toString())
				: List.of("openssl", "dgst", "-sha256", "-verify", pub.toString(), "-signature", sig.toString(), in.toString()));
			Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
			p.getInputStream().readAllBytes();
			return p.waitFor() == 0;
		} finally {
			Files.deleteIfExists(in);
			Files.deleteIfExists(sig);
		}
	}

	/**
	 * A well-formed package of {@code manifest} and {@code payload} whose manifest.json is signed by {@code key} with
	 * openssl ({@code manifestBytes} the exact bytes signed and packed, so that a test can change them).
	 */
	public static Path signedDcp(Path out, byte[] manifestBytes, String payloadName, byte[] payload, Path key) throws Exception {
		return signedDcp(out, manifestBytes, payloadName, payload, sign(key, manifestBytes));
	}

	/** A package with this manifest, payload and signature. */
	public static Path signedDcp(Path out, byte[] manifestBytes, String payloadName, byte[] payload, byte[] signature) throws Exception {
		Map<String, byte[]> members = new LinkedHashMap<>();
		members.put("checksums", null);
		members.put("checksums/sha256sums.txt", (Packages.sha256(payload) + "  payload/" + payloadName + "\n").getBytes());
		members.put("manifest.json", manifestBytes);
		members.put("metadata", null);
		members.put("metadata/manifest.json.sig", signature);
		members.put("payload", null);
		members.put("payload/" + payloadName, payload);
		return Packages.write(out, members);
	}
}
