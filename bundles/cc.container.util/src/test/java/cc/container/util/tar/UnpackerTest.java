package cc.container.util.tar;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class UnpackerTest {
	@TempDir
	Path dir;

	static void run(Path cwd, String... cmd) throws Exception {
		Process p = new ProcessBuilder(cmd).directory(cwd.toFile()).redirectErrorStream(true).start();
		String out = new String(p.getInputStream().readAllBytes());
		assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
		assertThat(p.exitValue()).as(String.join(" ", cmd) + ": " + out).isZero();
	}

	/** A tree with what a root filesystem holds: long names, links, modes, owners. */
	Path tree() throws Exception {
		Path src = dir.resolve("src");
		Path deep = src.resolve("rootfs/" + "d".repeat(60) + "/" + "e".repeat(60) + "/" + "f".repeat(60));
		Files.createDirectories(deep);
		Files.writeString(deep.resolve("long-name-" + "x".repeat(120)), "deep");
		Files.createDirectories(src.resolve("rootfs/bin"));
		Files.writeString(src.resolve("rootfs/bin/busybox"), "#!binary");
		Files.setAttribute(src.resolve("rootfs/bin/busybox"), "unix:mode", 04755);
		Files.createSymbolicLink(src.resolve("rootfs/bin/sh"), Path.of("busybox"));
		Files.createSymbolicLink(src.resolve("rootfs/bin/abs"), Path.of("/bin/busybox"));
		Files.createLink(src.resolve("rootfs/bin/hard"), src.resolve("rootfs/bin/busybox"));
		Files.writeString(src.resolve("config"), "lxc.uts.name = x\n");
		Files.setAttribute(src.resolve("config"), "unix:uid", 1234);
		Files.createDirectories(src.resolve("rootfs/ro"));
		Files.writeString(src.resolve("rootfs/ro/file"), "in a read-only folder");
		Files.setAttribute(src.resolve("rootfs/ro"), "unix:mode", 0555);
		return src;
	}

	@ParameterizedTest
	@ValueSource(strings = { "gnu", "posix", "ustar-ish" })
	void readsWhatGnuTarWritesInEachFormat(String format) throws Exception {
		Path src = tree();
		Path tgz = dir.resolve("a.tar.gz");
		String fmt = format.equals("ustar-ish") ? "--format=oldgnu" : "--format=" + format;
		run(src, "tar", fmt, "-czf", tgz.toString(), ".");
		Path out = Files.createDirectory(dir.resolve("out"));
		try (InputStream in = new GZIPInputStream(Files.newInputStream(tgz))) {
			new Unpacker(true, 1 << 30, 1000).unpack(in, out);
		}
		Path deep = out.resolve("rootfs/" + "d".repeat(60) + "/" + "e".repeat(60) + "/" + "f".repeat(60));
		assertThat(deep.resolve("long-name-" + "x".repeat(120))).hasContent("deep");
		assertThat(Files.readSymbolicLink(out.resolve("rootfs/bin/sh"))).isEqualTo(Path.of("busybox"));
		assertThat(Files.readSymbolicLink(out.resolve("rootfs/bin/abs"))).isEqualTo(Path.of("/bin/busybox"));
		assertThat(Files.getAttribute(out.resolve("rootfs/bin/busybox"), "unix:mode")).isEqualTo(0104755);
		assertThat(Files.getAttribute(out.resolve("rootfs/bin/hard"), "unix:nlink")).isEqualTo(2);
		assertThat(Files.getAttribute(out.resolve("rootfs/ro"), "unix:mode")).isEqualTo(040555);
		assertThat(out.resolve("rootfs/ro/file")).hasContent("in a read-only folder");
		if ("root".equals(System.getProperty("user.name"))) {
			assertThat(Files.getAttribute(out.resolve("config"), "unix:uid")).isEqualTo(1234);
		}
	}

	/** Builds a hostile archive with Python's tarfile, which writes whatever it is told. */
	Path hostile(String members) throws Exception {
		Path tar = dir.resolve("h.tar");
		String script = "import tarfile,io,sys\n"
			+ "t=tarfile.open(sys.argv[1],'w',format=tarfile.PAX_FORMAT)\n"
			+ "def f(n,data=b'x'):\n"
			+ "  i=tarfile.TarInfo(n); i.size=len(data); t.addfile(i,io.BytesIO(data))\n"
			+ "def l(n,target,kind=tarfile.SYMTYPE):\n"
			+ "  i=tarfile.TarInfo(n); i.type=kind; i.linkname=target; t.addfile(i)\n"
			+ "def d(n,kind=tarfile.DIRTYPE):\n"
			+ "  i=tarfile.TarInfo(n); i.type=kind; t.addfile(i)\n"
			+ members + "\nt.close()\n";
		run(dir, "python3", "-c", script, tar.toString());
		return tar;
	}

	void assertRefused(String members, String message) throws Exception {
		Path tar = hostile(members);
		Path out = Files.createDirectories(dir.resolve("out-" + System.nanoTime()));
		try (InputStream in = Files.newInputStream(tar)) {
			assertThatThrownBy(() -> new Unpacker(true, 1 << 20, 1000).unpack(in, out)).isInstanceOf(UnsafeArchiveException.class)
				.hasMessage(message);
		}
		assertThat(dir.resolve("escaped")).doesNotExist();
	}

	@Test
	void refusesHostileMembers() throws Exception {
		assertRefused("f('../escaped')", "the member \"../escaped\" has a \"..\" in its path");
		assertRefused("f('a/../../escaped')", "the member \"a/../../escaped\" has a \"..\" in its path");
		assertRefused("f('/tmp/escaped')", "the member \"/tmp/escaped\" has an absolute path");
		assertRefused("l('up','..')\nf('up/escaped')", "the symbolic link \"up\" points outside the archive (..)");
		assertRefused("l('a/link','../../x')", "the symbolic link \"a/link\" points outside the archive (../../x)");
		assertRefused("l('ok','/')\nf('ok/escaped')", "the member \"ok/escaped\" would be written through the symbolic link \"ok\"");
		assertRefused("l('h','/etc/passwd',tarfile.LNKTYPE)", "the hard link \"h\" points to \"/etc/passwd\", which is not a file earlier in the archive");
		assertRefused("l('h','../x',tarfile.LNKTYPE)", "the hard link \"h\" points to \"../x\", which is not a file earlier in the archive");
		assertRefused("d('dev/sda',tarfile.BLKTYPE)", "the member \"dev/sda\" is a device node");
		assertRefused("d('dev/null',tarfile.CHRTYPE)", "the member \"dev/null\" is a device node");
		assertRefused("d('fifo',tarfile.FIFOTYPE)", "the member \"fifo\" is a special file (fifo)");
		assertRefused("f('a')\nf('./a')", "the member \"a\" appears twice in the archive");
		assertRefused("f('big', b'y'*(2<<20))", "the archive unpacks to more than 1048576 bytes (at \"big\")");
	}

	@Test
	void absoluteLinksAreRefusedWhereTheCallerSaysSo() throws Exception {
		Path tar = hostile("l('abs','/etc/passwd')");
		try (InputStream in = Files.newInputStream(tar)) {
			assertThatThrownBy(() -> new Unpacker(false, 1 << 20, 1000).unpack(in, Files.createDirectory(dir.resolve("o"))))
				.hasMessage("the symbolic link \"abs\" points outside the archive (/etc/passwd)");
		}
	}

	@Test
	void truncatedOrForeignInputIsRefusedWithAReason() throws Exception {
		Path src = tree();
		Path tar = dir.resolve("a.tar");
		run(src, "tar", "-cf", tar.toString(), ".");
		byte[] all = Files.readAllBytes(tar);
		byte[] cut = java.util.Arrays.copyOf(all, 1024 + 100);
		assertThatThrownBy(() -> new Unpacker(true, 1 << 30, 1000).unpack(new java.io.ByteArrayInputStream(cut),
			Files.createDirectory(dir.resolve("o1")))).isInstanceOf(IOException.class).hasMessageContaining("truncated");
		byte[] junk = "this is not a tar archive at all".repeat(40).getBytes();
		assertThatThrownBy(() -> new Unpacker(true, 1 << 30, 1000).unpack(new java.io.ByteArrayInputStream(junk),
			Files.createDirectory(dir.resolve("o2")))).hasMessage("a tar header has a wrong checksum: this is not a tar archive, or it is damaged");
	}

	@Test
	void listsMembersWithoutUnpacking() throws Exception {
		Path src = tree();
		Path tar = dir.resolve("a.tar");
		run(src, "tar", "--format=posix", "-cf", tar.toString(), "config", "rootfs/bin");
		try (TarReader r = new TarReader(Files.newInputStream(tar))) {
			List<String> names = new java.util.ArrayList<>();
			TarEntry e;
			while ((e = r.next()) != null) {
				names.add(TarPaths.normalize(e.name()) + ":" + e.type());
			}
			assertThat(names).contains("config:FILE", "rootfs/bin:DIRECTORY", "rootfs/bin/sh:SYMLINK", "rootfs/bin/busybox:FILE");
		}
		assertThat(Files.exists(dir.resolve("x"), LinkOption.NOFOLLOW_LINKS)).isFalse();
	}
}
