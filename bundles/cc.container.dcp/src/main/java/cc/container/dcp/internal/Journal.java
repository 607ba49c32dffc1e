package cc.container.dcp.internal;

import cc.container.api.config.ContainerConfig;
import cc.container.util.AtomicFiles;
import cc.container.util.json.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What an installation or update is doing, written to {@code staging/<id>.journal} before the runtime is touched and
 * deleted once the containers configuration says what is installed: a journal found at start-up is an operation a
 * crash cut short, finished or undone by {@link InstallerImpl#recover}.
 *
 * @param op {@link Op#INSTALL} or {@link Op#UPDATE}
 * @param id the container's id
 * @param runtime its runtime
 * @param previous for an update, what the entry held before it that the update changes (version, create_args, the
 *        package's id, whether it had a drm block and a health check); null for an installation
 * @param wasRunning for an update, whether the previous version ran
 */
record Journal(Op op, String id, String runtime, Previous previous, boolean wasRunning) {
	/** The largest journal read (one is a few hundred bytes). */
	static final int MAX_SIZE = 64 << 10;

	/** What a journal records. */
	enum Op {
		INSTALL, UPDATE
	}

	/**
	 * The fields of the entry an update changes, as they were before it.
	 *
	 * @param versionOnly whether only the version is known (a journal of an earlier release)
	 */
	record Previous(String version, String createArgs, String packageId, boolean hadDrm, boolean hadHealth, boolean versionOnly) {
		static Previous of(ContainerConfig c) {
			return new Previous(c.version(), c.createArgs(), c.packageId(), c.drm() != null, c.health() != null, false);
		}

		/** {@code now} (the entry as the file holds it) with these fields put back. */
		ContainerConfig restore(ContainerConfig now) {
			if (versionOnly) {
				return new ContainerConfig(now.id(), now.friendlyName(), version, now.runtime(), now.createArgs(), now.autostart(), now.monitor(),
					now.restart(), now.drm(), now.packageId(), now.health(), now.forwardLogs());
			}
			return new ContainerConfig(now.id(), now.friendlyName(), version, now.runtime(), createArgs, now.autostart(), now.monitor(),
				now.restart(), hadDrm ? now.drm() : null, packageId, hadHealth ? now.health() : null, now.forwardLogs());
		}
	}

	static Journal install(String id, String runtime) {
		return new Journal(Op.INSTALL, id, runtime, null, false);
	}

	static Journal update(ContainerConfig old, boolean wasRunning) {
		return new Journal(Op.UPDATE, old.id(), old.runtime(), Previous.of(old), wasRunning);
	}

	static Path file(Path staging, String id) {
		return staging.resolve(id + ".journal");
	}

	/** Writes it atomically (a crash leaves the whole journal or none). */
	void write(Path staging) throws IOException {
		Map<String, Object> m = new LinkedHashMap<>();
		m.put("op", op.name().toLowerCase(java.util.Locale.ROOT));
		m.put("id", id);
		m.put("runtime", runtime);
		if (previous != null) {
			Map<String, Object> p = new LinkedHashMap<>();
			p.put("version", previous.version());
			p.put("create_args", previous.createArgs());
			p.put("package_id", previous.packageId());
			p.put("had_drm", previous.hadDrm());
			p.put("had_health", previous.hadHealth());
			m.put("previous", p);
			m.put("was_running", wasRunning);
		}
		AtomicFiles.write(file(staging, id), Json.write(m));
	}

	/**
	 * Reads a journal file.
	 *
	 * @throws IOException when it cannot be read or is not a journal (it is then of no use to anyone)
	 */
	static Journal read(Path file) throws IOException {
		Object tree;
		try {
			tree = Json.parse(file, MAX_SIZE);
		} catch (Json.SyntaxException e) {
			throw new IOException(file + " is not a journal: " + e.getMessage(), e);
		}
		if (!(tree instanceof Map<?, ?> m) || !(m.get("id") instanceof String id) || !(m.get("runtime") instanceof String runtime)
			|| !(m.get("op") instanceof String op) || !ContainerConfig.ID.matcher(id).matches()) {
			throw new IOException(file + " is not a journal");
		}
		if ("install".equals(op)) {
			return install(id, runtime);
		}
		if (!"update".equals(op)) {
			throw new IOException(file + " is not a journal (op " + op + ")");
		}
		Previous previous = null;
		if (m.get("previous") instanceof Map<?, ?> p && p.get("version") instanceof String v) {
			previous = new Previous(v, p.get("create_args") instanceof String a ? a : "", p.get("package_id") instanceof String pid ? pid : null,
				Boolean.TRUE.equals(p.get("had_drm")), Boolean.TRUE.equals(p.get("had_health")), false);
		} else if (m.get("old_version") instanceof String v) {
			previous = new Previous(v, null, null, true, true, true); // a journal of an earlier release: the version only
		}
		return new Journal(Op.UPDATE, id, runtime, previous, Boolean.TRUE.equals(m.get("was_running")));
	}
}
