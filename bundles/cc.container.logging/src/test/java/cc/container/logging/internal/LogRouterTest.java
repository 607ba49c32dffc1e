package cc.container.logging.internal;

import static org.assertj.core.api.Assertions.assertThat;

import cc.container.api.config.LogLevel;
import org.junit.jupiter.api.Test;

class LogRouterTest {
	@Test
	void levelsMapBothWays() {
		for (LogLevel l : LogLevel.values()) {
			org.osgi.service.log.LogLevel osgi = LogRouter.toOsgi(l);
			assertThat(osgi).isNotNull();
		}
		assertThat(LogRouter.toOsgi(LogLevel.WARNING)).isEqualTo(org.osgi.service.log.LogLevel.WARN);
		assertThat(LogRouter.toOsgi(LogLevel.CRITICAL)).isEqualTo(org.osgi.service.log.LogLevel.AUDIT);
	}

	@Test
	void levelParsingAcceptsWarn() {
		assertThat(LogLevel.parse("WARN")).isEqualTo(LogLevel.WARNING);
		assertThat(LogLevel.parse("critical")).isEqualTo(LogLevel.CRITICAL);
		assertThat(LogLevel.ERROR.admits(LogLevel.CRITICAL)).isTrue();
		assertThat(LogLevel.ERROR.admits(LogLevel.WARNING)).isFalse();
	}
}
