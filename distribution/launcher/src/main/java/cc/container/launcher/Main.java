package cc.container.launcher;

import cc.container.util.InstanceLock;
import cc.container.util.control.ControlClient;
import cc.container.util.upgrade.UpgradeRecord;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.ObjIntConsumer;
import java.util.stream.Stream;
import org.apache.felix.framework.FrameworkFactory;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.Constants;
import org.osgi.framework.FrameworkEvent;
import org.osgi.framework.launch.Framework;

/**
 * {@code cc-containerd}: runs Felix with the bundles of {@code <home>/bundle} (and {@code <home>/shell} with
 * {@code --shell}). The daemon's bundles ask it to exit through an {@code ObjIntConsumer<String>} service (message,
 * exit status) registered with the property {@code cc.containerd.exit=true}; SIGTERM stops the framework cleanly.
 */
public final class Main {
	/** Exit status for bad usage. */
	static final int EXIT_USAGE = 2;
	/** Exit status when the framework fails. */
	static final int EXIT_FAILURE = 1;

	private Main() {
	}

	/** Entry point. */
	public static void main(String[] args) {
		System.exit(run(Arrays.asList(args)));
	}

	static int run(List<String> args) {
		Options options;
		try {
			options = Options.parse(args);
		} catch (Options.UsageException e) {
			System.err.println("cc-containerd: " + e.getMessage());
			System.err.println(Options.USAGE);
			return EXIT_USAGE;
		}
		if (options.help()) {
			System.out.print(Options.HELP);
			return 0;
		}
		Path home = Path.of(System.getProperty("cc.containerd.home", ".")).toAbsolutePath().normalize();
		try {
			return launch(home, options);
		} catch (BundleException | IOException | InterruptedException e) {
			System.err.println("cc-containerd: the daemon could not start: " + e.getMessage());
			return EXIT_FAILURE;
		}
	}

	private static int launch(Path home, Options options) throws BundleException, IOException, InterruptedException {
		Path storage = Path.of(System.getProperty("cc.containerd.storage", home.resolve("felix-cache").toString())).toAbsolutePath();
		try {
			Instance.lockStorage(storage);
		} catch (InstanceLock.Taken t) {
			return another(options, storage, t.holder());
		}
		Map<String, String> props = new HashMap<>();
		props.put(Constants.FRAMEWORK_STORAGE, storage.toString());
		props.put(Constants.FRAMEWORK_STORAGE_CLEAN, Constants.FRAMEWORK_STORAGE_CLEAN_ONFIRSTINIT);
		props.put("cc.containerd.config", options.configFile().toString());
		props.put("cc.containerd.home", home.toString());
		Path upgrades = Path.of(System.getProperty("cc.containerd.upgrades", home.resolve("upgrades").toString())).toAbsolutePath();
		props.put("cc.containerd.upgrades", upgrades.toString());
		// A field upgrade's jar is checked by installing it beside the bundle it replaces, whatever its version.
		props.put(Constants.FRAMEWORK_BSNVERSION, Constants.FRAMEWORK_BSNVERSION_MULTIPLE);
		if (options.stopManaged()) {
			props.put("cc.containerd.mode", "stop-managed");
		}
		// The Gogo shell must never stop the daemon when its console input ends.
		props.put("gosh.args", "--noshutdown");
		// Until the logging bundle applies the configured levels, the Log Service keeps INFO and above,
		// so what the daemon says while it starts reaches the sinks.
		props.put("org.osgi.service.log.admin.loglevel", "INFO");
		props.put("org.apache.felix.log.maxSize", "200");
		props.put("org.apache.felix.log.storeDebug", "false");
		props.put("felix.log.level", "1");
		// The resolver works in the calling thread: no pool of resolver threads idling for ever on a small device.
		props.put("felix.resolver.parallelism", "1");
		jdkSaxParser();

		Framework fw = new FrameworkFactory().newFramework(props);
		fw.init();
		BundleContext ctx = fw.getBundleContext();
		AtomicInteger status = new AtomicInteger(0);
		Hashtable<String, Object> exitProps = new Hashtable<>();
		exitProps.put("cc.containerd.exit", Boolean.TRUE);
		ctx.registerService(ObjIntConsumer.class, (ObjIntConsumer<String>) (message, code) -> {
			if (status.compareAndSet(0, code) && message != null) {
				System.err.println("cc-containerd: " + message);
			}
			stopAsync(fw);
		}, exitProps);

		List<Bundle> installed = new ArrayList<>();
		installed.addAll(install(ctx, home.resolve("bundle"), null, upgrades(upgrades)));
		if (options.shell()) {
			// On a terminal, Gogo's shell with line editing (console/); on a pipe, its plain shell, which reads lines.
			boolean terminal = System.console() != null;
			installed.addAll(install(ctx, home.resolve("shell"), terminal ? "org.apache.felix.gogo.shell" : null, null));
			if (terminal) {
				installed.addAll(install(ctx, home.resolve("console"), null, null));
			}
		}
		// SIGTERM (systemd stop) and SIGINT stop the framework and the daemon exits 0 when that went well.
		for (String sig : new String[] { "TERM", "INT" }) {
			sun.misc.Signal.handle(new sun.misc.Signal(sig), s -> stopAsync(fw));
		}
		// SIGHUP (systemctl reload) reads both configuration files again: the supervisor registers what does it. With
		// the shell on a terminal it keeps its meaning there: the terminal hung up, the daemon stops.
		if (options.shell() && System.console() != null) {
			sun.misc.Signal.handle(new sun.misc.Signal("HUP"), s -> stopAsync(fw));
		} else {
			sun.misc.Signal.handle(new sun.misc.Signal("HUP"), s -> reloadAsync(fw));
		}
		Runtime.getRuntime().addShutdownHook(new Thread(() -> {
			try {
				if ((fw.getState() & (Bundle.ACTIVE | Bundle.STARTING)) != 0) {
					fw.stop();
					fw.waitForStop(30_000);
				}
			} catch (BundleException | InterruptedException e) {
				// the JVM is going away either way
			}
		}, "cc-containerd-shutdown"));
		fw.start();
		for (Bundle b : installed) {
			if (b.getHeaders().get(Constants.FRAGMENT_HOST) == null) {
				try {
					b.start();
				} catch (BundleException e) {
					System.err.println("cc-containerd: bundle " + b.getSymbolicName() + " did not start: " + e.getMessage());
				}
			}
		}
		FrameworkEvent end = fw.waitForStop(0);
		if (end.getType() == FrameworkEvent.ERROR) {
			return EXIT_FAILURE;
		}
		return status.get();
	}

	/**
	 * Felix SCR asks JAXP for a SAX parser factory for every component descriptor (fifteen at a start), and JAXP looks
	 * for one on the class path each time unless the system property names it: the JDK's own is named when it is there
	 * and nothing else was asked for (some 10 ms of the start).
	 */
	static void jdkSaxParser() {
		String property = "javax.xml.parsers.SAXParserFactory";
		String jdk = "com.sun.org.apache.xerces.internal.jaxp.SAXParserFactoryImpl";
		if (System.getProperty(property) != null) {
			return;
		}
		try {
			Class.forName(jdk, false, null);
			System.setProperty(property, jdk);
		} catch (ClassNotFoundException e) {
			// another JDK: JAXP finds its parser as it always does
		}
	}

	/**
	 * Another daemon of this installation runs: nothing is touched. {@code --stop-managed-containers} asks that daemon
	 * to stop its containers (the shutdown stop, as when no daemon runs); otherwise the user is told how to reach it.
	 */
	private static int another(Options options, Path storage, String holder) {
		String who = "another cc-containerd (" + holder + ") runs from this installation (bundle cache " + storage + ")";
		if (options.stopManaged()) {
			Path socket = ControlClient.socketOf(options.configFile());
			try (java.nio.channels.SocketChannel ch = ControlClient.connect(socket)) {
				return ControlClient.run(ch, List.of("daemon", "stop-managed"), false, System.out, System.err, "cc-containerd: ");
			} catch (ControlClient.Unreachable | IOException e) {
				System.err.println("cc-containerd: " + who + " but does not answer on " + socket + " (" + e.getMessage()
					+ "); stop it, then run --stop-managed-containers again");
				return EXIT_FAILURE;
			}
		}
		if (options.shell()) {
			System.err.println("cc-containerd: " + who + "; reach it with containerctl --config-file " + options.configFile()
				+ " <command>, which runs the same commands as the Gogo shell");
			return EXIT_FAILURE;
		}
		System.err.println("cc-containerd: " + who + "; this one stops without changing anything");
		return EXIT_FAILURE;
	}

	private static UpgradeRecord upgrades(Path dir) {
		try {
			return UpgradeRecord.load(dir);
		} catch (IOException | IllegalArgumentException e) {
			System.err.println("cc-containerd: the field upgrades in " + dir + " cannot be read (" + e.getMessage()
				+ "); the shipped bundles run.");
			return null;
		}
	}

	/**
	 * Installs the jars of {@code dir}, but those whose name starts with {@code except}. A bundle upgraded in the field
	 * ({@code upgrades}) is installed from its upgrade jar under the shipped jar's location, so that the shipped jar
	 * stays known for a rollback; the shipped jar wins when it is newer (the distribution was updated since).
	 */
	private static List<Bundle> install(BundleContext ctx, Path dir, String except, UpgradeRecord upgrades) throws IOException, BundleException {
		List<Bundle> bundles = new ArrayList<>();
		if (!Files.isDirectory(dir)) {
			return bundles;
		}
		List<Path> jars;
		try (Stream<Path> s = Files.list(dir)) {
			jars = s.filter(p -> p.getFileName().toString().endsWith(".jar"))
				.filter(p -> except == null || !p.getFileName().toString().startsWith(except)).sorted().toList();
		}
		for (Path jar : jars) {
			// A shipped jar is read where it lies (reference:), not copied into the cache at every start: some 150 ms
			// of the start, and 4.5 MB not written to the device's flash at every boot. Felix keeps it open, so a jar
			// replaced by a rename (install.sh) changes nothing until the next start, but a refresh would read the new
			// one: field upgrades refuse to swap a bundle then (ShippedJars; docs/operations.md).
			String location = UpgradeRecord.IN_PLACE + jar.toUri();
			Path upgrade = upgrades == null ? null : upgradeOf(jar, upgrades);
			if (upgrade == null) {
				bundles.add(ctx.installBundle(location));
			} else {
				try (InputStream in = Files.newInputStream(upgrade)) {
					bundles.add(ctx.installBundle(location, in));
				}
			}
		}
		return bundles;
	}

	/** The upgrade jar that replaces the shipped {@code jar}, or null when the shipped one runs. */
	static Path upgradeOf(Path jar, UpgradeRecord upgrades) {
		try {
			UpgradeRecord.Headers shipped = UpgradeRecord.headers(jar);
			Path upgrade = shipped == null ? null : upgrades.current(shipped.symbolicName());
			if (upgrade == null) {
				return null;
			}
			UpgradeRecord.Headers up = UpgradeRecord.headers(upgrade);
			if (up == null || !up.symbolicName().equals(shipped.symbolicName())) {
				System.err.println("cc-containerd: the field upgrade " + upgrade + " is not a bundle " + shipped.symbolicName()
					+ "; the shipped one runs.");
				return null;
			}
			if (!UpgradeRecord.upgradeRuns(shipped, up)) {
				return null; // the distribution ships a newer version than the field upgrade
			}
			return upgrade;
		} catch (IOException | IllegalArgumentException e) {
			System.err.println("cc-containerd: the field upgrade of " + jar.getFileName() + " cannot be read (" + e.getMessage()
				+ "); the shipped one runs.");
			return null;
		}
	}

	/** Runs the daemon's reload service (a {@code Runnable} registered with {@code cc.containerd.reload=true}). */
	private static void reloadAsync(Framework fw) {
		Thread t = new Thread(() -> {
			BundleContext ctx = fw.getBundleContext();
			try {
				if (ctx == null) {
					return;
				}
				for (org.osgi.framework.ServiceReference<Runnable> ref : ctx.getServiceReferences(Runnable.class, "(cc.containerd.reload=true)")) {
					Runnable r = ctx.getService(ref);
					if (r != null) {
						try {
							r.run();
						} finally {
							ctx.ungetService(ref);
						}
					}
				}
			} catch (org.osgi.framework.InvalidSyntaxException | IllegalStateException e) {
				// the framework is stopping
			}
		}, "cc-containerd-reload");
		t.setDaemon(true);
		t.start();
	}

	private static void stopAsync(Framework fw) {
		Thread t = new Thread(() -> {
			try {
				fw.stop();
			} catch (BundleException e) {
				// already stopping
			}
		}, "cc-containerd-exit");
		t.setDaemon(true);
		t.start();
	}
}
