package cc.container.util.trust;

import cc.container.api.config.SecuritySettings.Profile;
import cc.container.util.ShellWords;
import cc.container.util.tar.TarEntry;
import cc.container.util.tar.TarPaths;
import cc.container.util.tar.TarReader;
import cc.container.util.tar.UnsafeArchiveException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.zip.GZIPInputStream;

/**
 * What a package asks of the host, and whether the device's policy lets it (docs/security.md): the options of a Podman
 * package's {@code create_args} and the keys of an LXC bundle's {@code config}, each sorted into a {@link Rule}, and the
 * rules each {@link Profile} allows. The device's configuration decides the profile, by whether the package carries a
 * trusted signature; never the package.
 */
public final class PrivilegePolicy {
	private PrivilegePolicy() {
	}

	/** What a package may ask of the host, rule by rule. */
	public enum Rule {
		PRIVILEGED("privileged mode", Profile.DEFAULT),
		HOST_NETWORK("the host's network", Profile.DEFAULT),
		CAPABILITIES("added capabilities", Profile.DEFAULT),
		DEVICES("host devices", Profile.DEFAULT),
		UNCONFINED("an unconfined security profile", Profile.DEFAULT),
		HOST_NAMESPACES("a host namespace", Profile.PRIVILEGED),
		HOST_PATHS("a host path", Profile.PRIVILEGED),
		HOOKS("a hook that runs on the host", Profile.PRIVILEGED),
		INCLUDES("a file read from the host", Profile.PRIVILEGED);

		/** What it is, in words. */
		public final String what;
		/** The least profile that allows it. */
		public final Profile from;

		Rule(String what, Profile from) {
			this.what = what;
			this.from = from;
		}
	}

	/**
	 * One thing a package asks for.
	 *
	 * @param rule the rule it falls under
	 * @param option the option or key as the package wrote it ({@code --pid host}, {@code lxc.hook.pre-start})
	 * @param hostPath the host path it names, for {@link Rule#HOST_PATHS}; else null
	 */
	public record Ask(Rule rule, String option, String hostPath) {
	}

	/** The options of Podman's {@code create} that take a value (so that the value is not read as an option). */
	private static final Set<String> PODMAN_VALUED = Set.of("--network", "--net", "--pid", "--ipc", "--uts", "--userns", "--cgroupns", "--cap-add",
		"--cap-drop", "--device", "--device-cgroup-rule", "-v", "--volume", "--mount", "--security-opt", "--env-file", "--rootfs", "--init-path",
		"-e", "--env", "-l", "--label", "--name", "-p", "--publish", "-u", "--user", "-w", "--workdir", "--entrypoint", "-h", "--hostname",
		"--restart", "--memory", "-m", "--cpus", "--log-driver", "--log-opt", "--tmpfs", "--add-host", "--dns", "--stop-signal", "--stop-timeout",
		"--shm-size", "--ulimit", "--sysctl", "--group-add", "--annotation", "--pull", "--health-cmd", "--health-interval", "--health-retries",
		"--health-timeout", "--health-start-period", "--pod", "--platform", "--arch", "--os", "--ip", "--mac-address", "--cgroup-parent");
	private static final Set<String> NAMESPACE_OPTIONS = Set.of("--pid", "--ipc", "--uts", "--userns", "--cgroupns");
	private static final Set<String> UNCONFINED_OPTIONS = Set.of("seccomp=unconfined", "apparmor=unconfined", "label=disable",
		"systempaths=unconfined", "unmask=all");

	/** What the {@code create_args} of a Podman package ask of the host. */
	public static List<Ask> podman(String createArgs) {
		List<String> words = ShellWords.split(createArgs == null ? "" : createArgs);
		List<Ask> out = new ArrayList<>();
		for (int i = 0; i < words.size(); i++) {
			String w = words.get(i);
			String name = w;
			String value = null;
			int eq = w.indexOf('=');
			if (w.startsWith("--") && eq > 0) {
				name = w.substring(0, eq);
				value = w.substring(eq + 1);
			} else if (PODMAN_VALUED.contains(w) && i + 1 < words.size()) {
				value = words.get(++i);
			}
			String shown = value == null ? name : name + " " + value;
			String v = value == null ? "" : value.toLowerCase(Locale.ROOT);
			switch (name) {
				case "--privileged":
					if (!v.equals("false")) {
						out.add(new Ask(Rule.PRIVILEGED, shown, null));
					}
					break;
				case "--network":
				case "--net":
					if (v.equals("host")) {
						out.add(new Ask(Rule.HOST_NETWORK, shown, null));
					} else if (v.startsWith("ns:") || v.startsWith("container:")) {
						out.add(new Ask(Rule.HOST_NAMESPACES, shown, null));
					}
					break;
				case "--cap-add":
					out.add(new Ask(Rule.CAPABILITIES, shown, null));
					break;
				case "--device":
				case "--device-cgroup-rule":
					out.add(new Ask(Rule.DEVICES, shown, null));
					break;
				case "-v":
				case "--volume": {
					String source = value == null ? "" : value.split(":", 2)[0];
					if (source.startsWith("/") || source.startsWith(".")) {
						out.add(new Ask(Rule.HOST_PATHS, shown, source));
					}
					break;
				}
				case "--mount": {
					String source = mountSource(value == null ? "" : value);
					if (source != null) {
						out.add(new Ask(Rule.HOST_PATHS, shown, source));
					}
					break;
				}
				case "--security-opt": {
					String opt = v.replaceFirst(":", "="); // the older seccomp:unconfined spelling too
					if (UNCONFINED_OPTIONS.contains(opt) || opt.startsWith("label=type")) {
						out.add(new Ask(Rule.UNCONFINED, shown, null));
					}
					break;
				}
				case "--env-file":
				case "--rootfs":
				case "--init-path":
					out.add(new Ask(Rule.HOST_PATHS, shown, value));
					break;
				default:
					if (NAMESPACE_OPTIONS.contains(name) && (v.equals("host") || v.startsWith("ns:") || v.startsWith("container:"))) {
						out.add(new Ask(Rule.HOST_NAMESPACES, shown, null));
					}
					break;
			}
		}
		return out;
	}

	/** The host source of a {@code --mount} of type bind (or of no type, which is a volume), or null. */
	private static String mountSource(String spec) {
		String type = "volume";
		String source = null;
		for (String part : spec.split(",")) {
			int eq = part.indexOf('=');
			String k = eq < 0 ? part : part.substring(0, eq);
			String v = eq < 0 ? "" : part.substring(eq + 1);
			if (k.equals("type")) {
				type = v;
			} else if (k.equals("source") || k.equals("src")) {
				source = v;
			}
		}
		if (type.equals("bind") || type.equals("glob")) {
			return source == null ? "" : source;
		}
		return type.equals("devpts") || type.equals("tmpfs") || type.equals("ramfs") || type.equals("volume") || type.equals("image") ? null
			: source;
	}

	/** What the config of an LXC bundle asks of the host. */
	public static List<Ask> lxc(String config) {
		List<Ask> out = new ArrayList<>();
		for (String raw : config.split("\n")) {
			String line = raw.strip();
			int eq = line.indexOf('=');
			if (line.startsWith("#") || eq < 0) {
				continue;
			}
			String key = line.substring(0, eq).strip();
			String value = line.substring(eq + 1).strip();
			String shown = key + " = " + value;
			if (key.startsWith("lxc.hook.") && !key.equals("lxc.hook.version")) {
				out.add(new Ask(Rule.HOOKS, shown, null));
			} else if (key.equals("lxc.include") || key.equals("lxc.mount.fstab")) {
				out.add(new Ask(Rule.INCLUDES, shown, null));
			} else if (key.equals("lxc.mount.entry")) {
				String[] f = value.split("\\s+");
				String source = f[0];
				boolean bind = f.length >= 4 && (f[3].contains("bind") || f[2].equals("none"));
				if (source.startsWith("/dev/") || source.equals("/dev")) {
					out.add(new Ask(Rule.DEVICES, shown, null));
				} else if (source.startsWith("/") && bind) {
					out.add(new Ask(Rule.HOST_PATHS, shown, source));
				}
			} else if (key.equals("lxc.mount.auto")) {
				for (String opt : value.split("\\s+")) {
					if (opt.equals("proc:rw") || opt.equals("sys:rw") || opt.equals("cgroup:rw") || opt.equals("cgroup-full:rw")) {
						out.add(new Ask(Rule.PRIVILEGED, key + " = " + opt, null));
					}
				}
			} else if (key.equals("lxc.cgroup.devices.allow") || key.equals("lxc.cgroup2.devices.allow")) {
				out.add(new Ask(Rule.DEVICES, shown, null));
			} else if (key.equals("lxc.apparmor.profile") && value.equals("unconfined")
				|| key.equals("lxc.seccomp.profile") && value.isEmpty()) {
				out.add(new Ask(Rule.UNCONFINED, shown, null));
			} else if (key.equals("lxc.namespace.keep") || key.startsWith("lxc.namespace.share.")) {
				boolean netOnly = key.equals("lxc.namespace.keep") && value.equals("net") || key.equals("lxc.namespace.share.net");
				out.add(new Ask(netOnly ? Rule.HOST_NETWORK : Rule.HOST_NAMESPACES, shown, null));
			} else if (key.matches("lxc\\.net\\.\\d+\\.type")) {
				if (value.equals("none")) {
					out.add(new Ask(Rule.HOST_NETWORK, shown, null));
				} else if (value.equals("phys")) {
					out.add(new Ask(Rule.DEVICES, shown, null));
				}
			} else if (key.equals("lxc.cap.keep")) {
				out.add(new Ask(Rule.CAPABILITIES, shown, null));
			}
		}
		return out;
	}

	/**
	 * The first thing of {@code asks} that {@code profile} does not allow, in one sentence, or null when it allows them
	 * all. A host path under one of {@code hostPaths} is allowed under any profile.
	 *
	 * @param whose what the profile is for, as the configuration names it ({@code unsigned_packages})
	 */
	public static String refusal(List<Ask> asks, Profile profile, String whose, List<Path> hostPaths) {
		for (Ask a : asks) {
			if (profile.compareTo(a.rule().from) >= 0) {
				continue;
			}
			if (a.rule() == Rule.HOST_PATHS && under(a.hostPath(), hostPaths)) {
				continue;
			}
			return "it asks for " + a.rule().what + " (" + a.option() + "), which the \"" + profile.json() + "\" profile of security." + whose
				+ " refuses";
		}
		return null;
	}

	private static boolean under(String hostPath, List<Path> allowed) {
		if (hostPath == null || !hostPath.startsWith("/")) {
			return false;
		}
		Path p = Path.of(hostPath).normalize();
		if (hostPath.contains("..")) {
			return false; // a path that climbs is not taken at its word
		}
		for (Path a : allowed) {
			if (p.startsWith(a)) {
				return true;
			}
		}
		return false;
	}

	/** The most of an LXC config read. */
	static final int MAX_CONFIG = 1 << 20;

	/**
	 * The config of an LXC bundle ({@code config} at its top, or in its one top-level folder), read from the bundle's
	 * archive without unpacking it; null when it has none there (the driver refuses such a bundle).
	 */
	public static String lxcConfig(Path bundle) throws IOException {
		String top = null;
		String inFolder = null;
		int folders = 0;
		try (InputStream in = new GZIPInputStream(Files.newInputStream(bundle), 65536); TarReader tar = new TarReader(in)) {
			TarEntry e;
			while ((e = tar.next()) != null) {
				String name;
				try {
					name = TarPaths.normalize(e.name());
				} catch (UnsafeArchiveException x) {
					return null; // the driver refuses it with its reason
				}
				if (e.type() != TarEntry.Type.FILE) {
					continue;
				}
				if (name.equals("config")) {
					top = read(tar, e);
				} else if (name.endsWith("/config") && name.indexOf('/') == name.length() - "/config".length()) {
					folders++;
					inFolder = read(tar, e);
				}
			}
		}
		return top != null ? top : folders == 1 ? inFolder : null;
	}

	private static String read(TarReader tar, TarEntry e) throws IOException {
		if (e.size() > MAX_CONFIG) {
			throw new IOException("its config is larger than " + (MAX_CONFIG >> 10) + " KiB");
		}
		return new String(tar.content().readNBytes((int) e.size()), StandardCharsets.UTF_8);
	}
}
