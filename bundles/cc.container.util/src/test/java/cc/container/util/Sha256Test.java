package cc.container.util;

import static org.assertj.core.api.Assertions.assertThat;

import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.Test;

class Sha256Test {
	@Test
	void theSystemsDigestIsUsedOnThisMachine() {
		// The build and CI machines have OpenSSL: the native path is the one these tests check.
		assertThat(Sha256.isNative()).isTrue();
		assertThat(Sha256.newDigest().getAlgorithm()).isEqualTo("SHA-256");
	}

	@Test
	void itAgreesWithTheJdkOnKnownAndRandomInputs() {
		MessageDigest md = Sha256.newDigest();
		assertThat(HexFormat.of().formatHex(md.digest())).isEqualTo("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
		md.update("abc".getBytes());
		assertThat(HexFormat.of().formatHex(md.digest())).isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
		Random random = new Random(7);
		for (int size : new int[] { 1, 63, 64, 65, 64 * 1024 - 1, 64 * 1024, 64 * 1024 + 1, 300_001 }) {
			byte[] data = new byte[size + 10];
			random.nextBytes(data);
			MessageDigest ours = Sha256.newDigest();
			MessageDigest jdk = Sha256.jdk();
			// In uneven pieces, from an offset, with single bytes between.
			ours.update(data[0]);
			jdk.update(data[0]);
			for (int off = 1; off < size;) {
				int n = Math.min(1 + random.nextInt(100_000), size - off);
				ours.update(data, off, n);
				jdk.update(data, off, n);
				off += n;
			}
			assertThat(ours.digest()).as("%d bytes", size).isEqualTo(jdk.digest());
		}
	}

	@Test
	void aResetStartsOver() {
		MessageDigest md = Sha256.newDigest();
		md.update("something abandoned".getBytes());
		md.reset();
		md.update("abc".getBytes());
		assertThat(HexFormat.of().formatHex(md.digest())).isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
		md.reset(); // after a digest: nothing to free
	}
}
