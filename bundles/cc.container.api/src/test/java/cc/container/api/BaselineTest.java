package cc.container.api;

import static org.assertj.core.api.Assertions.assertThat;

import aQute.bnd.differ.Baseline;
import aQute.bnd.differ.DiffPluginImpl;
import aQute.bnd.osgi.Jar;
import aQute.bnd.osgi.Processor;
import java.io.File;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * The baselining of the API against the committed jar of the last release (baseline/), with bnd's own differ, as the
 * build's bnd-baseline-maven-plugin does: what it accepts and that it catches an incompatible change.
 */
class BaselineTest {
	static final File BASELINE = new File("baseline/cc.container.api-1.0.0.jar");

	/** The packages whose version does not allow the change, with the version bnd suggests. */
	static Map<String, String> mismatches(Jar newer, Jar older) throws Exception {
		try (Processor reporter = new Processor()) {
			Set<Baseline.Info> infos = new Baseline(reporter, new DiffPluginImpl()).baseline(newer, older, null);
			Map<String, String> out = new TreeMap<>();
			for (Baseline.Info i : infos) {
				if (i.mismatch) {
					out.put(i.packageName, i.newerVersion + " (suggested " + i.suggestedVersion + ")");
				}
			}
			return out;
		}
	}

	@Test
	void theApiAsBuiltIsCompatibleWithTheBaseline() throws Exception {
		try (Jar older = new Jar(BASELINE); Jar newer = new Jar(new File("target/classes"))) {
			assertThat(mismatches(newer, older)).isEmpty();
		}
	}

	@Test
	void removingATypeWithoutAMajorVersionIsCaught() throws Exception {
		try (Jar older = new Jar(BASELINE); Jar newer = new Jar(BASELINE)) {
			newer.remove("cc/container/api/runtime/ContainerEvent.class");
			assertThat(mismatches(newer, older)).containsOnlyKeys("cc.container.api.runtime")
				.hasEntrySatisfying("cc.container.api.runtime", v -> assertThat(v).contains("suggested 2.0.0"));
		}
	}
}
