package cc.container.supervisor.internal;

import java.nio.file.Path;
import java.util.Map;

/** The host of a supervisor under test: no framework property, version 1, the boot id file and environment given. */
record TestHost(Path bootIdFile, Map<String, String> env) implements SupervisorImpl.Host {
	@Override
	public String property(String name) {
		return null;
	}

	@Override
	public String version() {
		return "1";
	}

	@Override
	public String environment(String name) {
		return env.get(name);
	}
}
