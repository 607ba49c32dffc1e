package cc.container.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class OptionsTest {
	@Test
	void defaultsToTheSystemConfiguration() throws Exception {
		Options o = Options.parse(List.of());
		assertThat(o.configFile()).isEqualTo(Path.of("/etc/cc-container-mng.conf"));
		assertThat(o.shell()).isFalse();
	}

	@Test
	void takesConfigFileInBothSpellings() throws Exception {
		assertThat(Options.parse(List.of("--config-file", "/tmp/a.conf")).configFile()).isEqualTo(Path.of("/tmp/a.conf"));
		assertThat(Options.parse(List.of("--config-file=/tmp/b.conf", "--shell")).configFile()).isEqualTo(Path.of("/tmp/b.conf"));
	}

	@Test
	void takesStopManagedContainersAlone() throws Exception {
		assertThat(Options.parse(List.of("--stop-managed-containers")).stopManaged()).isTrue();
		assertThatThrownBy(() -> Options.parse(List.of("--shell", "--stop-managed-containers")))
			.hasMessage("--shell and --stop-managed-containers do not go together");
	}

	@Test
	void relativeConfigFileIsMadeAbsolute() throws Exception {
		assertThat(Options.parse(List.of("--config-file", "x.conf")).configFile()).isAbsolute();
	}

	@Test
	void refusesUnknownOptionsAndMissingValues() {
		assertThatThrownBy(() -> Options.parse(List.of("--verbose"))).hasMessage("unknown option \"--verbose\"");
		assertThatThrownBy(() -> Options.parse(List.of("--config-file"))).hasMessage("--config-file needs a path");
		assertThatThrownBy(() -> Options.parse(List.of("--config-file="))).hasMessage("--config-file needs a path");
	}

	@Test
	void unknownOptionExitsWithUsageStatus() {
		assertThat(Main.run(List.of("--nope"))).isEqualTo(Main.EXIT_USAGE);
	}
}
