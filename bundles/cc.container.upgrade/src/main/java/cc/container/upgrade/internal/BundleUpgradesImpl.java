package cc.container.upgrade.internal;

import cc.container.api.BundleInfo;
import cc.container.api.BundleUpgrades;
import cc.container.api.UpgradeException.Kind;
import cc.container.api.UpgradeException;
import cc.container.api.config.DaemonConfiguration;
import cc.container.util.AtomicFiles;
import cc.container.util.Bounded;
import cc.container.util.Threads;
import cc.container.util.upgrade.UpgradeRecord;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.runtime.ServiceComponentRuntime;
import org.osgi.service.log.Logger;
import org.osgi.service.log.LoggerFactory;

/**
 * Replaces one bundle of the running daemon with a jar, and puts the previous one back: {@link Vetting} checks the jar
 * before anything changes, {@link Swap} replaces the bundle and swaps it back when {@link ComponentHealth} finds it does
 * not work, and {@link Upgrades} keeps the jars and the record, which the launcher applies at the next start. Only a
 * verified upgrade is recorded.
 *
 * <p>Operations run one at a time on the component's own thread, to their end whatever happens to the caller: the
 * caller may be a bundle that the operation replaces (the control endpoint, the shell commands), whose thread can be
 * interrupted or whose connection closed, and the operation, rollback included, still finishes.
 */
@Component(service = BundleUpgrades.class, immediate = true)
public final class BundleUpgradesImpl implements BundleUpgrades {
	private final BundleContext context;
	private final Logger log;
	/**
	 * The daemon configuration (whether bundles must be signed). Dynamic: replacing the config bundle must not stop this
	 * component, which is doing the replacing.
	 */
	@Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
	private volatile DaemonConfiguration daemon;
	private final Upgrades upgrades;
	private final Vetting vetting;
	private final Swap swap;
	private final ShippedJars shipped;
	/** One operation at a time, on a thread made when one comes and gone 10 s after the last. */
	private final ThreadPoolExecutor worker = new ThreadPoolExecutor(0, 1, 10, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
		Threads.named("cc-bundle-upgrade"));

	/** The manager over the framework of {@code context}; its jars and record live in {@code cc.containerd.upgrades}. */
	@Activate
	public BundleUpgradesImpl(BundleContext context, @Reference ServiceComponentRuntime scr, @Reference(service = LoggerFactory.class) Logger log) {
		this.context = context;
		this.log = log;
		String configured = context.getProperty("cc.containerd.upgrades");
		this.upgrades = new Upgrades(context, configured != null ? Path.of(configured) : context.getDataFile("upgrades").toPath(), log);
		this.swap = new Swap(context, new ComponentHealth(context, scr, log), log);
		this.vetting = new Vetting(context, swap, log);
		this.shipped = ShippedJars.of(context);
		worker.execute(upgrades::prune);
	}

	/** An operation under way finishes (the daemon is stopping: it does not wait for it); nothing new starts. */
	@Deactivate
	void deactivate() {
		worker.shutdown();
	}

	// ---------------------------------------------------------------- list

	@Override
	public List<BundleInfo> list() {
		UpgradeRecord record = upgrades.record();
		List<BundleInfo> out = new ArrayList<>();
		for (Bundle b : context.getBundles()) {
			if (!b.getLocation().startsWith(Vetting.CHECK_LOCATION)) {
				out.add(info(b, record));
			}
		}
		return out;
	}

	private BundleInfo info(Bundle b, UpgradeRecord record) {
		String bsn = String.valueOf(b.getSymbolicName());
		Path shipped = Upgrades.shippedJar(b);
		String shippedVersion = shipped == null ? null : Upgrades.versionOf(shipped);
		List<String> stack = record == null ? List.of() : record.jars(bsn);
		List<String> replaced = new ArrayList<>();
		if (!stack.isEmpty()) {
			replaced.add(shippedVersion == null ? "shipped" : shippedVersion);
			for (String jar : stack.subList(0, stack.size() - 1)) {
				replaced.add(String.valueOf(Upgrades.versionOf(record.dir().resolve(jar))));
			}
		}
		return new BundleInfo(b.getBundleId(), bsn, b.getVersion().toString(), Upgrades.state(b), !stack.isEmpty(), shippedVersion, replaced);
	}

	// ---------------------------------------------------------------- update and rollback

	/** A swap refreshes bundles, which reads them again from their jars: not while those are not the ones it started with. */
	private void refuseIfShippedJarsChanged() throws UpgradeException {
		String why = shipped.changed();
		if (why != null) {
			throw new UpgradeException(Kind.REFUSED, why, null);
		}
	}

	@Override
	public BundleInfo update(Path jar, Duration settle, Consumer<String> progress) throws UpgradeException {
		return run("update", () -> doUpdate(jar, settle, quiet(progress)));
	}

	@Override
	public BundleInfo rollback(String symbolicName, Duration settle, Consumer<String> progress) throws UpgradeException {
		return run("rollback", () -> doRollback(symbolicName, settle, quiet(progress)));
	}

	/** An operation of this manager. */
	private interface Operation {
		BundleInfo run() throws UpgradeException;
	}

	/** Runs {@code op} on the manager's thread and waits for it; an interrupted caller leaves it running to its end. */
	private BundleInfo run(String what, Operation op) throws UpgradeException {
		Future<BundleInfo> result;
		try {
			result = worker.submit(op::run);
		} catch (RejectedExecutionException e) {
			throw new UpgradeException(Kind.FAILED, "the daemon is stopping; nothing was changed", e);
		}
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

	private BundleInfo doUpdate(Path jar, Duration settle, Consumer<String> progress) throws UpgradeException {
		progress.accept("checking");
		refuseIfShippedJarsChanged();
		if (!Files.isRegularFile(jar)) {
			throw new UpgradeException(Kind.NOT_FOUND, "there is no file " + jar, null);
		}
		Path dir = upgrades.dir();
		Path incoming;
		try {
			Files.createDirectories(dir);
			incoming = Files.createTempFile(dir, AtomicFiles.TEMP_PREFIX + "incoming-", ".jar");
		} catch (IOException e) {
			throw new UpgradeException(Kind.FAILED, "The jar could not be kept in " + dir + " (" + Bounded.describe(e) + "); nothing was changed", e);
		}
		boolean kept = false;
		try {
			String sha;
			try {
				sha = Vetting.copy(jar, incoming);
			} catch (IOException e) {
				throw new UpgradeException(Kind.REFUSED, jar + " cannot be read (" + Bounded.describe(e) + "); nothing was changed", e);
			}
			UpgradeRecord.Headers headers = Vetting.headers(incoming, jar);
			DaemonConfiguration config = daemon;
			if (config == null) {
				throw new UpgradeException(Kind.FAILED, "the daemon configuration is not available (being upgraded?); try again shortly", null);
			}
			String signer = Vetting.checkSignature(incoming, jar, config.config().security());
			Bundle target = vetting.replaceable(headers.symbolicName());
			UpgradeRecord record = upgrades.recordOrThrow();
			List<String> stack = record.jars(headers.symbolicName());
			String name = headers.symbolicName() + "-" + headers.version() + "-" + sha.substring(0, 12) + ".jar";
			if (stack.contains(name)) {
				throw new UpgradeException(Kind.REFUSED, headers.symbolicName() + " was already upgraded with this very jar"
					+ (stack.get(stack.size() - 1).equals(name) ? " and runs it" : "; roll back to it with bundle rollback") + "; nothing was changed", null);
			}
			Path before = upgrades.runningJar(target, record);
			vetting.checkResolves(headers, incoming, jar);
			Path stored = dir.resolve(name);
			try {
				Files.move(incoming, stored, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
				AtomicFiles.forceDirectory(dir);
				kept = true;
			} catch (IOException e) {
				throw new UpgradeException(Kind.FAILED, "The jar could not be kept in " + dir + " (" + Bounded.describe(e) + "); nothing was changed", e);
			}
			progress.accept("updating");
			String from = target.getVersion().toString();
			log.info("Updating bundle {} from {} to {} ({}{}).", headers.symbolicName(), from, headers.version(), jar,
				signer == null ? "" : ", signed by " + signer);
			try {
				swap.replace(target, stored, before, settle, progress);
			} catch (UpgradeException e) {
				Upgrades.deleteQuietly(stored);
				throw e;
			}
			List<String> next = new ArrayList<>(stack);
			next.add(name);
			upgrades.save(record.with(headers.symbolicName(), next));
			log.info("Bundle {} upgraded from {} to {}; it stays upgraded across restarts (bundle rollback {} puts {} back).",
				headers.symbolicName(), from, headers.version(), headers.symbolicName(), from);
			return info(target, record.with(headers.symbolicName(), next));
		} finally {
			if (!kept) {
				Upgrades.deleteQuietly(incoming);
			}
		}
	}

	private BundleInfo doRollback(String symbolicName, Duration settle, Consumer<String> progress) throws UpgradeException {
		progress.accept("checking");
		refuseIfShippedJarsChanged();
		Bundle target = vetting.replaceable(symbolicName);
		UpgradeRecord record = upgrades.recordOrThrow();
		List<String> stack = record.jars(symbolicName);
		if (stack.isEmpty()) {
			throw new UpgradeException(Kind.REFUSED, symbolicName + " runs the version shipped with the daemon ("
				+ target.getVersion() + "); there is nothing to roll back to", null);
		}
		Path current = record.dir().resolve(stack.get(stack.size() - 1));
		List<String> next = stack.subList(0, stack.size() - 1);
		Path previous = next.isEmpty() ? Upgrades.shippedJar(target) : record.dir().resolve(next.get(next.size() - 1));
		if (previous == null || !Files.isReadable(previous)) {
			throw new UpgradeException(Kind.FAILED, "the jar that " + symbolicName + " ran before (" + (previous == null ? target.getLocation()
				: previous) + ") cannot be read; nothing was changed", null);
		}
		String from = target.getVersion().toString();
		progress.accept("updating");
		log.info("Rolling bundle {} back from {} to {}.", symbolicName, from, previous.getFileName());
		swap.replace(target, previous, current, settle, progress);
		upgrades.save(record.with(symbolicName, next));
		Upgrades.deleteQuietly(current);
		log.info("Bundle {} rolled back from {} to {}.", symbolicName, from, target.getVersion());
		return info(target, record.with(symbolicName, next));
	}
}
