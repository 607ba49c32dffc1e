package cc.container.testing;

import cc.container.util.json.Json;
import cc.container.util.tar.TarWriter;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * A mutation corpus of packages for the package reader: seeds (a good package of each runtime, and hostile ones),
 * and from them, case after case, mutants: flipped bits in the compressed or the uncompressed bytes, cuts, repeated
 * or dropped stretches, rewritten header fields and manifests with wrong types, huge numbers, deep nesting. The same
 * seed gives the same cases, so a failure can be replayed.
 */
public final class PackageFuzz {
	private final Random random;
	private final List<byte[]> seeds = new ArrayList<>();
	private final List<Map<String, Object>> manifests = new ArrayList<>();
	private final byte[] payload;

	/** A corpus from {@code seed}, with a payload of {@code payloadBytes} random bytes. */
	public PackageFuzz(long seed, int payloadBytes) {
		this.random = new Random(seed);
		this.payload = new byte[payloadBytes];
		random.nextBytes(payload);
		try {
			for (String runtime : List.of("podman", "lxc")) {
				Map<String, Object> m = Packages.manifest("fuzz-" + runtime, "1.0", runtime, payload);
				manifests.add(m);
				seeds.add(tar(m, runtime.equals("podman") ? "image.tar" : "rootfs.tar.gz", payload));
			}
			// Hostile seeds: long names, links, an extended header chain, a device node.
			TarWriter t;
			ByteArrayOutputStream b = new ByteArrayOutputStream();
			t = new TarWriter(b);
			for (int i = 0; i < 4; i++) {
				t.member("././@PaxHeader", 'x', 0644, Instant.EPOCH, TarWriter.paxRecord("path", "metadata/" + "n".repeat(200 * i)), "");
			}
			t.member("metadata/link", '2', 0777, Instant.EPOCH, new byte[0], "../../etc/shadow");
			t.member("metadata/dev", '3', 0644, Instant.EPOCH, new byte[0], "");
			t.close();
			seeds.add(b.toByteArray());
		} catch (Exception e) {
			throw new IllegalStateException(e);
		}
	}

	/** The uncompressed tar of a package. */
	static byte[] tar(Map<String, Object> manifest, String payloadName, byte[] payload) throws Exception {
		ByteArrayOutputStream b = new ByteArrayOutputStream();
		Instant t = Instant.parse("2026-11-28T20:00:00Z");
		try (TarWriter tar = new TarWriter(b)) {
			tar.directory("checksums", 0755, t);
			tar.file("checksums/sha256sums.txt", 0644, t, (Packages.sha256(payload) + "  payload/" + payloadName + "\n").getBytes(StandardCharsets.UTF_8));
			tar.file("manifest.json", 0644, t, Json.write(manifest));
			tar.directory("metadata", 0755, t);
			tar.file("metadata/README.txt", 0644, t, "readme\n".getBytes(StandardCharsets.UTF_8));
			tar.directory("payload", 0755, t);
			tar.file("payload/" + payloadName, 0644, t, payload);
		}
		return b.toByteArray();
	}

	static byte[] gzip(byte[] b) {
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		try (OutputStream os = new GZIPOutputStream(out)) {
			os.write(b);
		} catch (IOException e) {
			throw new UncheckedIOException(e);
		}
		return out.toByteArray();
	}

	/** What kind of mutation made a case, for the report. */
	public enum Kind {
		/** Bits flipped in the compressed file. */
		GZIP_BITS,
		/** Bits flipped in the tar, compressed again. */
		TAR_BITS,
		/** The file cut short. */
		CUT,
		/** A stretch of the tar repeated or dropped. */
		SPLICE,
		/** A header's size, type or name rewritten (its checksum made right again). */
		HEADER,
		/** The manifest changed: types, numbers, nesting, missing or extra fields. */
		MANIFEST,
		/** A hostile seed, as it is or mutated. */
		HOSTILE
	}

	/** One case: what made it, and the package file's bytes. */
	public record Case(Kind kind, byte[] bytes) {
	}

	/** The next case. */
	public Case next() {
		int pick = random.nextInt(7);
		byte[] seed = seeds.get(random.nextInt(2));
		switch (pick) {
			case 0: {
				byte[] g = gzip(seed);
				flip(g, 1 + random.nextInt(8));
				return new Case(Kind.GZIP_BITS, g);
			}
			case 1: {
				byte[] t = seed.clone();
				flip(t, 1 + random.nextInt(16));
				return new Case(Kind.TAR_BITS, gzip(t));
			}
			case 2: {
				byte[] g = gzip(seed);
				return new Case(Kind.CUT, java.util.Arrays.copyOf(g, random.nextInt(g.length)));
			}
			case 3:
				return new Case(Kind.SPLICE, gzip(splice(seed)));
			case 4:
				return new Case(Kind.HEADER, gzip(header(seed.clone())));
			case 5:
				return new Case(Kind.MANIFEST, gzip(manifest()));
			default: {
				byte[] h = seeds.get(2).clone();
				if (random.nextBoolean()) {
					flip(h, 1 + random.nextInt(4));
				}
				return new Case(Kind.HOSTILE, gzip(h));
			}
		}
	}

	private void flip(byte[] b, int n) {
		for (int i = 0; i < n; i++) {
			int at = random.nextInt(b.length);
			b[at] ^= (byte) (1 << random.nextInt(8));
		}
	}

	private byte[] splice(byte[] t) {
		int from = random.nextInt(t.length);
		int len = Math.min(t.length - from, 1 + random.nextInt(4096));
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		out.write(t, 0, from);
		if (random.nextBoolean()) {
			out.write(t, from, len); // repeated
		}
		int after = Math.min(t.length, from + (random.nextBoolean() ? len : 0));
		out.write(t, after, t.length - after);
		return out.toByteArray();
	}

	/** Rewrites a field of one 512-byte header block and makes its checksum right, so that the reader believes it. */
	private byte[] header(byte[] t) {
		List<Integer> headers = new ArrayList<>();
		for (int at = 0; at + 512 <= t.length; at += 512) {
			if (t[at + 257] == 'u' && t[at + 258] == 's') {
				headers.add(at);
			}
		}
		int h = headers.get(random.nextInt(headers.size()));
		switch (random.nextInt(5)) {
			case 0 -> octal(t, h + 124, 12, random.nextBoolean() ? random.nextInt(1 << 20) : (1L << 33) - 1); // size
			case 1 -> t[h + 156] = (byte) "0123456xgLKS7".charAt(random.nextInt(13)); // type
			case 2 -> t[h + random.nextInt(100)] = (byte) "/.\0a".charAt(random.nextInt(4)); // name
			case 3 -> {
				t[h + 124] = (byte) 0x80; // base-256 size
				t[h + 125] = (byte) random.nextInt(256);
			}
			default -> System.arraycopy("../../x".getBytes(StandardCharsets.US_ASCII), 0, t, h + 157, 7); // link target
		}
		long sum = 0;
		for (int i = 0; i < 512; i++) {
			sum += (i >= 148 && i < 156) ? ' ' : (t[h + i] & 0xff);
		}
		octal(t, h + 148, 8, sum);
		return t;
	}

	private static void octal(byte[] t, int off, int len, long v) {
		String s = Long.toOctalString(v);
		if (s.length() > len - 1) {
			s = s.substring(s.length() - (len - 1));
		}
		s = "0".repeat(len - 1 - s.length()) + s;
		System.arraycopy(s.getBytes(StandardCharsets.US_ASCII), 0, t, off, len - 1);
		t[off + len - 1] = 0;
	}

	private byte[] manifest() {
		int which = random.nextInt(2);
		Map<String, Object> m = new LinkedHashMap<>(manifests.get(which));
		List<String> keys = new ArrayList<>(m.keySet());
		String key = keys.get(random.nextInt(keys.size()));
		Object nest = "x";
		for (int i = random.nextInt(200); i > 0; i--) {
			nest = random.nextBoolean() ? List.of(nest) : Map.of("k", nest);
		}
		Object[] values = { null, 1L, -1L, new BigDecimal("1e" + (random.nextInt(2_000_000_000) - 1_000_000_000)), "", "x".repeat(random.nextInt(2 << 20)),
			List.of(), Map.of(), true, nest, "../../etc", "sha256:" + "0".repeat(64), Long.MAX_VALUE };
		switch (random.nextInt(3)) {
			case 0 -> m.put(key, values[random.nextInt(values.length)]);
			case 1 -> m.remove(key);
			default -> m.put("extra-" + random.nextInt(10), values[random.nextInt(values.length)]);
		}
		try {
			return tar(m, which == 0 ? "image.tar" : "rootfs.tar.gz", payload);
		} catch (Exception e) {
			throw new IllegalStateException(e);
		}
	}

	/** Whether {@code bytes} gunzip to something (a quick look at what a case is, for reports). */
	public static boolean gunzips(byte[] bytes) {
		try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(bytes))) {
			in.transferTo(OutputStream.nullOutputStream());
			return true;
		} catch (IOException e) {
			return false;
		}
	}
}
