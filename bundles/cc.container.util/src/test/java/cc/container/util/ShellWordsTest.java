package cc.container.util;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import cc.container.util.json.Json;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link ShellWords} against Python's {@code shlex.split}, the reference for POSIX word splitting. */
class ShellWordsTest {

	static final List<String> CORPUS = List.of(
		"", " ", "a", "a b", "  a   b  ", "a\tb\nc", "--privileged --network host --tty",
		"--entrypoint '[\"/usr/bin/docker-init\",\"/start.sh\"]'",
		"--entrypoint='[\"/usr/bin/docker-init\",\"/start.sh\"]' --tty",
		"'a b'", "\"a b\"", "'a'\"b\"c", "a'b c'd", "''", "\"\"", "a '' b", "a \"\" b",
		"\"a\\\"b\"", "\"a\\\\b\"", "\"a\\nb\"", "\"a\\$b\"", "\"a\\'b\"", "'a\\b'", "'a\\'", "a\\ b", "a\\\\b", "\\'a",
		"\\\"a", "a\\\"b\\\"", "-e FOO=bar -e \"BAZ=q u x\"", "-e 'X=it'\\''s'", "--label a=b --label \"c=d e\"",
		"-v /data:/data:ro -v '/my dir':/x", "--device /dev/ttyS0 --cap-add NET_ADMIN", "--env=PATH=$PATH",
		"\"$HOME\" '$HOME' $HOME", "a#b #c", "semi;colon", "pipe|x", "amp&x", "back`tick`", "star* ?q [x]",
		"~/tilde", "unicode é ü 漢字", "\"nested 'single' in double\"", "'nested \"double\" in single'",
		"--entrypoint '[\"/bin/sh\", \"-c\", \"echo hi; sleep 10\"]'", "a\\\nb", "tab\\\tx", "--name=x\\ y",
		"\"a\"\"b\"", "'a''b'", "-p 8080:80 -p 443:443/tcp", "--health-cmd 'curl -f http://localhost/ || exit 1'",
		"--ulimit nofile=1024:1024", "\"\\\\\"", "x\"y\"z'w'", "--sysctl net.ipv4.ip_forward=1",
		"--security-opt label=disable --pid=host");

	static final List<String> INVALID = List.of("'unclosed", "\"unclosed", "a 'b", "ends with\\", "\"ends\\");

	@Test
	void splitsLikePythonShlex(@TempDir Path dir) throws Exception {
		assertThat(CORPUS.size() + INVALID.size()).isGreaterThanOrEqualTo(50);
		List<Object> inputs = new ArrayList<>(CORPUS);
		inputs.addAll(INVALID);
		Path in = dir.resolve("in.json");
		Files.write(in, Json.write(inputs));
		String script = "import json,shlex,sys\n"
			+ "out=[]\n"
			+ "for s in json.load(open(sys.argv[1])):\n"
			+ "    try: out.append(shlex.split(s))\n"
			+ "    except ValueError as e: out.append(None)\n"
			+ "print(json.dumps(out))\n";
		Process p = new ProcessBuilder("python3", "-c", script, in.toString()).redirectErrorStream(true).start();
		byte[] output = p.getInputStream().readAllBytes();
		assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
		assertThat(p.exitValue()).as(new String(output, StandardCharsets.UTF_8)).isZero();
		List<?> expected = (List<?>) Json.parse(output);
		for (int i = 0; i < inputs.size(); i++) {
			String s = (String) inputs.get(i);
			Object want = expected.get(i);
			if (want == null) {
				assertThatThrownBy(() -> ShellWords.split(s)).as("«%s»", s).isInstanceOf(IllegalArgumentException.class);
			} else {
				assertThat(ShellWords.split(s)).as("«%s»", s).isEqualTo(want);
			}
		}
	}

	@Test
	void errorsSayWhatIsWrong() {
		assertThatThrownBy(() -> ShellWords.split("--entrypoint '[\"/x\"]")).hasMessage("no closing quotation: the ' at position 14 is not closed");
		assertThatThrownBy(() -> ShellWords.split("a\\")).hasMessage("no escaped character: the string ends with a backslash");
	}

	@Test
	void realFieldArgumentsKeepTheEntrypointInOneWord() {
		assertThat(ShellWords.split("--privileged --entrypoint '[\"/usr/bin/docker-init\",\"/start.sh\"]' --tty"))
			.containsExactly("--privileged", "--entrypoint", "[\"/usr/bin/docker-init\",\"/start.sh\"]", "--tty");
	}
}
