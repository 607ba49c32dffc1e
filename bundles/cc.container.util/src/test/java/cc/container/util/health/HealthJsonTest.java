package cc.container.util.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import cc.container.api.config.HealthCheck;
import cc.container.util.json.Json;
import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** The health block of the containers configuration and of a package's registration defaults. */
class HealthJsonTest {
	static Object tree(String json) throws Exception {
		return Json.parse(json.getBytes());
	}

	@Test
	void eachTypeWithItsDefaultsAndBack() throws Exception {
		HealthCheck http = HealthJson.parse(tree("{\"type\": \"http\", \"port\": 8080}"));
		assertThat(http).isEqualTo(new HealthCheck(HealthCheck.Type.HTTP, null, 8080, "/", Duration.ofSeconds(10), Duration.ofSeconds(5), 3,
			Duration.ZERO));
		HealthCheck cmd = HealthJson.parse(tree("{\"type\": \"command\", \"command\": \"pidof app\", \"interval\": 30, \"retries\": 5,"
			+ " \"start_period\": 60}"));
		assertThat(cmd.command()).isEqualTo("pidof app");
		assertThat(cmd.startPeriod()).isEqualTo(Duration.ofSeconds(60));
		for (HealthCheck h : new HealthCheck[] { http, cmd, HealthJson.parse(tree("{\"type\": \"tcp\", \"port\": 22}")),
			HealthJson.parse(tree("{\"type\": \"image\"}")) }) {
			assertThat(HealthJson.parse(HealthJson.json(h))).isEqualTo(h);
		}
	}

	@ParameterizedTest(name = "{0}")
	@CsvSource(delimiter = '|', textBlock = """
		[]                                                  | must be an object
		{}                                                  | .type must be command, tcp, http or image
		{"type": "ping"}                                    | .type must be command, tcp, http or image
		{"type": "command"}                                 | .command must be a shell command for a command check
		{"type": "tcp", "port": 0}                          | .port must be a port number from 1 to 65535 for a tcp check
		{"type": "http", "port": 80, "path": "no-slash"}    | .path must be a path starting with / and without spaces
		{"type": "tcp", "port": 80, "interval": 0}          | .interval must be a whole number of seconds from 1 to 86400
		{"type": "tcp", "port": 80, "retries": 0}           | .retries must be a whole number from 1 to 1000
		{"type": "tcp", "port": 80, "every": 3}             | .every is not a field of a health check
		{"type": "tcp", "port": 80, "interval": 2.5}        | .interval must be a whole number of seconds from 1 to 86400
		""")
	void whatIsWrongIsNamed(String json, String message) throws Exception {
		assertThatThrownBy(() -> HealthJson.parse(tree(json))).isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith(message);
	}

	@Test
	void wholeNumbersWrittenAsDecimalsAreWholeNumbers() throws Exception {
		// As everywhere in both files: 10.0 is 10 (a JSON writer with floating-point numbers writes it so).
		HealthCheck h = HealthJson.parse(tree("{\"type\": \"tcp\", \"port\": 8080.0, \"interval\": 10.0, \"retries\": 3.0}"));
		assertThat(h.port()).isEqualTo(8080);
		assertThat(h.interval()).isEqualTo(Duration.ofSeconds(10));
		assertThat(cc.container.util.drm.Drm.parse(tree("{\"enabled\": true, \"stats_sample_interval_s\": 30.0}")).sampleIntervalSeconds())
			.isEqualTo(30);
	}
}
