package cc.container.control.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import cc.container.api.command.ContainerCommands;
import cc.container.api.config.DaemonConfig;
import cc.container.api.config.ServiceSettings;
import cc.container.testing.Sh;
import cc.container.testing.TestConfig;
import cc.container.testing.TestLogger;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The control socket with {@code service.control_group}: real users of the machine connect with a small client that
 * speaks the documented protocol. A member of the group (as primary group, or listed in {@code /etc/group}) runs
 * commands; anyone else cannot even open the socket (mode 0660), and root always can.
 */
class ControlGroupTest {
	static final String GROUP = "ccctltest";
	static final String CLIENT = String.join("\n",
		"import json, socket, struct, sys",
		"s = socket.socket(socket.AF_UNIX)",
		"try:",
		"    s.connect(sys.argv[1])",
		"except OSError as e:",
		"    sys.stderr.write('connect: %s\\n' % e.strerror); sys.exit(99)",
		"q = json.dumps({'args': sys.argv[2:], 'tty': False}).encode()",
		"s.sendall(b'Q' + struct.pack('>I', len(q)) + q)",
		"def take(n):",
		"    b = b''",
		"    while len(b) < n:",
		"        c = s.recv(n - len(b))",
		"        if not c: sys.exit(98)",
		"        b += c",
		"    return b",
		"while True:",
		"    t = take(1); n = struct.unpack('>I', take(4))[0]; d = take(n) if n else b''",
		"    if t == b'O': sys.stdout.write(d.decode())",
		"    elif t == b'E': sys.stderr.write(d.decode())",
		"    elif t == b'X': sys.exit(struct.unpack('>i', d)[0])",
		"");

	@TempDir
	Path dir;
	ControlEndpoint endpoint;
	Path socket;
	Path client;

	@BeforeAll
	static void users() {
		ensure(List.of("getent", "group", GROUP), List.of("groupadd", GROUP));
		// One member by primary group, one listed as a member in /etc/group, one outsider.
		ensure(List.of("id", "ccctlprimary"), List.of("useradd", "--no-create-home", "--shell", "/usr/sbin/nologin", "-g", GROUP, "ccctlprimary"));
		ensure(List.of("id", "ccctllisted"), List.of("useradd", "--no-create-home", "--shell", "/usr/sbin/nologin", "-G", GROUP, "ccctllisted"));
		ensure(List.of("id", "ccctloutsider"), List.of("useradd", "--no-create-home", "--shell", "/usr/sbin/nologin", "ccctloutsider"));
	}

	static void ensure(List<String> check, List<String> create) {
		try {
			Sh.run(check.toArray(String[]::new));
		} catch (IllegalStateException e) {
			Sh.run(create.toArray(String[]::new));
		}
	}

	@BeforeEach
	void open() throws IOException {
		Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
		socket = dir.resolve("control.sock");
		client = dir.resolve("client.py");
		Files.writeString(client, CLIENT);
		Files.setPosixFilePermissions(client, PosixFilePermissions.fromString("rw-r--r--"));
		DaemonConfig base = TestConfig.daemon(dir, null, java.time.Duration.ofSeconds(5));
		ServiceSettings s = base.service();
		DaemonConfig config = new DaemonConfig(base.file(), new ServiceSettings(s.workingPath(), s.monitorInterval(), s.commandTimeout(),
			s.podmanLoadTimeout(), socket, GROUP), base.logging(), base.runtimes());
		endpoint = new ControlEndpoint(TestConfig.service(config), TestLogger.create());
		endpoint.bindCommands((args, session) -> {
			session.out().println("ran " + String.join(" ", args) + (session.root() ? " as root" : ""));
			return 0;
		});
	}

	@AfterEach
	void close() {
		endpoint.close();
	}

	record Run(int status, String out, String err) {
	}

	Run as(String user) throws Exception {
		List<String> cmd = user == null ? List.of("python3", client.toString(), socket.toString(), "list", "--json")
			: List.of("runuser", "-u", user, "--", "python3", client.toString(), socket.toString(), "list", "--json");
		Path out = dir.resolve("out.txt");
		Path err = dir.resolve("err.txt");
		Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
		assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
		return new Run(p.exitValue(), Files.readString(out), Files.readString(err));
	}

	@Test
	void theSocketBelongsToTheGroupWithMode0660() throws Exception {
		PosixFileAttributes a = Files.readAttributes(socket, PosixFileAttributes.class);
		assertThat(PosixFilePermissions.toString(a.permissions())).isEqualTo("rw-rw----");
		assertThat(a.group().getName()).isEqualTo(GROUP);
	}

	@Test
	void membersOfTheGroupAndRootRunCommandsAndOnlyRootIsRoot() throws Exception {
		for (String user : new String[] { "ccctlprimary", "ccctllisted", null }) {
			Run r = as(user);
			assertThat(r.status()).as(user + ": " + r.err()).isZero();
			// Commands that load code (bundle update) ask whether the caller is root: a member never is.
			assertThat(r.out()).isEqualTo(user == null ? "ran list --json as root\n" : "ran list --json\n");
		}
	}

	@Test
	void anOutsiderCannotOpenTheSocket() throws Exception {
		Run r = as("ccctloutsider");
		assertThat(r.status()).as(r.err()).isEqualTo(99);
		assertThat(r.err()).isEqualTo("connect: Permission denied\n");
	}

	@Test
	void aPeerThatTheSocketModeLetsThroughIsStillCheckedWithSoPeercred() throws Exception {
		// With the socket opened to everyone (a mistake, or a mode changed by hand), the outsider reaches the
		// daemon, and SO_PEERCRED refuses it with status 5 before anything runs.
		Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-rw-rw-"));
		Run r = as("ccctloutsider");
		assertThat(r.status()).as(r.err()).isEqualTo(5);
		assertThat(r.err()).isEqualTo("not permitted: only root and members of " + GROUP + " may use cc-containerd\n");
		assertThat(r.out()).isEmpty();
	}

	@Test
	void aSocketFolderOfAnotherUserIsRefused() throws Exception {
		// Mode 0755, nobody else may write, but its owner is not the daemon's user: that owner could swap the socket.
		Path theirs = Files.createDirectories(dir.resolve("theirs"));
		Files.setPosixFilePermissions(theirs, PosixFilePermissions.fromString("rwxr-xr-x"));
		Sh.run("chown", "ccctloutsider", theirs.toString());
		assertThatThrownBy(() -> ControlEndpoint.checkFolder(theirs)).isInstanceOf(IOException.class).hasMessage("the control socket's folder "
			+ theirs + " belongs to ccctloutsider, who could replace the socket; name a folder of the daemon's user (root) in service.control_socket");
		ControlEndpoint.checkFolder(dir); // the daemon's own
	}

	@Test
	void aGroupTheSystemDoesNotKnowLeavesTheSocketToRootAndSaysSo() throws Exception {
		List<String> log = new java.util.concurrent.CopyOnWriteArrayList<>();
		assertThat(ControlEndpoint.groupOrNone(socket, "cc-nosuchgroup", TestLogger.into(log))).isNull();
		assertThat(log).singleElement().asString().contains("service.control_group names \"cc-nosuchgroup\", which is no group on this system");
		assertThat(ControlEndpoint.groupOrNone(socket, GROUP, TestLogger.into(log)).getName()).isEqualTo(GROUP);
	}
}
