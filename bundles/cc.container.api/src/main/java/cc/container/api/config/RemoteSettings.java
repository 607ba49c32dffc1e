package cc.container.api.config;

import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * The {@code remote} section of the daemon configuration: the MQTT broker a device reports to and takes commands from
 * (docs/remote.md). Off unless {@code enabled}.
 *
 * @param enabled whether the device connects to the broker
 * @param broker the broker's URI, {@code tcp://host:port} or {@code ssl://host:port}
 * @param clientId the MQTT client id, which is also the device's id in the topics; {@code null} for the machine id
 * @param username the user name, or {@code null}
 * @param passwordFile the file holding the password (its first line), or {@code null}
 * @param caFile the certificates the broker's certificate is checked against (PEM), or {@code null} for the JVM's
 * @param certFile the device's client certificate (PEM), or {@code null}
 * @param keyFile the client certificate's private key (PKCS#8 PEM), or {@code null}
 * @param keepAliveSeconds the MQTT keep-alive
 * @param topicPrefix the first level of every topic
 * @param bufferBytes the most the on-disk buffer of unsent messages holds; beyond it telemetry and replaced states go
 *        first, oldest first, then the oldest of the rest
 * @param labels the device's labels, which a fleet tool selects devices by
 * @param allowHttpDownloads whether {@code install --url} may take a plain {@code http://} URL (HTTPS always), which
 *        anyone on the network path could answer: for a laboratory, or with signed packages required
 * @param reconnectMaxSeconds the longest wait between two attempts to reach the broker (the wait doubles from one
 *        second up to it, each with a random part)
 */
public record RemoteSettings(boolean enabled, URI broker, String clientId, String username, Path passwordFile, Path caFile, Path certFile,
	Path keyFile, int keepAliveSeconds, String topicPrefix, long bufferBytes, List<String> labels, boolean allowHttpDownloads,
	int reconnectMaxSeconds) {
	/** The default of {@code reconnect_max_delay}. */
	public static final int RECONNECT_MAX_SECONDS = 60;
	/** Off. */
	public static final RemoteSettings DISABLED = new RemoteSettings(false, URI.create("tcp://localhost:1883"), null, null, null, null, null, null,
		60, "cc-container-mng", 4L << 20, List.of(), false, RECONNECT_MAX_SECONDS);

	/** Validates that every required part is present. */
	public RemoteSettings {
		Objects.requireNonNull(broker, "broker");
		Objects.requireNonNull(topicPrefix, "topicPrefix");
		labels = List.copyOf(labels);
	}

	/** The settings of API 1.1, with the default longest wait between attempts. */
	public RemoteSettings(boolean enabled, URI broker, String clientId, String username, Path passwordFile, Path caFile, Path certFile,
		Path keyFile, int keepAliveSeconds, String topicPrefix, long bufferBytes, List<String> labels, boolean allowHttpDownloads) {
		this(enabled, broker, clientId, username, passwordFile, caFile, certFile, keyFile, keepAliveSeconds, topicPrefix, bufferBytes, labels,
			allowHttpDownloads, RECONNECT_MAX_SECONDS);
	}

	/** Whether the connection is TLS. */
	public boolean tls() {
		return "ssl".equals(broker.getScheme());
	}
}
