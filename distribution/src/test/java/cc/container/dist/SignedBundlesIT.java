package cc.container.dist;

import static org.assertj.core.api.Assertions.assertThat;

import cc.container.testing.BundleJars;
import cc.container.testing.Sh;
import cc.container.util.json.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Loading code into the daemon, against the built daemon with {@code security.require_signed_bundles}: root's alone
 * (a member of the control group is refused), and only jars signed with jarsigner by a trusted certificate.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SignedBundlesIT {
	static final String GROUP = "ccbundles";
	static final String MEMBER = "ccbundlemember";
	static final String BUNDLE = "cc.container.logging";
	static final Duration WAIT = Duration.ofSeconds(60);

	@TempDir
	static Path dir;
	static Path conf;
	static Path socket;
	static Daemon daemon;
	static Path vendorStore;
	static Path otherStore;

	static CtlIT.Result ctl(String... args) throws Exception {
		return CtlIT.containerctl(Daemon.DIST, conf, dir, args);
	}

	static void tool(String name, String... args) {
		List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", name).toString()));
		cmd.addAll(List.of(args));
		Sh.run(cmd.toArray(String[]::new));
	}

	static Path keystore(String cn) {
		Path ks = dir.resolve(cn.replace(' ', '-') + ".p12");
		tool("keytool", "-genkeypair", "-keystore", ks.toString(), "-storetype", "PKCS12", "-storepass", "secret", "-alias", "signer", "-keyalg",
			"EC", "-groupname", "secp256r1", "-dname", "CN=" + cn, "-validity", "3650");
		return ks;
	}

	static Path signed(Path jar, Path keystore) {
		tool("jarsigner", "-keystore", keystore.toString(), "-storepass", "secret", jar.toString(), "signer");
		return jar;
	}

	static Path shippedJar() throws Exception {
		try (Stream<Path> s = Files.list(Daemon.DIST.resolve("bundle"))) {
			return s.filter(p -> p.getFileName().toString().startsWith(BUNDLE + "-")).findFirst().orElseThrow();
		}
	}

	@BeforeAll
	static void daemon() throws Exception {
		Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
		try {
			Sh.run("getent", "group", GROUP);
		} catch (IllegalStateException e) {
			Sh.run("groupadd", GROUP);
		}
		try {
			Sh.run("id", MEMBER);
		} catch (IllegalStateException e) {
			Sh.run("useradd", "--no-create-home", "--shell", "/usr/sbin/nologin", "-G", GROUP, MEMBER);
		}
		vendorStore = keystore("Device Vendor");
		otherStore = keystore("Someone Else");
		Path certs = Files.createDirectories(dir.resolve("trusted-certificates"));
		tool("keytool", "-exportcert", "-rfc", "-keystore", vendorStore.toString(), "-storepass", "secret", "-alias", "signer", "-file",
			certs.resolve("vendor.pem").toString());
		socket = dir.resolve("ctl.sock");
		conf = dir.resolve("cc-container-mng.conf");
		Files.writeString(conf, Json.writeCompact(Map.of(
			"service", Map.of("working_path", dir.resolve("work").toString(), "control_socket", socket.toString(), "control_group", GROUP),
			"logging", Map.of("level", "INFO", "syslog", Map.of("enabled", false), "console", Map.of("enabled", false),
				"file", Map.of("enabled", true, "path", dir.resolve("cc-containerd.log").toString())),
			"security", Map.of("require_signed_bundles", true, "trusted_certificates", certs.toString()))));
		daemon = Daemon.start(dir, "--config-file", conf.toString());
		Daemon.await("the daemon's socket", WAIT, () -> {
			try {
				return ctl("daemon", "status").status() == 0;
			} catch (Exception e) {
				return false;
			}
		});
	}

	@AfterAll
	static void stop() throws Exception {
		if (daemon != null) {
			daemon.close();
		}
	}

	@Test
	@Order(1)
	void aMemberOfTheControlGroupDrivesContainersButCannotLoadCode() throws Exception {
		Path jar = signed(BundleJars.rebuilt(shippedJar(), dir.resolve("member.jar"), "9.0.1"), vendorStore);
		Files.setPosixFilePermissions(jar, PosixFilePermissions.fromString("rw-r--r--"));
		String ctl = Daemon.DIST.resolve("bin/containerctl").toString();
		CtlIT.Result list = CtlIT.exec(List.of("runuser", "-u", MEMBER, "--", ctl, "--socket", socket.toString(), "list"), dir);
		assertThat(list.status()).as(list.err()).isZero();
		for (List<String> args : List.of(List.of("bundle", "update", jar.toString()), List.of("bundle", "rollback", BUNDLE))) {
			List<String> cmd = new ArrayList<>(List.of("runuser", "-u", MEMBER, "--", ctl, "--socket", socket.toString()));
			cmd.addAll(args);
			CtlIT.Result r = CtlIT.exec(cmd, dir);
			assertThat(r.status()).as(r.err()).isEqualTo(5);
			assertThat(r.err()).isEqualTo("containerctl: not permitted: only root may " + args.get(0) + " " + args.get(1)
				+ " (it loads code into the daemon)\n");
		}
		assertThat(ctl("bundle", "list").out()).doesNotContain("9.0.1");
	}

	@Test
	@Order(2)
	void anUnsignedJarIsRefusedAndNothingChanges() throws Exception {
		Path jar = BundleJars.rebuilt(shippedJar(), dir.resolve("unsigned.jar"), "9.0.2");
		CtlIT.Result r = ctl("bundle", "update", jar.toString());
		assertThat(r.status()).isEqualTo(1);
		assertThat(r.err()).contains(jar + " is refused: it is not signed, and security.require_signed_bundles requires a signature by a "
			+ "certificate of " + dir.resolve("trusted-certificates") + "; nothing was changed");
		assertThat(ctl("bundle", "list").out()).doesNotContain("9.0.2");
	}

	@Test
	@Order(3)
	void aJarSignedBySomeoneElseIsRefused() throws Exception {
		Path jar = signed(BundleJars.rebuilt(shippedJar(), dir.resolve("other.jar"), "9.0.3"), otherStore);
		CtlIT.Result r = ctl("bundle", "update", jar.toString());
		assertThat(r.status()).isEqualTo(1);
		assertThat(r.err()).contains("it is signed by CN=Someone Else, which no trusted certificate vouches for");
	}

	@Test
	@Order(4)
	void aJarSignedByTheTrustedCertificateIsLoadedAndRollsBack() throws Exception {
		Path jar = signed(BundleJars.rebuilt(shippedJar(), dir.resolve("vendor.jar"), "9.0.4"), vendorStore);
		CtlIT.Result r = ctl("bundle", "update", jar.toString());
		assertThat(r.status()).as(r.err()).isZero();
		assertThat(r.out()).contains("updated " + BUNDLE + " to 9.0.4");
		assertThat(Files.readString(dir.resolve("cc-containerd.log"))).contains("signed by CN=Device Vendor");
		r = ctl("bundle", "rollback", BUNDLE);
		assertThat(r.status()).as(r.err()).isZero();
	}
}
