package cc.container.util;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LinesTest {
	@Test
	void splitsOnNewlinesAndDropsATerminalsCarriageReturn() throws Exception {
		List<String> out = new ArrayList<>();
		Lines.split(new ByteArrayInputStream("a\r\nb\n\nlast".getBytes(StandardCharsets.UTF_8)), out::add);
		assertThat(out).containsExactly("a", "b", "", "last");
	}

	@Test
	void aLineWithoutEndIsCutAtItsBoundAndTheRestDropped() throws Exception {
		List<String> out = new ArrayList<>();
		byte[] huge = ("x".repeat(3 * Lines.MAX_LINE) + "\nnext\n").getBytes(StandardCharsets.UTF_8);
		Lines.split(new ByteArrayInputStream(huge), out::add);
		assertThat(out).hasSize(2);
		assertThat(out.get(0)).hasSize(Lines.MAX_LINE + Lines.CUT.length()).endsWith(Lines.CUT);
		assertThat(out.get(1)).isEqualTo("next");
	}

	@Test
	void bytesFedInPiecesMakeTheSameLines() {
		List<String> out = new ArrayList<>();
		Lines l = new Lines(out::add);
		byte[] b = "one\ntw".getBytes(StandardCharsets.UTF_8);
		l.feed(b, 0, b.length);
		assertThat(l.pending()).isTrue();
		b = "o\n".getBytes(StandardCharsets.UTF_8);
		l.feed(b, 0, b.length);
		l.flush();
		assertThat(out).containsExactly("one", "two");
	}
}
