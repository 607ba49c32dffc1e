package cc.container.config.internal;

import cc.container.api.config.ConfigException;
import cc.container.api.config.DaemonConfig;
import cc.container.api.config.LogLevel;
import cc.container.api.config.LoggingSettings;
import cc.container.api.config.RemoteSettings;
import cc.container.api.config.RuntimeSettings;
import cc.container.api.config.SecuritySettings;
import cc.container.api.config.ServiceSettings;
import cc.container.util.json.Json;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Validates the daemon configuration (SPEC section 3) and fills in its defaults. Relative paths in the file are
 * taken relative to the folder that holds the file.
 */
public final class DaemonConfigParser {

	/** Default path of the daemon configuration. */
	public static final Path DEFAULT_FILE = Path.of("/etc/cc-container-mng.conf");

	static final long MAX_INTERVAL = 3600;
	static final long MAX_LOAD_TIMEOUT = 86400;

	private DaemonConfigParser() {
	}

	/** A valid configuration and the warnings (unknown fields) found on the way. */
	public record Result(DaemonConfig config, List<String> warnings) {
	}

	/** Validates the content of {@code file}. */
	public static Result parse(Path file, byte[] content) throws ConfigException {
		String name = file.toString();
		Object tree;
		try {
			tree = Json.parse(content);
		} catch (Json.SyntaxException e) {
			throw new ConfigException(name + ": malformed JSON at " + e.getMessage());
		}
		List<String> warnings = new ArrayList<>();
		Fields root = Fields.root(name, tree, warnings);
		root.integer("version", 1, 1, 1);
		Path base = file.toAbsolutePath().getParent();

		Fields svc = root.object("service");
		Path workingPath = path(base, svc.nonEmptyString("working_path", "/root/cc-container"));
		Duration monitor = Duration.ofSeconds(svc.integer("monitor_interval", 10, 1, MAX_INTERVAL));
		Duration command = Duration.ofSeconds(svc.integer("command_timeout", 30, 1, MAX_INTERVAL));
		Duration load = Duration.ofSeconds(svc.integer("podman_load_timeout", 600, 1, MAX_LOAD_TIMEOUT));
		Path socket = path(base, svc.nonEmptyString("control_socket", "/run/cc-containerd/control.sock"));
		String group = svc.string("control_group", null);
		if (group != null && !group.matches("[A-Za-z_][A-Za-z0-9_.-]{0,31}")) {
			throw svc.error("control_group", "must be a group name, got \"" + group + "\"");
		}
		long logMax = svc.integer("container_log_max_size", ServiceSettings.DEFAULT_CONTAINER_LOG_MAX_SIZE, 64 << 10, 1L << 30);
		svc.warnUnknown();

		Fields log = root.object("logging");
		LogLevel level = log.level("level", LogLevel.ERROR);
		Fields sys = log.object("syslog");
		LoggingSettings.Syslog syslog = new LoggingSettings.Syslog(sys.bool("enabled", true), sys.level("level", level),
			path(base, sys.nonEmptyString("path", "/dev/log")), sys.nonEmptyString("tag", "cc-containerd"));
		sys.warnUnknown();
		Fields con = log.object("console");
		LoggingSettings.Console console = new LoggingSettings.Console(con.bool("enabled", true), con.level("level", level));
		con.warnUnknown();
		Fields fil = log.object("file");
		LoggingSettings.File fileSink = new LoggingSettings.File(fil.bool("enabled", true),
			path(base, fil.nonEmptyString("path", "/var/log/cc-containerd.log")), fil.level("level", level),
			fil.integer("max_size", 10485760, 4096, 1L << 40), (int) fil.integer("keep", 3, 1, 20));
		fil.warnUnknown();
		Fields fwd = log.object("forward");
		LoggingSettings.Forward forward = new LoggingSettings.Forward((int) fwd.integer("rate", LoggingSettings.Forward.DEFAULT.rate(), 1, 100_000),
			(int) fwd.integer("burst", LoggingSettings.Forward.DEFAULT.burst(), 1, 1_000_000));
		fwd.warnUnknown();
		log.warnUnknown();

		Fields rt = root.object("runtimes");
		Fields pod = rt.object("podman");
		RuntimeSettings.Podman podman = new RuntimeSettings.Podman(pod.nonEmptyString("binary", "podman"),
			stringList(pod, "global_args"), stringMap(pod, "env"));
		pod.warnUnknown();
		Fields lxc = rt.object("lxc");
		String toolsDir = lxc.nonEmptyString("tools_dir", null);
		RuntimeSettings.Lxc lxcSettings = new RuntimeSettings.Lxc(toolsDir == null ? null : path(base, toolsDir));
		lxc.warnUnknown();
		rt.warnUnknown();
		SecuritySettings security = security(root.object("security"), base);
		RemoteSettings remote = remote(root.object("remote"), base);
		root.warnUnknown();

		DaemonConfig config = new DaemonConfig(file.toAbsolutePath(),
			new ServiceSettings(workingPath, monitor, command, load, socket, group, logMax),
			new LoggingSettings(level, syslog, console, fileSink, forward), new RuntimeSettings(podman, lxcSettings), security, remote);
		return new Result(config, List.copyOf(warnings));
	}

	private static SecuritySettings security(Fields sec, Path base) throws ConfigException {
		SecuritySettings d = SecuritySettings.DEFAULT;
		boolean requirePackages = sec.bool("require_signed_packages", d.requireSignedPackages());
		Path keys = path(base, sec.nonEmptyString("trusted_keys", d.trustedKeys().toString()));
		boolean requireBundles = sec.bool("require_signed_bundles", d.requireSignedBundles());
		Path certificates = path(base, sec.nonEmptyString("trusted_certificates", d.trustedCertificates().toString()));
		SecuritySettings.Profile unsigned = profile(sec, "unsigned_packages", d.unsignedPackages());
		SecuritySettings.Profile signed = profile(sec, "signed_packages", d.signedPackages());
		if (signed.compareTo(unsigned) < 0) {
			throw sec.error("signed_packages", "must allow at least what unsigned_packages allows (" + unsigned.json() + "), got \"" + signed.json()
				+ "\"");
		}
		List<Path> hostPaths = new ArrayList<>();
		for (String p : stringList(sec, "host_paths")) {
			if (!p.startsWith("/")) {
				throw sec.error("host_paths", "must list absolute host folders, got \"" + p + "\"");
			}
			hostPaths.add(Path.of(p).normalize());
		}
		sec.warnUnknown();
		return new SecuritySettings(requirePackages, keys, requireBundles, certificates, unsigned, signed, hostPaths);
	}

	private static RemoteSettings remote(Fields r, Path base) throws ConfigException {
		RemoteSettings d = RemoteSettings.DISABLED;
		boolean enabled = r.bool("enabled", false);
		String uri = r.nonEmptyString("broker", d.broker().toString());
		URI broker;
		try {
			broker = new URI(uri);
		} catch (URISyntaxException e) {
			throw r.error("broker", "must be a URI such as tcp://host:1883 or ssl://host:8883, got \"" + uri + "\"");
		}
		if (!("tcp".equals(broker.getScheme()) || "ssl".equals(broker.getScheme())) || broker.getHost() == null) {
			throw r.error("broker", "must be a URI such as tcp://host:1883 or ssl://host:8883, got \"" + uri + "\"");
		}
		String clientId = r.nonEmptyString("client_id", null);
		if (clientId != null && !clientId.matches("[A-Za-z0-9_.:-]{1,64}")) {
			throw r.error("client_id", "must be 1 to 64 letters, digits, '_', '.', ':' or '-' (it is a topic level), got \"" + clientId + "\"");
		}
		String username = r.nonEmptyString("username", null);
		Path passwordFile = optionalPath(r, "password_file", base);
		Path caFile = optionalPath(r, "ca_file", base);
		Path certFile = optionalPath(r, "cert_file", base);
		Path keyFile = optionalPath(r, "key_file", base);
		if ((certFile == null) != (keyFile == null)) {
			throw r.error(certFile != null ? "cert_file" : "key_file", "must be given with " + (certFile != null ? "key_file" : "cert_file"));
		}
		boolean tls = "ssl".equals(broker.getScheme());
		if (!tls && (caFile != null || certFile != null)) {
			throw r.error(caFile != null ? "ca_file" : "cert_file", "is for a TLS broker (ssl://), and the broker is " + uri);
		}
		int keepAlive = (int) r.integer("keep_alive", d.keepAliveSeconds(), 5, 3600);
		String prefix = r.nonEmptyString("topic_prefix", d.topicPrefix());
		if (!prefix.matches("[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)*")) {
			throw r.error("topic_prefix", "must be topic levels of letters, digits, '_', '.' or '-' separated by '/', got \"" + prefix + "\"");
		}
		long buffer = r.integer("buffer_size", d.bufferBytes(), 4096, 1L << 30);
		List<String> labels = stringList(r, "labels");
		for (String l : labels) {
			if (!l.matches("[A-Za-z0-9_.:=-]{1,64}")) {
				throw r.error("labels", "must list labels of 1 to 64 letters, digits, '_', '.', ':', '=' or '-', got \"" + l + "\"");
			}
		}
		boolean allowHttp = r.bool("allow_http_downloads", false);
		int reconnectMax = (int) r.integer("reconnect_max_delay", d.reconnectMaxSeconds(), 1, 3600);
		r.warnUnknown();
		return new RemoteSettings(enabled, broker, clientId, username, passwordFile, caFile, certFile, keyFile, keepAlive, prefix, buffer, labels,
			allowHttp, reconnectMax);
	}

	private static Path optionalPath(Fields f, String name, Path base) throws ConfigException {
		String v = f.nonEmptyString(name, null);
		return v == null ? null : path(base, v);
	}

	private static SecuritySettings.Profile profile(Fields f, String name, SecuritySettings.Profile def) throws ConfigException {
		String v = f.nonEmptyString(name, def.json());
		for (SecuritySettings.Profile p : SecuritySettings.Profile.values()) {
			if (p.json().equals(v)) {
				return p;
			}
		}
		throw f.error(name, "must be \"strict\", \"default\" or \"privileged\", got \"" + v + "\"");
	}

	private static Path path(Path base, String value) {
		Path p = Path.of(value);
		return (p.isAbsolute() ? p : base.resolve(p)).normalize();
	}

	private static List<String> stringList(Fields f, String name) throws ConfigException {
		Object v = f.raw(name);
		if (v == null) {
			return List.of();
		}
		if (!(v instanceof List)) {
			throw f.error(name, "must be an array of strings, got " + Fields.describe(v));
		}
		List<String> out = new ArrayList<>();
		List<?> list = (List<?>) v;
		for (int i = 0; i < list.size(); i++) {
			if (!(list.get(i) instanceof String)) {
				throw f.error(name + "[" + i + "]", "must be a string, got " + Fields.describe(list.get(i)));
			}
			out.add((String) list.get(i));
		}
		return out;
	}

	private static Map<String, String> stringMap(Fields f, String name) throws ConfigException {
		Fields obj = f.object(name);
		Object v = f.raw(name);
		Map<String, String> out = new LinkedHashMap<>();
		if (v == null) {
			return out;
		}
		for (Map.Entry<?, ?> e : ((Map<?, ?>) v).entrySet()) {
			String key = (String) e.getKey();
			if (!key.matches("[A-Za-z_][A-Za-z0-9_]*")) {
				throw obj.error(key, "is not a valid environment variable name");
			}
			if (e.getValue() == null) {
				throw obj.error(key, "must be a string, got null");
			}
			out.put(key, obj.string(key, null));
		}
		return out;
	}
}
