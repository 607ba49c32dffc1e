package cc.container.testing;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * A real Mosquitto broker on loopback, for the remote-management tests: three listeners with their own settings
 * ({@code per_listener_settings}): plain TCP with a password, TLS with a password, and TLS with a client certificate
 * (its common name the user name). The certificates are made with {@code openssl}: a CA, the broker's (for
 * {@code localhost} and 127.0.0.1) and a client's, keys in PKCS#8. Stopped by {@link #close()} (SIGTERM: it saves its
 * sessions and retained messages), started again on the same ports by {@link #restart()}.
 */
public final class Mosquitto implements AutoCloseable {
	public static final String USER = "device";
	public static final String PASSWORD = "s3cret-device";

	private final Path dir;
	private final int tcp;
	private final int tls;
	private final int tlsCert;
	private Process process;

	/** Makes the certificates and the configuration under {@code dir}, and starts the broker. */
	public Mosquitto(Path dir) throws IOException {
		this.dir = Files.createDirectories(dir);
		this.tcp = freePort();
		this.tls = freePort();
		this.tlsCert = freePort();
		Path pw = dir.resolve("passwords");
		Sh.run("mosquitto_passwd", "-c", "-b", pw.toString(), USER, PASSWORD);
		String d = dir.toString();
		Sh.run("sh", "-c", String.join(" && ", List.of(
			"cd " + d,
			"openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 2 -subj /CN=test-ca 2>/dev/null",
			"openssl req -newkey rsa:2048 -nodes -keyout server.key -out server.csr -subj /CN=localhost 2>/dev/null",
			"printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\\n' > san.ext",
			"openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out server.pem -days 2 -extfile san.ext 2>/dev/null",
			"openssl req -newkey rsa:2048 -nodes -keyout client.key -out client.csr -subj /CN=" + USER + " 2>/dev/null",
			"openssl x509 -req -in client.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out client.pem -days 2 2>/dev/null",
			"chmod 644 *.key")));
		Files.writeString(dir.resolve("mosquitto.conf"), String.join("\n",
			"per_listener_settings true",
			"user root",
			"persistence true",
			"persistence_location " + dir + "/",
			"log_dest file " + dir.resolve("mosquitto.log"),
			"listener " + tcp + " 127.0.0.1",
			"allow_anonymous false",
			"password_file " + pw,
			"listener " + tls + " 127.0.0.1",
			"allow_anonymous false",
			"password_file " + pw,
			"cafile " + dir.resolve("ca.pem"),
			"certfile " + dir.resolve("server.pem"),
			"keyfile " + dir.resolve("server.key"),
			"listener " + tlsCert + " 127.0.0.1",
			"allow_anonymous false",
			"cafile " + dir.resolve("ca.pem"),
			"certfile " + dir.resolve("server.pem"),
			"keyfile " + dir.resolve("server.key"),
			"require_certificate true",
			"use_identity_as_username true",
			""));
		start();
	}

	private void start() throws IOException {
		process = new ProcessBuilder("mosquitto", "-c", dir.resolve("mosquitto.conf").toString()).redirectErrorStream(true)
			.redirectOutput(dir.resolve("mosquitto.out").toFile()).start();
		Await.until("Mosquitto to listen on " + tcp, Duration.ofSeconds(20), () -> listens(tcp) && listens(tls) && listens(tlsCert));
	}

	/** {@code tcp://127.0.0.1:<port>}: a user name and password. */
	public String tcpUri() {
		return "tcp://127.0.0.1:" + tcp;
	}

	/** {@code ssl://localhost:<port>}: TLS and a user name and password. */
	public String tlsUri() {
		return "ssl://localhost:" + tls;
	}

	/** {@code ssl://localhost:<port>}: TLS and a client certificate. */
	public String tlsCertUri() {
		return "ssl://localhost:" + tlsCert;
	}

	public Path caFile() {
		return dir.resolve("ca.pem");
	}

	public Path clientCert() {
		return dir.resolve("client.pem");
	}

	public Path clientKey() {
		return dir.resolve("client.key");
	}

	/** Starts it again after {@link #close()}, on the same ports. */
	public void restart() throws IOException {
		start();
	}

	private static boolean listens(int port) {
		try (Socket s = new Socket("127.0.0.1", port)) {
			return true;
		} catch (IOException e) {
			return false;
		}
	}

	private static int freePort() throws IOException {
		try (ServerSocket s = new ServerSocket(0)) {
			return s.getLocalPort();
		}
	}

	/** Stops the broker (the devices see their connection lost). */
	@Override
	public void close() {
		if (process != null) {
			process.destroy();
			try {
				if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
					process.destroyForcibly().waitFor();
				}
			} catch (InterruptedException e) {
				Thread.currentThread().interrupt();
			}
			process = null;
		}
	}
}
