package cc.container.upgrade.internal;

import cc.container.api.BundleInfo;
import cc.container.api.BundleUpgrades;
import cc.container.api.UpgradeException.Kind;
import cc.container.api.UpgradeException;
import cc.container.util.AtomicFiles;
import cc.container.util.Bounded;
import cc.container.util.upgrade.UpgradeRecord;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.Version;
import org.osgi.framework.wiring.FrameworkWiring;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.runtime.ServiceComponentRuntime;
import org.osgi.service.component.runtime.dto.ComponentConfigurationDTO;
import org.osgi.service.component.runtime.dto.ComponentDescriptionDTO;
import org.osgi.service.component.runtime.dto.UnsatisfiedReferenceDTO;
import org.osgi.service.log.Logger;
import org.osgi.service.log.LoggerFactory;

/**
 * Replaces one bundle of the running daemon with a jar, and puts the previous one back.
 *
 * <p>Before anything changes, the jar is checked: an OSGi bundle, the symbolic name of a running bundle other than this
 * one (and none that this one depends on), and it resolves: it is installed beside the running bundle under a check
 * location, resolved by the framework itself, and uninstalled again. Then it is kept in the upgrades folder, the running
 * bundle is stopped, updated from it, refreshed and started, and verified: active, and every enabled component
 * satisfied (none failed to activate) within the settle time and still so {@link #CONFIRM} later. A bundle that does
 * not pass is updated back to the jar it ran before. Only a verified upgrade is written to the record
 * ({@link UpgradeRecord}), which the launcher applies at the next start.
 */
@Component(service = BundleUpgrades.class, immediate = true)
public final class BundleUpgradesImpl implements BundleUpgrades {
	/** How long a verified bundle must stay fine before the upgrade counts. */
	static final Duration CONFIRM = Duration.ofSeconds(2);
	/** The largest jar accepted. */
	static final long MAX_JAR = 64L << 20;
	/** Location prefix of the short-lived copy that checks whether a jar resolves. */
	static final String CHECK_LOCATION = "cc-upgrade-check:";
	private static final Duration REFRESH_TIMEOUT = Duration.ofSeconds(60);

	private final BundleContext context;
	private final ServiceComponentRuntime scr;
	private final Logger log;
	private final Path dir;
	private final Object lock = new Object();

	/** The manager over the framework of {@code context}; its jars and record live in {@code cc.containerd.upgrades}. */
	@Activate
	public BundleUpgradesImpl(BundleContext context, @Reference ServiceComponentRuntime scr, @Reference(service = LoggerFactory.class) Logger log) {
		this.context = context;
		this.scr = scr;
		this.log = log;
		String configured = context.getProperty("cc.containerd.upgrades");
		this.dir = configured != null ? Path.of(configured) : context.getDataFile("upgrades").toPath();
		synchronized (lock) {
			prune();
		}
	}

	// ---------------------------------------------------------------- list

	@Override
	public List<BundleInfo> list() {
		UpgradeRecord record = record();
		List<BundleInfo> out = new ArrayList<>();
		for (Bundle b : context.getBundles()) {
			if (!b.getLocation().startsWith(CHECK_LOCATION)) {
				out.add(info(b, record));
			}
		}
		return out;
	}

	private BundleInfo info(Bundle b, UpgradeRecord record) {
		String bsn = String.valueOf(b.getSymbolicName());
		Path shipped = shippedJar(b);
		String shippedVersion = shipped == null ? null : versionOf(shipped);
		List<String> stack = record == null ? List.of() : record.jars(bsn);
		List<String> replaced = new ArrayList<>();
		if (!stack.isEmpty()) {
			replaced.add(shippedVersion == null ? "shipped" : shippedVersion);
			for (String jar : stack.subList(0, stack.size() - 1)) {
				replaced.add(String.valueOf(versionOf(record.dir().resolve(jar))));
			}
		}
		return new BundleInfo(b.getBundleId(), bsn, b.getVersion().toString(), state(b), !stack.isEmpty(), shippedVersion, replaced);
	}

	static String state(Bundle b) {
		switch (b.getState()) {
			case Bundle.INSTALLED:
				return "installed";
			case Bundle.RESOLVED:
				return "resolved";
			case Bundle.STARTING:
				return "starting";
			case Bundle.ACTIVE:
				return "active";
			case Bundle.STOPPING:
				return "stopping";
			default:
				return "uninstalled";
		}
	}

	// ---------------------------------------------------------------- update and rollback

	@Override
	public BundleInfo update(Path jar, Duration settle, Consumer<String> progress) throws UpgradeException {
		return detached("update", () -> doUpdate(jar, settle, quiet(progress)));
	}

	private BundleInfo doUpdate(Path jar, Duration settle, Consumer<String> progress) throws UpgradeException {
		synchronized (lock) {
			progress.accept("checking");
			if (!Files.isRegularFile(jar)) {
				throw new UpgradeException(Kind.NOT_FOUND, "there is no file " + jar, null);
			}
			Path incoming;
			String sha;
			try {
				Files.createDirectories(dir);
				incoming = Files.createTempFile(dir, AtomicFiles.TEMP_PREFIX + "incoming-", ".jar");
			} catch (IOException e) {
				throw new UpgradeException(Kind.FAILED, "The jar could not be kept in " + dir + " (" + Bounded.describe(e) + "); nothing was changed", e);
			}
			boolean kept = false;
			try {
				try {
					sha = copy(jar, incoming);
				} catch (IOException e) {
					throw new UpgradeException(Kind.REFUSED, jar + " cannot be read (" + Bounded.describe(e) + "); nothing was changed", e);
				}
				UpgradeRecord.Headers headers;
				try {
					headers = UpgradeRecord.headers(incoming);
				} catch (IOException e) {
					throw new UpgradeException(Kind.REFUSED, jar + " is not a jar (" + e.getMessage() + "); nothing was changed", e);
				}
				if (headers == null) {
					throw new UpgradeException(Kind.REFUSED, jar + " is not an OSGi bundle: its manifest has no Bundle-SymbolicName; nothing was changed", null);
				}
				Bundle target = replaceable(headers.symbolicName());
				UpgradeRecord record = recordOrThrow();
				List<String> stack = record.jars(headers.symbolicName());
				String name = headers.symbolicName() + "-" + headers.version() + "-" + sha.substring(0, 12) + ".jar";
				if (stack.contains(name)) {
					throw new UpgradeException(Kind.REFUSED, headers.symbolicName() + " was already upgraded with this very jar"
						+ (stack.get(stack.size() - 1).equals(name) ? " and runs it" : "; roll back to it with bundle rollback") + "; nothing was changed", null);
				}
				Path before = runningJar(target, record);
				checkResolves(headers, incoming, jar);

				Path stored = dir.resolve(name);
				try {
					Files.move(incoming, stored, java.nio.file.StandardCopyOption.ATOMIC_MOVE, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
					AtomicFiles.forceDirectory(dir);
					kept = true;
				} catch (IOException e) {
					throw new UpgradeException(Kind.FAILED, "The jar could not be kept in " + dir + " (" + Bounded.describe(e) + "); nothing was changed", e);
				}
				return swapIn(target, headers, stored, before, record, stack, name, jar, settle, progress);
			} finally {
				if (!kept) {
					deleteQuietly(incoming);
				}
			}
		}
	}

	/** Streams {@code from} into {@code to} (at most {@link #MAX_JAR} bytes), returning its SHA-256 in hex. */
	static String copy(Path from, Path to) throws IOException, UpgradeException {
		Bounded.requireRegularFile(from);
		MessageDigest md;
		try {
			md = MessageDigest.getInstance("SHA-256");
		} catch (NoSuchAlgorithmException e) {
			throw new IllegalStateException(e);
		}
		long n = 0;
		try (InputStream in = Files.newInputStream(from); java.io.OutputStream out = Files.newOutputStream(to)) {
			byte[] buf = new byte[64 << 10];
			int r;
			while ((r = in.read(buf)) > 0) {
				n += r;
				if (n > MAX_JAR) {
					throw new UpgradeException(Kind.REFUSED, from + " is larger than " + (MAX_JAR >> 20) + " MiB; it is no bundle of this daemon", null);
				}
				md.update(buf, 0, r);
				out.write(buf, 0, r);
			}
		}
		return HexFormat.of().formatHex(md.digest());
	}

	/** Replaces {@code target} with the kept jar {@code stored} and records the upgrade once it is verified. */
	private BundleInfo swapIn(Bundle target, UpgradeRecord.Headers headers, Path stored, Path before, UpgradeRecord record, List<String> stack,
		String name, Path jar, Duration settle, Consumer<String> progress) throws UpgradeException {
		progress.accept("updating");
		String from = target.getVersion().toString();
		log.info("Updating bundle {} from {} to {} ({}).", headers.symbolicName(), from, headers.version(), jar);
		try {
			replace(target, stored, before, settle, progress);
		} catch (UpgradeException e) {
			deleteQuietly(stored);
			throw e;
		}
		List<String> next = new ArrayList<>(stack);
		next.add(name);
		save(record.with(headers.symbolicName(), next));
		log.info("Bundle {} upgraded from {} to {}; it stays upgraded across restarts (bundle rollback {} puts {} back).",
			headers.symbolicName(), from, headers.version(), headers.symbolicName(), from);
		return info(target, record.with(headers.symbolicName(), next));
	}

	@Override
	public BundleInfo rollback(String symbolicName, Duration settle, Consumer<String> progress) throws UpgradeException {
		return detached("rollback", () -> doRollback(symbolicName, settle, quiet(progress)));
	}

	/** An operation of this manager, run to its end whatever happens to the caller. */
	private interface Operation {
		BundleInfo run() throws UpgradeException;
	}

	/**
	 * Runs {@code op} on a thread of its own and waits for it. The caller may be a bundle that the operation replaces
	 * (the control endpoint, the shell commands): its thread can be interrupted or its connection closed, and the
	 * operation, rollback included, still finishes.
	 */
	private BundleInfo detached(String what, Operation op) throws UpgradeException {
		CompletableFuture<BundleInfo> result = new CompletableFuture<>();
		Thread t = new Thread(() -> {
			try {
				result.complete(op.run());
			} catch (Throwable e) {
				result.completeExceptionally(e);
			}
		}, "cc-bundle-" + what);
		t.setDaemon(true);
		t.start();
		try {
			return result.get();
		} catch (InterruptedException e) {
			Thread.currentThread().interrupt();
			throw new UpgradeException(Kind.FAILED, "interrupted; the " + what + " goes on in the daemon (bundle list shows its outcome)", e);
		} catch (ExecutionException e) {
			if (e.getCause() instanceof UpgradeException u) {
				throw u;
			}
			throw new UpgradeException(Kind.FAILED, "the " + what + " failed: " + e.getCause(), e.getCause());
		}
	}

	/** Progress that never fails the operation (the caller's stream may be gone). */
	private static Consumer<String> quiet(Consumer<String> progress) {
		return phase -> {
			try {
				progress.accept(phase);
			} catch (RuntimeException | LinkageError e) {
				// the caller went away; the operation goes on
			}
		};
	}

	private BundleInfo doRollback(String symbolicName, Duration settle, Consumer<String> progress) throws UpgradeException {
		synchronized (lock) {
			progress.accept("checking");
			Bundle target = replaceable(symbolicName);
			UpgradeRecord record = recordOrThrow();
			List<String> stack = record.jars(symbolicName);
			if (stack.isEmpty()) {
				throw new UpgradeException(Kind.REFUSED, symbolicName + " runs the version shipped with the daemon ("
					+ target.getVersion() + "); there is nothing to roll back to", null);
			}
			Path current = record.dir().resolve(stack.get(stack.size() - 1));
			List<String> next = stack.subList(0, stack.size() - 1);
			Path previous = next.isEmpty() ? shippedJar(target) : record.dir().resolve(next.get(next.size() - 1));
			if (previous == null || !Files.isReadable(previous)) {
				throw new UpgradeException(Kind.FAILED, "the jar that " + symbolicName + " ran before (" + (previous == null ? target.getLocation()
					: previous) + ") cannot be read; nothing was changed", null);
			}
			String from = target.getVersion().toString();
			progress.accept("updating");
			log.info("Rolling bundle {} back from {} to {}.", symbolicName, from, previous.getFileName());
			replace(target, previous, current, settle, progress);
			save(record.with(symbolicName, next));
			deleteQuietly(current);
			log.info("Bundle {} rolled back from {} to {}.", symbolicName, from, target.getVersion());
			return info(target, record.with(symbolicName, next));
		}
	}

	/** The running bundle named {@code bsn} that may be replaced; refuses the framework and this manager's own ground. */
	private Bundle replaceable(String bsn) throws UpgradeException {
		Bundle target = Arrays.stream(context.getBundles()).filter(b -> bsn.equals(b.getSymbolicName()))
			.filter(b -> !b.getLocation().startsWith(CHECK_LOCATION)).findFirst().orElse(null);
		if (target == null) {
			throw new UpgradeException(Kind.NOT_FOUND, "no bundle of the daemon is named " + bsn + " (bundle list shows them); nothing was changed", null);
		}
		if (target.getBundleId() == 0) {
			throw new UpgradeException(Kind.REFUSED, "the OSGi framework itself cannot be upgraded in the field; it comes with the distribution", null);
		}
		if (target.getHeaders("").get(Constants.FRAGMENT_HOST) != null) {
			throw new UpgradeException(Kind.REFUSED, bsn + " is a fragment; fragments are upgraded with the distribution, not in the field", null);
		}
		Bundle self = context.getBundle();
		FrameworkWiring wiring = context.getBundle(0).adapt(FrameworkWiring.class);
		if (target.equals(self) || wiring.getDependencyClosure(List.of(target)).contains(self)) {
			throw new UpgradeException(Kind.REFUSED, "replacing " + bsn + " would restart " + self.getSymbolicName()
				+ ", which performs field upgrades; it comes with the distribution; nothing was changed", null);
		}
		return target;
	}

	/** Installs {@code file} beside the running bundle, lets the framework resolve it, and removes it again. */
	private void checkResolves(UpgradeRecord.Headers headers, Path file, Path jar) throws UpgradeException {
		Bundle check;
		try (InputStream in = Files.newInputStream(file)) {
			check = context.installBundle(CHECK_LOCATION + headers.symbolicName(), in);
		} catch (IOException e) {
			throw new UpgradeException(Kind.REFUSED, jar + " cannot be read (" + e.getMessage() + "); nothing was changed", e);
		} catch (BundleException e) {
			throw new UpgradeException(Kind.REFUSED, jar + " is not a valid bundle: " + e.getMessage() + "; nothing was changed", e);
		}
		try {
			FrameworkWiring wiring = context.getBundle(0).adapt(FrameworkWiring.class);
			if (!wiring.resolveBundles(List.of(check))) {
				String why = "the framework cannot resolve it";
				try {
					check.start(); // it cannot resolve, so it cannot start: the exception says which requirement is missing
				} catch (BundleException e) {
					why = e.getMessage();
				}
				throw new UpgradeException(Kind.REFUSED, headers.symbolicName() + " " + headers.version()
					+ " does not resolve against the running daemon (" + why + "); nothing was changed", null);
			}
		} finally {
			try {
				check.uninstall();
				refresh(check);
			} catch (BundleException | IllegalStateException e) {
				log.warn("The check copy of {} could not be removed: {}", headers.symbolicName(), e.getMessage());
			}
		}
	}

	/**
	 * Stops {@code target}, updates it from {@code jar}, refreshes and starts it, and verifies it; on failure updates it
	 * back from {@code before} and verifies that.
	 */
	private void replace(Bundle target, Path jar, Path before, Duration settle, Consumer<String> progress) throws UpgradeException {
		String bsn = target.getSymbolicName();
		String from = target.getVersion().toString();
		String problem;
		try {
			install(target, jar);
			progress.accept("verifying");
			problem = verify(target, settle);
		} catch (BundleException | IOException | RuntimeException e) {
			problem = e.getMessage();
		} catch (InterruptedException e) {
			Thread.currentThread().interrupt();
			problem = "interrupted";
		}
		if (problem == null) {
			return;
		}
		String to = target.getVersion().toString();
		log.error("Bundle {} {} did not come up: {}. Putting {} back.", bsn, to, problem, from);
		progress.accept("rolling back");
		String again;
		try {
			install(target, before);
			Thread.interrupted(); // putting the previous version back is never skipped
			again = verify(target, settle);
		} catch (BundleException | IOException | RuntimeException e) {
			again = e.getMessage();
		} catch (InterruptedException e) {
			Thread.currentThread().interrupt();
			again = "interrupted";
		}
		if (again != null) {
			log.error("Putting bundle {} {} back failed too: {}.", bsn, from, again);
			throw new UpgradeException(Kind.FAILED, bsn + " " + to + " did not come up (" + problem + "), and putting " + from
				+ " back failed too (" + again + "); bundle list shows what runs", null);
		}
		log.warn("Bundle {} is back at {}.", bsn, target.getVersion());
		throw new UpgradeException(Kind.ROLLED_BACK, bsn + " " + to + " did not come up (" + problem + "); " + from + " was put back", null);
	}

	private void install(Bundle target, Path jar) throws BundleException, IOException {
		if (target.getState() == Bundle.ACTIVE || target.getState() == Bundle.STARTING) {
			target.stop();
		}
		try (InputStream in = Files.newInputStream(jar)) {
			target.update(in);
		}
		refresh(target);
		target.start();
	}

	/** Null when {@code b} is active and its components are satisfied, now and {@link #CONFIRM} later; else why not. */
	private String verify(Bundle b, Duration settle) throws InterruptedException {
		long deadline = System.nanoTime() + settle.toNanos();
		boolean confirming = false;
		while (true) {
			String problem = problem(b);
			if (problem == null) {
				if (confirming) {
					return null;
				}
				confirming = true;
				Thread.sleep(CONFIRM.toMillis());
				continue;
			}
			confirming = false;
			if (problem.startsWith("!") || System.nanoTime() > deadline) {
				return problem.startsWith("!") ? problem.substring(1) : problem + " within " + settle.toSeconds() + " s";
			}
			Thread.sleep(100);
		}
	}

	/** Null when fine; a reason, starting with "!" when waiting cannot help. */
	private String problem(Bundle b) {
		if (b.getState() != Bundle.ACTIVE) {
			return "!it is " + state(b) + ", not active";
		}
		List<String> waiting = new ArrayList<>();
		var descriptions = scr.getComponentDescriptionDTOs(b);
		if (descriptions.isEmpty() && b.getHeaders("").get("Service-Component") != null) {
			waiting.add("Declarative Services has not read its components");
		}
		for (ComponentDescriptionDTO d : descriptions) {
			if (!scr.isComponentEnabled(d)) {
				if (d.defaultEnabled) {
					waiting.add(d.name + " (not enabled)");
				}
				continue;
			}
			var configurations = scr.getComponentConfigurationDTOs(d);
			if (configurations.isEmpty() && !"require".equals(d.configurationPolicy)) {
				// SCR could not even set it up (its class is missing, say): it never comes by waiting, but it is only
				// reported once the settle time is over, in case SCR is still at work.
				waiting.add(d.name + " (not set up by Declarative Services)");
			}
			for (ComponentConfigurationDTO c : configurations) {
				if (c.state == ComponentConfigurationDTO.FAILED_ACTIVATION) {
					return "!its component " + d.name + " failed to activate: " + firstLine(c.failure);
				}
				if (c.state == ComponentConfigurationDTO.UNSATISFIED_REFERENCE || c.state == ComponentConfigurationDTO.UNSATISFIED_CONFIGURATION) {
					List<String> refs = Stream.of(c.unsatisfiedReferences == null ? new UnsatisfiedReferenceDTO[0]
						: c.unsatisfiedReferences).map(r -> r.name).toList();
					waiting.add(d.name + (refs.isEmpty() ? "" : " (missing " + String.join(", ", refs) + ")"));
				} else if (d.serviceInterfaces.length > 0) {
					// Satisfied by its state; whether its object can be made shows only when its service is got
					// (SCR keeps a delayed component's service registered when making it fails).
					ServiceReference<?> ref = registered(b, c.id);
					if (ref == null) {
						waiting.add(d.name + " (its service is not registered)");
					} else if (!usable(ref)) {
						return "!its component " + d.name + " failed to activate" + (c.failure == null ? "" : ": " + firstLine(c.failure));
					}
				} else if (d.serviceInterfaces.length == 0 && d.immediate && c.state != ComponentConfigurationDTO.ACTIVE) {
					waiting.add(d.name + " (not active)");
				}
			}
		}
		log.debug("Bundle {}: {} components, waiting for {}.", b.getSymbolicName(), descriptions.size(), waiting);
		return waiting.isEmpty() ? null : "its components were not satisfied: " + String.join("; ", waiting);
	}

	/** The service {@code b} registered for the component configuration {@code componentId}, or null. */
	private static ServiceReference<?> registered(Bundle b, long componentId) {
		ServiceReference<?>[] refs = b.getRegisteredServices();
		if (refs != null) {
			for (ServiceReference<?> r : refs) {
				if (r.getProperty("component.id") instanceof Number n && n.longValue() == componentId) {
					return r;
				}
			}
		}
		return null;
	}

	/** Whether the service's object can be made (the component activates). */
	private boolean usable(ServiceReference<?> ref) {
		try {
			Object service = context.getService(ref);
			if (service != null) {
				context.ungetService(ref);
			}
			return service != null;
		} catch (RuntimeException e) {
			return false;
		}
	}

	private static String firstLine(String s) {
		if (s == null) {
			return "no reason given";
		}
		String line = s.lines().findFirst().orElse(s).trim();
		return line.length() > 300 ? line.substring(0, 300) + "..." : line;
	}

	private void refresh(Bundle b) throws BundleException {
		CountDownLatch done = new CountDownLatch(1);
		context.getBundle(0).adapt(FrameworkWiring.class).refreshBundles(List.of(b), e -> done.countDown());
		try {
			if (!done.await(REFRESH_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
				throw new BundleException("the framework did not refresh it within " + REFRESH_TIMEOUT.toSeconds() + " s");
			}
		} catch (InterruptedException e) {
			Thread.currentThread().interrupt();
			throw new BundleException("interrupted while the framework refreshed it");
		}
	}

	// ---------------------------------------------------------------- the jars

	/** The jar {@code b} runs from: its current field upgrade, else the shipped jar. */
	private Path runningJar(Bundle b, UpgradeRecord record) throws UpgradeException {
		Path p = record.current(b.getSymbolicName());
		if (p == null) {
			p = shippedJar(b);
		}
		if (p == null || !Files.isReadable(p)) {
			throw new UpgradeException(Kind.REFUSED, "the jar that " + b.getSymbolicName() + " runs from (" + (p == null ? b.getLocation() : p)
				+ ") cannot be read, so it could not be put back if the new one failed; nothing was changed", null);
		}
		return p;
	}

	/** The jar the bundle was installed from (the launcher keeps the shipped jar as the location), or null. */
	static Path shippedJar(Bundle b) {
		String location = b.getLocation();
		if (location.startsWith("reference:")) {
			location = location.substring("reference:".length());
		}
		try {
			Path p = location.startsWith("file:") ? Path.of(URI.create(location)) : Path.of(location);
			return p.isAbsolute() && Files.isRegularFile(p) ? p : null;
		} catch (RuntimeException e) {
			return null;
		}
	}

	private static String versionOf(Path jar) {
		try {
			UpgradeRecord.Headers h = UpgradeRecord.headers(jar);
			return h == null ? null : Version.parseVersion(h.version()).toString();
		} catch (IOException | IllegalArgumentException e) {
			return null;
		}
	}

	private UpgradeRecord record() {
		try {
			return UpgradeRecord.load(dir);
		} catch (IOException | IllegalArgumentException e) {
			log.warn("The field upgrade record in {} cannot be read: {}", dir, e.getMessage());
			return null;
		}
	}

	private UpgradeRecord recordOrThrow() throws UpgradeException {
		UpgradeRecord r = record();
		if (r == null) {
			throw new UpgradeException(Kind.FAILED, "the field upgrade record in " + dir + " cannot be read; nothing was changed", null);
		}
		return r;
	}

	private void save(UpgradeRecord record) throws UpgradeException {
		try {
			record.save();
		} catch (IOException e) {
			throw new UpgradeException(Kind.FAILED, "the upgrade runs but could not be recorded in " + dir + " (" + e.getMessage()
				+ "); after the next daemon start the previous version runs", e);
		}
	}

	/**
	 * At start: drops the record of a bundle that does not run its recorded upgrade (the distribution ships a newer
	 * version, or the jar is gone), and jars that no record names (an upgrade cut short by a crash).
	 */
	private void prune() {
		UpgradeRecord record = record();
		if (record == null) {
			return;
		}
		UpgradeRecord kept = record;
		for (String bsn : record.symbolicNames()) {
			Bundle b = Arrays.stream(context.getBundles()).filter(x -> bsn.equals(x.getSymbolicName())).findFirst().orElse(null);
			String recorded = versionOf(record.current(bsn));
			if (b == null || recorded == null || !b.getVersion().toString().equals(recorded)) {
				log.warn("The field upgrade of {} ({}) is not what runs ({}); it is dropped.", bsn, record.jars(bsn),
					b == null ? "no such bundle" : b.getVersion());
				kept = kept.with(bsn, List.of());
			} else {
				log.info("Bundle {} runs its field upgrade {}.", bsn, recorded);
			}
		}
		try {
			if (kept != record) {
				kept.save();
			}
			if (Files.isDirectory(dir)) {
				Set<String> named = new HashSet<>();
				for (String bsn : kept.symbolicNames()) {
					named.addAll(kept.jars(bsn));
				}
				try (Stream<Path> s = Files.list(dir)) {
					for (Path p : s.toList()) {
						String n = p.getFileName().toString();
						if ((n.endsWith(".jar") && !named.contains(n)) || n.startsWith(AtomicFiles.TEMP_PREFIX)) {
							deleteQuietly(p);
						}
					}
				}
			}
		} catch (IOException e) {
			log.warn("The field upgrades in {} could not be tidied: {}", dir, e.getMessage());
		}
	}

	private static void deleteQuietly(Path p) {
		try {
			Files.deleteIfExists(p);
		} catch (IOException e) {
			// a leftover jar is removed at the next start
		}
	}

	private static String sha256(byte[] bytes) {
		try {
			return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
		} catch (NoSuchAlgorithmException e) {
			throw new IllegalStateException(e);
		}
	}
}
