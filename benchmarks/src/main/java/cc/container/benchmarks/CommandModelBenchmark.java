package cc.container.benchmarks;

import cc.container.util.command.CommandLine;
import cc.container.util.command.CommandSpec;
import cc.container.util.command.Commands;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/**
 * What the command model costs a daemon that runs on a small device: the project's own declarative parser
 * ({@link Commands}, {@link CommandLine}) against picocli 4.7.7 holding the same commands, each in a JVM of its own
 * with the daemon's options, beside a JVM that parses nothing (the baseline). Prints the classes loaded, the metaspace
 * and heap in use after a full collection, and the time to parse one command line.
 *
 * <p>Usage: {@code CommandModelBenchmark} (forks the three) or {@code CommandModelBenchmark none|own|picocli} (one).
 */
public final class CommandModelBenchmark {
	/** Command lines as users type them. */
	static final List<List<String>> LINES = List.of(List.of("list", "--json"), List.of("status", "app"), List.of("stop", "app", "-t", "30"),
		List.of("install", "--no-start", "/tmp/app.dcp"), List.of("logs", "app", "--tail", "50"), List.of("config", "set", "app", "autostart", "true"),
		List.of("daemon", "log-level", "DEBUG"), List.of("bundle", "update", "/tmp/x.jar", "--timeout", "60"));
	static final int ROUNDS = 2_000;

	private CommandModelBenchmark() {
	}

	/** Runs the benchmark. */
	public static void main(String[] args) throws Exception {
		if (args.length == 1) {
			measure(args[0]);
			return;
		}
		List<String> jvm = jvmOptions();
		System.out.printf("%nThe command model in a JVM with the daemon's options (%d command lines parsed %d times):%n", LINES.size(), ROUNDS);
		System.out.printf("%-34s %8s %14s %10s %12s%n", "parser", "classes", "metaspace KB", "heap KB", "us per line");
		for (String mode : List.of("none", "own", "picocli")) {
			List<String> cmd = new ArrayList<>();
			cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
			cmd.addAll(jvm);
			cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), CommandModelBenchmark.class.getName(), mode));
			Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
			System.out.print(new String(p.getInputStream().readAllBytes()));
			p.waitFor();
		}
		Path jar = Path.of(picocli.CommandLine.class.getProtectionDomain().getCodeSource().getLocation().toURI());
		System.out.printf("picocli jar: %d KB; the project's parser: CommandLine, CommandSpec and Commands, about 400 lines of Java%n",
			Files.size(jar) / 1024);
	}

	/** The daemon's JVM options (distribution/src/main/dist/conf/jvm.options), without the class path. */
	static List<String> jvmOptions() throws Exception {
		Path options = Path.of("distribution/src/main/dist/conf/jvm.options");
		List<String> out = new ArrayList<>();
		for (String line : Files.readAllLines(options)) {
			line = line.trim();
			if (!line.isEmpty() && !line.startsWith("#")) {
				out.addAll(List.of(line.split("\\s+")));
			}
		}
		return out;
	}

	static void measure(String mode) throws Exception {
		long start = 0;
		long took = 0;
		Object keep = null;
		switch (mode) {
			case "own": {
				keep = Commands.ALL;
				for (List<String> l : LINES) {
					CommandLine.parse(l); // warm up
				}
				start = System.nanoTime();
				for (int i = 0; i < ROUNDS; i++) {
					for (List<String> l : LINES) {
						CommandLine.parse(l);
					}
				}
				took = System.nanoTime() - start;
				break;
			}
			case "picocli": {
				picocli.CommandLine root = picocli(Commands.ALL);
				keep = root;
				for (List<String> l : LINES) {
					root.parseArgs(l.toArray(String[]::new));
				}
				start = System.nanoTime();
				for (int i = 0; i < ROUNDS; i++) {
					for (List<String> l : LINES) {
						picocli(Commands.ALL).parseArgs(l.toArray(String[]::new)); // a daemon parses each request afresh
					}
				}
				took = System.nanoTime() - start;
				break;
			}
			default:
				break;
		}
		System.gc();
		System.gc();
		long heap = Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory();
		long meta = 0;
		for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
			if (pool.getName().equals("Metaspace")) {
				meta = pool.getUsage().getUsed();
			}
		}
		int classes = ManagementFactory.getClassLoadingMXBean().getLoadedClassCount();
		String label = switch (mode) {
			case "own" -> "own declarative parser";
			case "picocli" -> "picocli 4.7.7, same commands";
			default -> "nothing parsed (baseline)";
		};
		System.out.printf("%-34s %8d %14d %10d %12s%n", label, classes, meta / 1024, heap / 1024,
			took == 0 ? "-" : String.format("%.1f", took / 1000.0 / ROUNDS / LINES.size()));
		if (keep == null && !mode.equals("none")) {
			throw new IllegalStateException();
		}
	}

	/** The commands of {@link Commands} as a picocli model: one subcommand per word, options and positionals typed. */
	static picocli.CommandLine picocli(List<CommandSpec> specs) {
		picocli.CommandLine root = new picocli.CommandLine(picocli.CommandLine.Model.CommandSpec.create().name("containerctl"));
		Map<String, picocli.CommandLine> groups = new LinkedHashMap<>();
		for (CommandSpec s : specs) {
			picocli.CommandLine.Model.CommandSpec c = picocli.CommandLine.Model.CommandSpec.create().name(s.words().get(s.words().size() - 1));
			c.usageMessage().description(s.summary());
			for (CommandSpec.Param p : s.params()) {
				c.addPositional(PositionalParamSpec.builder().paramLabel(p.name()).arity(p.required() ? "1" : "0..1").type(String.class).build());
			}
			for (CommandSpec.Option o : s.options()) {
				c.addOption(OptionSpec.builder(o.names().toArray(String[]::new)).arity(o.value() == null ? "0" : "1")
					.type(o.value() == null ? boolean.class : String.class).description(o.help()).build());
			}
			if (s.words().size() == 1) {
				root.addSubcommand(new picocli.CommandLine(c));
			} else {
				picocli.CommandLine group = groups.computeIfAbsent(s.words().get(0), w -> {
					picocli.CommandLine g = new picocli.CommandLine(picocli.CommandLine.Model.CommandSpec.create().name(w));
					root.addSubcommand(g);
					return g;
				});
				group.addSubcommand(new picocli.CommandLine(c));
			}
		}
		return root;
	}
}
