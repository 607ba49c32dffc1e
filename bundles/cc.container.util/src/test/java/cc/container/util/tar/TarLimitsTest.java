package cc.container.util.tar;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What no archive may cost the reader, however it is made: members written exactly as given. */
class TarLimitsTest {
	@TempDir
	Path dir;

	/** An archive written member by member as given (the writer's raw mode). */
	static final class TarBytes {
		final ByteArrayOutputStream out = new ByteArrayOutputStream();
		final TarWriter tar = new TarWriter(out);

		TarBytes member(String name, char type, byte[] content, String link) {
			try {
				tar.member(name, type, 0644, java.time.Instant.EPOCH, content, link);
			} catch (IOException e) {
				throw new java.io.UncheckedIOException(e);
			}
			return this;
		}

		TarBytes file(String name, byte[] content) {
			return member(name, '0', content, "");
		}

		TarBytes pax(String key, String value) {
			return member("././@PaxHeader", 'x', TarWriter.paxRecord(key, value), "");
		}

		TarBytes globalPax(String key, String value) {
			return member("././@PaxGlobal", 'g', TarWriter.paxRecord(key, value), "");
		}

		byte[] bytes() {
			byte[] b = out.toByteArray();
			return java.util.Arrays.copyOf(b, b.length + 1024);
		}
	}

	static void readAll(byte[] tar) throws IOException {
		try (TarReader r = new TarReader(new ByteArrayInputStream(tar))) {
			while (r.next() != null) {
				r.content().transferTo(java.io.OutputStream.nullOutputStream());
			}
		}
	}

	@Test
	void aChainOfExtendedHeadersIsCut() {
		TarBytes t = new TarBytes();
		for (int i = 0; i < 9; i++) {
			t.pax("comment", "x".repeat(100));
		}
		t.file("f", "x".getBytes());
		assertThatThrownBy(() -> readAll(t.bytes())).hasMessage("more than 8 extended headers follow each other without a member");
	}

	@Test
	void oneLargeExtendedHeaderIsRefusedBeforeItIsRead() {
		byte[] tar = new TarBytes().pax("comment", "x".repeat(100_000)).file("f", "x".getBytes()).bytes();
		assertThatThrownBy(() -> readAll(tar)).hasMessageStartingWith("an extended header of").hasMessageEndingWith("is too large (at most 65536)");
	}

	@Test
	void globalHeadersAreBoundedOverTheWholeArchive() {
		TarBytes t = new TarBytes();
		for (int i = 0; i < 3; i++) {
			t.globalPax("comment" + i, "x".repeat(30_000)).file("f" + i, "x".getBytes());
		}
		assertThatThrownBy(() -> readAll(t.bytes())).hasMessage("the global PAX headers hold more than 65536 bytes");
	}

	@Test
	void aNameLongerThanAPathIsRefused() {
		byte[] tar = new TarBytes().pax("path", "d/".repeat(3000)).file("f", "x".getBytes()).bytes();
		assertThatThrownBy(() -> readAll(tar)).hasMessage("a member's name or link target is longer than 4096 characters");
	}

	@Test
	void theUnpackerStopsAtItsMemberCount() throws Exception {
		TarBytes t = new TarBytes();
		for (int i = 0; i < 5; i++) {
			t.file("f" + i, "x".getBytes());
		}
		Path to = Files.createDirectories(dir.resolve("out"));
		assertThatThrownBy(() -> new Unpacker(true, 1 << 20, 4).unpack(new ByteArrayInputStream(t.bytes()), to))
			.hasMessage("the archive has more than 4 members");
	}

	@Test
	void aHardLinkToAnEarlierFileIsKeptAndToALinkIsNot() throws Exception {
		byte[] good = new TarBytes().file("a", "content".getBytes()).member("b", '1', new byte[0], "a").bytes();
		Path to = Files.createDirectories(dir.resolve("links"));
		new Unpacker(true, 1 << 20, 100).unpack(new ByteArrayInputStream(good), to);
		assertThat(to.resolve("b")).hasContent("content");
		byte[] bad = new TarBytes().member("s", '2', new byte[0], "/etc/passwd").member("h", '1', new byte[0], "s").bytes();
		Path to2 = Files.createDirectories(dir.resolve("links2"));
		assertThatThrownBy(() -> new Unpacker(true, 1 << 20, 100).unpack(new ByteArrayInputStream(bad), to2))
			.hasMessage("the hard link \"h\" points to \"s\", which is not a file earlier in the archive");
	}
}
