package cc.container.config.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import cc.container.api.config.ConfigException;
import cc.container.api.config.DaemonConfig;
import cc.container.api.config.LogLevel;
import cc.container.api.config.RemoteSettings;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class DaemonConfigParserTest {
	static final Path FILE = Path.of("/etc/cc-container-mng.conf");

	/** The example of SPEC section 3, unchanged. */
	static final String SPEC_EXAMPLE = """
		{
		  "version": 1,
		  "service": { "working_path": "/root/cc-container", "monitor_interval": 10,
		               "command_timeout": 30, "podman_load_timeout": 600 },
		  "logging": { "level": "ERROR",
		               "syslog":  { "enabled": true, "level": "INFO" },
		               "console": { "enabled": true },
		               "file":    { "enabled": true, "path": "/var/log/cc-containerd.log", "level": "INFO", "max_size": 10485760 } }
		}
		""";

	static DaemonConfigParser.Result parse(String json) throws ConfigException {
		return DaemonConfigParser.parse(FILE, json.getBytes(StandardCharsets.UTF_8));
	}

	@Test
	void specExampleLoadsUnchanged() throws Exception {
		DaemonConfigParser.Result r = parse(SPEC_EXAMPLE);
		DaemonConfig c = r.config();
		assertThat(r.warnings()).isEmpty();
		assertThat(c.service().workingPath()).isEqualTo(Path.of("/root/cc-container"));
		assertThat(c.service().monitorInterval()).isEqualTo(Duration.ofSeconds(10));
		assertThat(c.service().commandTimeout()).isEqualTo(Duration.ofSeconds(30));
		assertThat(c.service().podmanLoadTimeout()).isEqualTo(Duration.ofSeconds(600));
		assertThat(c.logging().level()).isEqualTo(LogLevel.ERROR);
		assertThat(c.logging().syslog().level()).isEqualTo(LogLevel.INFO);
		assertThat(c.logging().console().level()).isEqualTo(LogLevel.ERROR);
		assertThat(c.logging().file().level()).isEqualTo(LogLevel.INFO);
		assertThat(c.logging().file().maxSize()).isEqualTo(10485760L);
		assertThat(c.logging().file().path()).isEqualTo(Path.of("/var/log/cc-containerd.log"));
	}

	@Test
	void emptyObjectTakesEveryDefault() throws Exception {
		DaemonConfig c = parse("{}").config();
		assertThat(c.service().workingPath()).isEqualTo(Path.of("/root/cc-container"));
		assertThat(c.service().monitorInterval()).isEqualTo(Duration.ofSeconds(10));
		assertThat(c.service().commandTimeout()).isEqualTo(Duration.ofSeconds(30));
		assertThat(c.service().podmanLoadTimeout()).isEqualTo(Duration.ofSeconds(600));
		assertThat(c.service().controlSocket()).isEqualTo(Path.of("/run/cc-containerd/control.sock"));
		assertThat(c.service().controlGroup()).isNull();
		assertThat(c.service().containersFile()).isEqualTo(Path.of("/root/cc-container/cc-containers.conf"));
		assertThat(c.service().stateFile()).isEqualTo(Path.of("/root/cc-container/state.json"));
		assertThat(c.service().lxcPath()).isEqualTo(Path.of("/root/cc-container/installed/lxc"));
		assertThat(c.logging().level()).isEqualTo(LogLevel.ERROR);
		assertThat(c.logging().syslog().enabled()).isTrue();
		assertThat(c.logging().syslog().socket()).isEqualTo(Path.of("/dev/log"));
		assertThat(c.logging().syslog().level()).isEqualTo(LogLevel.ERROR);
		assertThat(c.logging().console().enabled()).isTrue();
		assertThat(c.logging().file().enabled()).isTrue();
		assertThat(c.logging().file().keep()).isEqualTo(3);
		assertThat(c.logging().file().maxSize()).isEqualTo(10485760L);
		assertThat(c.runtimes().podman().binary()).isEqualTo("podman");
		assertThat(c.runtimes().podman().globalArgs()).isEmpty();
		assertThat(c.runtimes().lxc().toolsDir()).isNull();
	}

	@Test
	void sinkLevelsDefaultToTheSectionLevel() throws Exception {
		DaemonConfig c = parse("{\"logging\": {\"level\": \"warn\", \"file\": {\"level\": \"DEBUG\"}}}").config();
		assertThat(c.logging().console().level()).isEqualTo(LogLevel.WARNING);
		assertThat(c.logging().syslog().level()).isEqualTo(LogLevel.WARNING);
		assertThat(c.logging().file().level()).isEqualTo(LogLevel.DEBUG);
	}

	@Test
	void relativePathsAreTakenFromTheFilesFolder() throws Exception {
		DaemonConfig c = DaemonConfigParser.parse(Path.of("/opt/cc/conf/local.conf"),
			"{\"service\": {\"working_path\": \"../var/work\"}, \"logging\": {\"file\": {\"path\": \"log/d.log\"}}}"
				.getBytes(StandardCharsets.UTF_8)).config();
		assertThat(c.service().workingPath()).isEqualTo(Path.of("/opt/cc/var/work"));
		assertThat(c.logging().file().path()).isEqualTo(Path.of("/opt/cc/conf/log/d.log"));
	}

	@Test
	void runtimesSectionIsRead() throws Exception {
		DaemonConfig c = parse("""
			{"runtimes": {"podman": {"binary": "/usr/bin/podman", "global_args": ["--root", "/tmp/r"],
			                         "env": {"CONTAINERS_CONF": "/etc/cc/containers.conf"}},
			              "lxc": {"tools_dir": "/usr/local/bin"}}}""").config();
		assertThat(c.runtimes().podman().binary()).isEqualTo("/usr/bin/podman");
		assertThat(c.runtimes().podman().globalArgs()).containsExactly("--root", "/tmp/r");
		assertThat(c.runtimes().podman().environment()).containsEntry("CONTAINERS_CONF", "/etc/cc/containers.conf");
		assertThat(c.runtimes().lxc().toolsDir()).isEqualTo(Path.of("/usr/local/bin"));
	}

	@Test
	void unknownFieldsAreWarnedAboutAndIgnored() throws Exception {
		DaemonConfigParser.Result r = parse(
			"{\"colour\": \"blue\", \"service\": {\"monitor_intervall\": 5}, \"logging\": {\"file\": {\"rotate\": true}}}");
		assertThat(r.warnings()).containsExactly(
			"/etc/cc-container-mng.conf: service.monitor_intervall: unknown field, ignored",
			"/etc/cc-container-mng.conf: logging.file.rotate: unknown field, ignored",
			"/etc/cc-container-mng.conf: colour: unknown field, ignored");
		assertThat(r.config().service().monitorInterval()).isEqualTo(Duration.ofSeconds(10));
	}

	@ParameterizedTest(name = "{0}")
	@CsvSource(delimiter = '|', textBlock = """
		empty file                 | ''                                                           | /etc/cc-container-mng.conf: malformed JSON at line 1, column 1: the file is empty, a JSON object was expected
		malformed JSON             | '{"service": {"monitor_interval": 10,}}'                      | /etc/cc-container-mng.conf: malformed JSON at line 1, column 37: Unexpected character ('}' (char 125)): was expecting double-quote to start field name
		unclosed object            | '{"service": {'                                              | /etc/cc-container-mng.conf: malformed JSON at line 1, column 14: Unexpected end-of-input: expected close marker for Object
		trailing garbage           | '{} x'                                                       | /etc/cc-container-mng.conf: malformed JSON at line 1, column 5: Unrecognized token 'x': was expecting (JSON String, Number, Array, Object or token 'null', 'true' or 'false')
		duplicate key              | '{"version": 1, "version": 1}'                               | /etc/cc-container-mng.conf: malformed JSON at line 1, column 25: Duplicate field 'version'
		not an object              | '[1, 2]'                                                     | /etc/cc-container-mng.conf: the file must hold a JSON object, got an array
		wrong version              | '{"version": 2}'                                             | /etc/cc-container-mng.conf: version: must be a whole number from 1 to 1, got 2
		service not an object      | '{"service": 5}'                                             | /etc/cc-container-mng.conf: service: must be a JSON object, got 5
		interval a string          | '{"service": {"monitor_interval": "10"}}'                    | /etc/cc-container-mng.conf: service.monitor_interval: must be a whole number, got the string "10"
		interval zero              | '{"service": {"monitor_interval": 0}}'                       | /etc/cc-container-mng.conf: service.monitor_interval: must be a whole number from 1 to 3600, got 0
		interval negative          | '{"service": {"monitor_interval": -5}}'                      | /etc/cc-container-mng.conf: service.monitor_interval: must be a whole number from 1 to 3600, got -5
		interval fraction          | '{"service": {"monitor_interval": 2.5}}'                     | /etc/cc-container-mng.conf: service.monitor_interval: must be a whole number from 1 to 3600, got 2.5
		timeout zero               | '{"service": {"command_timeout": 0}}'                        | /etc/cc-container-mng.conf: service.command_timeout: must be a whole number from 1 to 3600, got 0
		load timeout too large     | '{"service": {"podman_load_timeout": 999999}}'               | /etc/cc-container-mng.conf: service.podman_load_timeout: must be a whole number from 1 to 86400, got 999999
		working path empty         | '{"service": {"working_path": ""}}'                          | /etc/cc-container-mng.conf: service.working_path: must not be empty
		working path a number      | '{"service": {"working_path": 7}}'                           | /etc/cc-container-mng.conf: service.working_path: must be a string, got 7
		bad group                  | '{"service": {"control_group": "no such group!"}}'           | /etc/cc-container-mng.conf: service.control_group: must be a group name, got "no such group!"
		unknown level              | '{"logging": {"level": "LOUD"}}'                             | /etc/cc-container-mng.conf: logging.level: must be one of DEBUG, INFO, WARNING, ERROR, CRITICAL, got "LOUD"
		sink level unknown         | '{"logging": {"file": {"level": "TRACE"}}}'                  | /etc/cc-container-mng.conf: logging.file.level: must be one of DEBUG, INFO, WARNING, ERROR, CRITICAL, got "TRACE"
		enabled a string           | '{"logging": {"syslog": {"enabled": "yes"}}}'                | /etc/cc-container-mng.conf: logging.syslog.enabled: must be true or false, got the string "yes"
		max size too small         | '{"logging": {"file": {"max_size": 10}}}'                    | /etc/cc-container-mng.conf: logging.file.max_size: must be a whole number from 4096 to 1099511627776, got 10
		keep zero                  | '{"logging": {"file": {"keep": 0}}}'                         | /etc/cc-container-mng.conf: logging.file.keep: must be a whole number from 1 to 20, got 0
		global args not a list     | '{"runtimes": {"podman": {"global_args": "--root /x"}}}'     | /etc/cc-container-mng.conf: runtimes.podman.global_args: must be an array of strings, got the string "--root /x"
		global arg not a string    | '{"runtimes": {"podman": {"global_args": ["--root", 1]}}}'   | /etc/cc-container-mng.conf: runtimes.podman.global_args[1]: must be a string, got 1
		env bad name               | '{"runtimes": {"podman": {"env": {"A-B": "x"}}}}'            | /etc/cc-container-mng.conf: runtimes.podman.env.A-B: is not a valid environment variable name
		huge number                | '{"service": {"monitor_interval": 123456789012345678901234}}' | /etc/cc-container-mng.conf: service.monitor_interval: must be a whole number from 1 to 3600, got 123456789012345678901234
		""")
	void invalidFilesAreRefusedWithAPreciseMessage(String name, String json, String message) {
		assertThatThrownBy(() -> parse(json)).isInstanceOf(ConfigException.class).hasMessage(message);
	}

	@Test
	void syntaxErrorsNameLineAndColumn() {
		String json = "{\n  \"service\": {\n    \"monitor_interval\": 10\n    \"command_timeout\": 30\n  }\n}\n";
		assertThatThrownBy(() -> parse(json)).hasMessageStartingWith("/etc/cc-container-mng.conf: malformed JSON at line 4, column 5:");
	}

	@Test
	void logLevelNamesAreAcceptedInAnyCase() throws Exception {
		for (String name : List.of("debug", "Info", "WARN", "warning", "error", "CRITICAL")) {
			assertThat(parse("{\"logging\": {\"level\": \"" + name + "\"}}").config().logging().level()).isNotNull();
		}
	}

	@Test
	void remoteManagementIsOffByDefaultAndReadWhole() throws Exception {
		assertThat(parse("{}").config().remote().enabled()).isFalse();
		RemoteSettings r = DaemonConfigParser.parse(Path.of("/opt/cc/d.conf"), """
			{"remote": {"enabled": true, "broker": "ssl://broker.example:8883", "client_id": "dev-7", "username": "dev",
			            "password_file": "pw", "ca_file": "/opt/cc/ca.pem", "cert_file": "c.pem", "key_file": "c.key",
			            "keep_alive": 30, "topic_prefix": "acme/fleet", "buffer_size": 65536, "labels": ["site=lab"],
			            "reconnect_max_delay": 300}}
			""".getBytes(StandardCharsets.UTF_8)).config().remote();
		assertThat(r.enabled()).isTrue();
		assertThat(r.tls()).isTrue();
		assertThat(r.clientId()).isEqualTo("dev-7");
		assertThat(r.passwordFile()).isEqualTo(Path.of("/opt/cc/pw"));
		assertThat(r.certFile()).isEqualTo(Path.of("/opt/cc/c.pem"));
		assertThat(r.keepAliveSeconds()).isEqualTo(30);
		assertThat(r.topicPrefix()).isEqualTo("acme/fleet");
		assertThat(r.bufferBytes()).isEqualTo(65536);
		assertThat(r.labels()).containsExactly("site=lab");
		assertThat(r.reconnectMaxSeconds()).isEqualTo(300);
		assertThat(parse("{\"remote\": {}}").config().remote().reconnectMaxSeconds()).isEqualTo(60);
	}

	@Test
	void aBadRemoteSectionIsRefusedWithOneSentence() {
		assertThatThrownBy(() -> parse("{\"remote\": {\"broker\": \"http://x:1883\"}}")).isInstanceOf(ConfigException.class)
			.hasMessageContaining("remote.broker").hasMessageContaining("must be a URI such as tcp://host:1883 or ssl://host:8883");
		assertThatThrownBy(() -> parse("{\"remote\": {\"broker\": \"ssl://x:8883\", \"cert_file\": \"/c.pem\"}}"))
			.hasMessageContaining("remote.cert_file").hasMessageContaining("must be given with key_file");
		assertThatThrownBy(() -> parse("{\"remote\": {\"ca_file\": \"/ca.pem\"}}")).hasMessageContaining("is for a TLS broker (ssl://)");
		assertThatThrownBy(() -> parse("{\"remote\": {\"client_id\": \"a/b\"}}")).hasMessageContaining("remote.client_id");
		assertThatThrownBy(() -> parse("{\"remote\": {\"topic_prefix\": \"a/#\"}}")).hasMessageContaining("remote.topic_prefix");
		assertThatThrownBy(() -> parse("{\"remote\": {\"buffer_size\": 10}}")).hasMessageContaining("remote.buffer_size");
		assertThatThrownBy(() -> parse("{\"remote\": {\"reconnect_max_delay\": 0}}")).hasMessageContaining("remote.reconnect_max_delay");
	}
}
