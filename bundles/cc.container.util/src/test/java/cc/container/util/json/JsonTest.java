package cc.container.util.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonTest {
	@Test
	void roundTripKeepsOrderAndTypes() throws Exception {
		String src = "{\"b\":1,\"a\":[true,null,\"x\",2.50,12345678901234567890],\"c\":{}}";
		Object tree = Json.parse(src.getBytes(StandardCharsets.UTF_8));
		assertThat(String.join(",", ((Map<String, ?>) tree).keySet())).isEqualTo("b,a,c");
		assertThat(Json.writeCompact(tree)).isEqualTo(src);
		assertThat(Json.parse(Json.write(tree))).isEqualTo(tree);
	}

	@Test
	void duplicateKeysAreSyntaxErrors() {
		assertThatThrownBy(() -> Json.parse("{\"a\":1,\n\"a\":2}".getBytes(StandardCharsets.UTF_8)))
			.isInstanceOf(Json.SyntaxException.class).hasMessageContaining("line 2").hasMessageContaining("Duplicate field 'a'");
	}

	@Test
	void integersBecomeLongs() throws Exception {
		assertThat(Json.parse("[1, -2]".getBytes(StandardCharsets.UTF_8))).isEqualTo(List.of(1L, -2L));
	}

	@Test
	void hostileDocumentsAreRefusedCheaply() {
		// 1e999999999 is eleven characters, but a billion digits once written out: refused as it is read.
		assertThatThrownBy(() -> Json.parse("{\"version\": 1e999999999}".getBytes(StandardCharsets.UTF_8)))
			.isInstanceOf(Json.SyntaxException.class).hasMessageContaining("the number 1e999999999 is out of range");
		assertThatThrownBy(() -> Json.parse("[1e-999999999]".getBytes(StandardCharsets.UTF_8))).hasMessageContaining("out of range");
		assertThatThrownBy(() -> Json.parse(("[" + "9".repeat(100) + "]").getBytes(StandardCharsets.UTF_8)))
			.hasMessageContaining("a number is longer than 64 characters");
		assertThatThrownBy(() -> Json.parse(("[".repeat(100) + "]".repeat(100)).getBytes(StandardCharsets.UTF_8)))
			.hasMessageContaining("nest deeper than 32 levels");
	}

	@Test
	void ordinaryNumbersStayWhatTheyAre() throws Exception {
		assertThat(Json.parse("[0.5, 1e3, 123456789.25]".getBytes(StandardCharsets.UTF_8)).toString()).isEqualTo("[0.5, 1E+3, 123456789.25]");
	}
}
