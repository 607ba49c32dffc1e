package cc.container.util;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TextTest {
	@Test
	void controlCharactersBecomeEscapesAndLongTextIsCut() {
		assertThat(Text.oneLine("a\nb\r\tc\u001b[31m", 100)).isEqualTo("a\\nb\\r\\tc\\x1b[31m");
		assertThat(Text.oneLine("x".repeat(50), 10)).isEqualTo("xxxxxxxxxx…");
		assertThat(Text.oneLine("short", 10)).isEqualTo("short");
		assertThat(Text.oneLine("\n".repeat(20), 10)).isEqualTo("\\n\\n\\n\\n\\n…");
	}
}
