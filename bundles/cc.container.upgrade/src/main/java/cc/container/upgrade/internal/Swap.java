package cc.container.upgrade.internal;

import cc.container.api.UpgradeException.Kind;
import cc.container.api.UpgradeException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.wiring.FrameworkWiring;
import org.osgi.service.log.Logger;

/**
 * The swap of a running bundle: stopped, updated from a jar, refreshed (its dependants rewired) and started, then
 * verified by {@link ComponentHealth}; one that does not pass is swapped back to the jar it ran before, and that is
 * verified too.
 */
final class Swap {
	private static final Duration REFRESH_TIMEOUT = Duration.ofSeconds(60);

	private final BundleContext context;
	private final ComponentHealth health;
	private final Logger log;

	Swap(BundleContext context, ComponentHealth health, Logger log) {
		this.context = context;
		this.health = health;
		this.log = log;
	}

	/**
	 * Swaps {@code target} to {@code jar} and verifies it; on failure swaps it back to {@code before}.
	 *
	 * @throws UpgradeException ROLLED_BACK when {@code before} runs again, FAILED when that failed too
	 */
	void replace(Bundle target, Path jar, Path before, Duration settle, Consumer<String> progress) throws UpgradeException {
		String bsn = target.getSymbolicName();
		String from = target.getVersion().toString();
		String problem;
		try {
			install(target, jar);
			progress.accept("verifying");
			problem = health.verify(target, settle);
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
			Thread.interrupted(); // putting the previous version back is never skipped
			install(target, before);
			again = health.verify(target, settle);
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

	/** Refreshes {@code b} (and what depends on it) and waits for the framework to finish. */
	void refresh(Bundle b) throws BundleException {
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
}
