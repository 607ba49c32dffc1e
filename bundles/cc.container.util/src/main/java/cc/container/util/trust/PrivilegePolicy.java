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
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
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
		INCLUDES("a file read from the host", Profile.PRIVILEGED),
		HOST_CONTROL("something of the host's that the runtime runs, reads or writes as root", Profile.PRIVILEGED);

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
		"--health-timeout", "--health-start-period", "--pod", "--platform", "--arch", "--os", "--ip", "--mac-address", "--cgroup-parent",
		"--cidfile", "--pidfile", "--conmon-pidfile", "--hooks-dir", "--runtime", "--runtime-flag", "--conmon", "--root", "--runroot", "--tmpdir",
		"--network-cmd-path", "--cni-config-dir", "--volumepath", "--storage-driver", "--storage-opt", "--cgroup-manager", "--events-backend",
		"--url", "--connection", "--identity", "--module", "--volumes-from", "--seccomp-policy", "--secret", "--requires", "--health-startup-cmd",
		"--variant", "--log-level", "--gidmap", "--uidmap", "--subuidname", "--subgidname", "--timeout", "--sdnotify", "--chrootdirs",
		"--cpu-profile", "--memory-profile", "--default-mounts-file", "--network-config-dir", "--imagestore", "--db-backend", "--registries-conf",
		"--network-backend", "--namespace", "--pull-option", "--label-file");
	/**
	 * Options that make Podman run, read or write something of the host's as root: its runtime, hooks, store and
	 * helpers, files it writes (pid and cid files), another container's mounts. Only the privileged profile allows them.
	 */
	private static final Set<String> HOST_CONTROL_OPTIONS = Set.of("--cidfile", "--pidfile", "--conmon-pidfile", "--hooks-dir", "--runtime",
		"--runtime-flag", "--conmon", "--root", "--runroot", "--tmpdir", "--network-cmd-path", "--cni-config-dir", "--volumepath", "--storage-driver",
		"--storage-opt", "--cgroup-manager", "--events-backend", "--url", "--connection", "--identity", "--module", "--volumes-from", "--chrootdirs",
		"--cpu-profile", "--memory-profile", "--default-mounts-file", "--network-config-dir", "--imagestore", "--db-backend", "--registries-conf",
		"--network-backend", "--namespace", "--transient-store", "--pull-option", "--replace");
	private static final Set<String> NAMESPACE_OPTIONS = Set.of("--pid", "--ipc", "--uts", "--userns", "--cgroupns");
	private static final Set<String> UNCONFINED_OPTIONS = Set.of("seccomp=unconfined", "apparmor=unconfined", "label=disable",
		"systempaths=unconfined", "unmask=all");

	/** One option of Podman's command line, its value or null. */
	private record Option(String name, String value) {
	}

	/**
	 * The options of {@code words} as Podman reads them: {@code --name=value} or {@code --name value}, and short ones
	 * alone ({@code -v value}), with their value attached ({@code -v/a:/b}, {@code -v=/a:/b}) or in a group
	 * ({@code -itv /a:/b}, whose last valued letter takes the rest of the word or the next word).
	 */
	private static List<Option> podmanOptions(List<String> words) {
		List<Option> out = new ArrayList<>();
		for (int i = 0; i < words.size(); i++) {
			String w = words.get(i);
			int eq = w.indexOf('=');
			if (w.startsWith("--")) {
				if (eq > 0) {
					out.add(new Option(w.substring(0, eq), w.substring(eq + 1)));
				} else {
					out.add(new Option(w, PODMAN_VALUED.contains(w) ? next(words, i) : null));
					i += PODMAN_VALUED.contains(w) && next(words, i) != null ? 1 : 0;
				}
			} else if (w.startsWith("-") && w.length() > 1) {
				for (int k = 1; k < w.length(); k++) {
					String name = "-" + w.charAt(k);
					if (!PODMAN_VALUED.contains(name)) {
						out.add(new Option(name, null));
						continue;
					}
					String rest = w.substring(k + 1);
					rest = rest.startsWith("=") ? rest.substring(1) : rest;
					String value = !rest.isEmpty() ? rest : next(words, i);
					i += rest.isEmpty() && value != null ? 1 : 0;
					out.add(new Option(name, value));
					break;
				}
			}
		}
		return out;
	}

	/**
	 * The word after {@code i} as an option's value, or null. A word that starts with {@code -} is read as an option of
	 * its own even where Podman would take it as the value: then the policy sees more than Podman does, never less
	 * (an option this list does not know to take a value cannot make the next one look like a value).
	 */
	private static String next(List<String> words, int i) {
		return i + 1 < words.size() && !words.get(i + 1).startsWith("-") ? words.get(i + 1) : null;
	}

	/** What the {@code create_args} of a Podman package ask of the host. */
	public static List<Ask> podman(String createArgs) {
		List<Ask> out = new ArrayList<>();
		for (Option o : podmanOptions(ShellWords.split(createArgs == null ? "" : createArgs))) {
			String name = o.name();
			String value = o.value();
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
				case "--log-opt":
					if (v.contains("path=")) {
						out.add(new Ask(Rule.HOST_CONTROL, shown, null)); // conmon writes the output to that host file (a list: a,b)
					}
					break;
				case "--annotation":
					if (v.contains("run.oci.")) {
						out.add(new Ask(Rule.UNCONFINED, shown, null)); // crun's own: a seccomp filter, plugins loaded on the host
					}
					break;
				case "--pod":
					if (!v.startsWith("new:")) {
						out.add(new Ask(Rule.HOST_NAMESPACES, shown, null)); // an existing pod's namespaces
					}
					break;
				case "--seccomp-policy":
					if (v.equals("image")) {
						out.add(new Ask(Rule.UNCONFINED, shown, null));
					}
					break;
				case "--security-opt": {
					String opt = v.replaceFirst(":", "="); // the older seccomp:unconfined spelling too
					// A seccomp profile read from a host file, or paths unmasked, are as good as unconfined.
					if (UNCONFINED_OPTIONS.contains(opt) || opt.startsWith("label=type") || opt.startsWith("seccomp=") || opt.startsWith("unmask=")) {
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
					if (HOST_CONTROL_OPTIONS.contains(name)) {
						out.add(new Ask(Rule.HOST_CONTROL, shown, null));
					} else if (NAMESPACE_OPTIONS.contains(name) && (v.equals("host") || v.startsWith("ns:") || v.startsWith("container:"))) {
						out.add(new Ask(Rule.HOST_NAMESPACES, shown, null));
					}
					break;
			}
		}
		return out;
	}

	/** The host source of a {@code --mount} of type bind (or of no type, which is a volume), or null. */
	private static String mountSource(String spec) {
		if (spec.indexOf('"') >= 0) {
			return ""; // Podman reads it as CSV, with quotes: a host path the policy cannot tell
		}
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
			if (key.startsWith("lxc.hook.") && !key.equals("lxc.hook.version") || key.matches("lxc\\.net\\.[^.]+\\.script\\.(up|down)")) {
				// Both run on the host, as root, from LXC's monitor.
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
			} else if (key.matches("lxc\\.net\\.[^.]+\\.type")) {
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
	 * The config of an LXC bundle, read from the bundle's archive without unpacking it: the one the LXC driver will
	 * install, found by the driver's rule ({@code LxcDriver.bundleRoot}): {@code config} and {@code rootfs/} at the top,
	 * or else in the one folder at the top. Null when neither holds (the driver refuses such a bundle). Where the
	 * archive could make a config appear that is not the one read here, it is refused (an {@link IOException} saying
	 * why): a config given twice, a config that is a hard link, a {@code rootfs} that is not a folder.
	 */
	public static String lxcConfig(Path bundle) throws IOException {
		// By location: "" for the top, else the top-level folder's name.
		Map<String, TarEntry.Type> configType = new HashMap<>();
		Map<String, String> configText = new HashMap<>();
		Set<String> configTwice = new HashSet<>();
		Set<String> rootfs = new HashSet<>();
		Set<String> rootfsNotFolder = new HashSet<>();
		Set<String> folders = new HashSet<>();
		try (InputStream in = new GZIPInputStream(Files.newInputStream(bundle), 65536); TarReader tar = new TarReader(in)) {
			TarEntry e;
			while ((e = tar.next()) != null) {
				String name;
				try {
					name = TarPaths.normalize(e.name());
				} catch (UnsafeArchiveException x) {
					return null; // the driver refuses it with its reason
				}
				if (name.isEmpty()) {
					continue;
				}
				int slash = name.indexOf('/');
				String first = slash < 0 ? name : name.substring(0, slash);
				if (slash >= 0 || e.type() == TarEntry.Type.DIRECTORY) {
					folders.add(first);
				}
				// config and rootfs at the top (location ""), and one level down (location: the folder).
				note("", name, e, tar, configType, configText, configTwice, rootfs, rootfsNotFolder);
				if (slash >= 0) {
					note(first, name.substring(slash + 1), e, tar, configType, configText, configTwice, rootfs, rootfsNotFolder);
				}
			}
		}
		String at = isBundle("", configType, rootfs) ? "" : folders.size() == 1 && isBundle(folders.iterator().next(), configType, rootfs)
			? folders.iterator().next() : null;
		if (at == null) {
			return null;
		}
		String where = at.isEmpty() ? "config" : at + "/config";
		if (configTwice.contains(at)) {
			throw new IOException("it holds " + where + " twice");
		}
		if (configType.get(at) != TarEntry.Type.FILE) {
			throw new IOException("its " + where + " is a hard link: a bundle's config must be a file of its own");
		}
		if (rootfsNotFolder.contains(at)) {
			throw new IOException("its " + (at.isEmpty() ? "" : at + "/") + "rootfs is not a folder");
		}
		if (configText.get(at) == null) {
			throw new IOException("its " + where + " is larger than " + (MAX_CONFIG >> 10) + " KiB");
		}
		String control = cc.container.util.Text.controlCharacter(configText.get(at));
		if (control != null) {
			throw new IOException("its " + where + " holds " + control + ", where LXC would read it otherwise than the manager does");
		}
		return configText.get(at);
	}


	/** Notes what entry {@code e}, named {@code rest} below location {@code loc}, is to a bundle there. */
	private static void note(String loc, String rest, TarEntry e, TarReader tar, Map<String, TarEntry.Type> configType, Map<String, String> configText,
		Set<String> configTwice, Set<String> rootfs, Set<String> rootfsNotFolder) throws IOException {
		if (rest.equals("config")) {
			if (configType.put(loc, e.type()) != null) {
				configTwice.add(loc);
			}
			// Read only if it may be the bundle's (a rootfs may hold a large file named config).
			configText.put(loc, e.type() == TarEntry.Type.FILE && e.size() <= MAX_CONFIG ? read(tar, e) : null);
		} else if (rest.equals("rootfs")) {
			(e.type() == TarEntry.Type.DIRECTORY ? rootfs : rootfsNotFolder).add(loc);
		} else if (rest.startsWith("rootfs/")) {
			rootfs.add(loc);
		}
	}

	/** Whether the driver would take {@code loc} for the bundle: a config there that unpacks as a file, and rootfs/. */
	private static boolean isBundle(String loc, Map<String, TarEntry.Type> configType, Set<String> rootfs) {
		TarEntry.Type t = configType.get(loc);
		return (t == TarEntry.Type.FILE || t == TarEntry.Type.HARDLINK) && rootfs.contains(loc);
	}

	private static String read(TarReader tar, TarEntry e) throws IOException {
		if (e.size() > MAX_CONFIG) {
			throw new IOException("its config is larger than " + (MAX_CONFIG >> 10) + " KiB");
		}
		return new String(tar.content().readNBytes((int) e.size()), StandardCharsets.UTF_8);
	}
}
