package cc.container.config.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import cc.container.api.config.ConfigException;
import cc.container.api.config.ContainerConfig;
import cc.container.api.config.RestartPolicy;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ContainersParserTest {
	static final String FILE = "/w/cc-containers.conf";

	/** The example of SPEC section 4, unchanged. */
	static final String SPEC_EXAMPLE = """
		{ "containers": [ {
		    "id": "lvgl-demo", "friendly_name": "LVGL Demo", "version": 1, "runtime": "podman",
		    "create_args": "--privileged --network host --tty",
		    "autostart": false, "monitor": true,
		    "restart": { "enabled": true, "max_retries": 3, "retry_delay": 3, "window": 60 } } ] }
		""";

	static ContainersParser.Result parse(String json) throws ConfigException {
		return ContainersParser.parse(FILE, json.getBytes(StandardCharsets.UTF_8));
	}

	@Test
	void specExampleLoadsUnchanged() throws Exception {
		ContainersParser.Result r = parse(SPEC_EXAMPLE);
		assertThat(r.warnings()).isEmpty();
		assertThat(r.containers()).containsExactly(new ContainerConfig("lvgl-demo", "LVGL Demo", "1", "podman",
			"--privileged --network host --tty", false, true, new RestartPolicy(true, 3, 3, 60)));
	}

	@Test
	void defaultsAreFilled() throws Exception {
		ContainerConfig c = parse("{\"containers\": [{\"id\": \"a\", \"runtime\": \"lxc\"}]}").containers().get(0);
		assertThat(c.friendlyName()).isNull();
		assertThat(c.displayName()).isEqualTo("a");
		assertThat(c.version()).isNull();
		assertThat(c.createArgs()).isEmpty();
		assertThat(c.autostart()).isFalse();
		assertThat(c.monitor()).isTrue();
		assertThat(c.restart()).isEqualTo(RestartPolicy.DEFAULT);
	}

	@Test
	void missingContainersListMeansNone() throws Exception {
		assertThat(parse("{}").containers()).isEmpty();
	}

	@Test
	void versionIsKeptAsGiven() throws Exception {
		ContainersParser.Result r = parse("{\"containers\": [{\"id\": \"a\", \"runtime\": \"lxc\", \"version\": \"1.2.0-rc1\"},"
			+ "{\"id\": \"b\", \"runtime\": \"lxc\", \"version\": 2.10}]}");
		assertThat(r.containers()).extracting(ContainerConfig::version).containsExactly("1.2.0-rc1", "2.10");
	}

	@Test
	void daemonFieldsAreKeptWithoutWarningButUnknownOnesAreWarned() throws Exception {
		ContainersParser.Result r = parse(
			"{\"containers\": [{\"id\": \"a\", \"runtime\": \"podman\", \"image\": \"cc/a:1\", \"digest\": \"sha256:00\", \"colour\": 1}]}");
		assertThat(r.warnings()).containsExactly("/w/cc-containers.conf: containers[0].colour: unknown field, ignored");
	}

	@ParameterizedTest(name = "{0}")
	@CsvSource(delimiter = '|', textBlock = """
		malformed JSON          | '{"containers": [ {"id": "a" "runtime": "lxc"} ]}'                                   | /w/cc-containers.conf: malformed JSON at line 1, column 29: Unexpected character ('"' (char 34)): was expecting comma to separate Object entries
		containers not a list   | '{"containers": {}}'                                                                | /w/cc-containers.conf: containers: must be an array, got an object
		entry not an object     | '{"containers": ["a"]}'                                                             | /w/cc-containers.conf: containers[0]: must be a JSON object, got the string "a"
		id missing              | '{"containers": [{"runtime": "lxc"}]}'                                              | /w/cc-containers.conf: containers[0].id: is required
		id a number             | '{"containers": [{"id": 5, "runtime": "lxc"}]}'                                     | /w/cc-containers.conf: containers[0].id: must be a string, got 5
		id with slash           | '{"containers": [{"id": "../etc", "runtime": "lxc"}]}'                              | /w/cc-containers.conf: containers[0].id: "../etc" is not a valid id: use 1 to 64 letters, digits, '_', '.' or '-', starting with a letter or digit
		id with space           | '{"containers": [{"id": "my app", "runtime": "lxc"}]}'                              | /w/cc-containers.conf: containers[0].id: "my app" is not a valid id: use 1 to 64 letters, digits, '_', '.' or '-', starting with a letter or digit
		id too long             | '{"containers": [{"id": "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "runtime": "lxc"}]}' | /w/cc-containers.conf: containers[0].id: "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" is not a valid id: use 1 to 64 letters, digits, '_', '.' or '-', starting with a letter or digit
		id starts with dot      | '{"containers": [{"id": ".hidden", "runtime": "lxc"}]}'                             | /w/cc-containers.conf: containers[0].id: ".hidden" is not a valid id: use 1 to 64 letters, digits, '_', '.' or '-', starting with a letter or digit
		duplicate id            | '{"containers": [{"id": "a", "runtime": "lxc"}, {"id": "a", "runtime": "podman"}]}' | /w/cc-containers.conf: containers[1].id: duplicate id "a" (also at containers[0])
		runtime missing         | '{"containers": [{"id": "a"}]}'                                                     | /w/cc-containers.conf: containers[0].runtime: is required (lxc or podman)
		unknown runtime         | '{"containers": [{"id": "a", "runtime": "docker"}]}'                                | /w/cc-containers.conf: containers[0].runtime: must be lxc or podman, got "docker"
		create_args on lxc      | '{"containers": [{"id": "a", "runtime": "lxc", "create_args": "--tty"}]}'           | /w/cc-containers.conf: containers[0].create_args: is for podman containers only; an lxc container takes its settings from its config file
		create_args a list      | '{"containers": [{"id": "a", "runtime": "podman", "create_args": ["--tty"]}]}'      | /w/cc-containers.conf: containers[0].create_args: must be a string, got an array
		version a boolean       | '{"containers": [{"id": "a", "runtime": "lxc", "version": true}]}'                  | /w/cc-containers.conf: containers[0].version: must be a number or a string, got true
		autostart a string      | '{"containers": [{"id": "a", "runtime": "lxc", "autostart": "yes"}]}'               | /w/cc-containers.conf: containers[0].autostart: must be true or false, got the string "yes"
		monitor a number        | '{"containers": [{"id": "a", "runtime": "lxc", "monitor": 1}]}'                     | /w/cc-containers.conf: containers[0].monitor: must be true or false, got 1
		restart not an object   | '{"containers": [{"id": "a", "runtime": "lxc", "restart": true}]}'                  | /w/cc-containers.conf: containers[0].restart: must be a JSON object, got true
		negative retries        | '{"containers": [{"id": "a", "runtime": "lxc", "restart": {"max_retries": -1}}]}'   | /w/cc-containers.conf: containers[0].restart.max_retries: must be a whole number from 0 to 1000000, got -1
		negative delay          | '{"containers": [{"id": "a", "runtime": "lxc", "restart": {"retry_delay": -3}}]}'   | /w/cc-containers.conf: containers[0].restart.retry_delay: must be a whole number from 0 to 86400, got -3
		zero window             | '{"containers": [{"id": "a", "runtime": "lxc", "restart": {"window": 0}}]}'         | /w/cc-containers.conf: containers[0].restart.window: must be a whole number from 1 to 604800, got 0
		window a string         | '{"containers": [{"id": "a", "runtime": "lxc", "restart": {"window": "60"}}]}'     | /w/cc-containers.conf: containers[0].restart.window: must be a whole number, got the string "60"
		enabled a number        | '{"containers": [{"id": "a", "runtime": "lxc", "restart": {"enabled": 1}}]}'       | /w/cc-containers.conf: containers[0].restart.enabled: must be true or false, got 1
		second entry is wrong   | '{"containers": [{"id": "a", "runtime": "lxc"}, {"id": "b", "runtime": "lxc", "monitor": null, "autostart": 3}]}' | /w/cc-containers.conf: containers[1].autostart: must be true or false, got 3
		""")
	void invalidFilesAreRefusedWithAPreciseMessage(String name, String json, String message) {
		assertThatThrownBy(() -> parse(json)).isInstanceOf(ConfigException.class).hasMessage(message);
	}
}
