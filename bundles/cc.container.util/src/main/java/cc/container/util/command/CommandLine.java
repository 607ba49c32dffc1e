package cc.container.util.command;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Parses a command line against {@link Commands}: the command's words, then its options (in any place; a value that
 * looks like a negative number is a value, not an option) and its positional arguments. Every error is one sentence
 * the user can act on.
 *
 * @param spec the command
 * @param options the options given, by the name the spec reports them under (a flag's value is empty)
 * @param params the positional arguments, in order
 */
public record CommandLine(CommandSpec spec, Map<String, String> options, List<String> params) {

	/** A command line that cannot be used. */
	public static final class UsageException extends Exception {
		private static final long serialVersionUID = 1L;

		/** One sentence. */
		public UsageException(String message) {
			super(message);
		}
	}

	/** Copies the parts. */
	public CommandLine {
		options = Map.copyOf(options);
		params = List.copyOf(params);
	}

	/** Parses {@code args} ({@code args.get(0)} is the command's first word). */
	public static CommandLine parse(List<String> args) throws UsageException {
		CommandSpec spec = find(args);
		List<String> rest = args.subList(spec.words().size(), args.size());
		Map<String, String> options = new LinkedHashMap<>();
		List<String> params = new ArrayList<>();
		String unknown = null;
		for (int i = 0; i < rest.size(); i++) {
			String s = rest.get(i);
			CommandSpec.Option o = spec.option(s);
			if (o != null) {
				if (o.value() == null) {
					options.put(o.name(), "");
				} else if (i + 1 >= rest.size()) {
					throw new UsageException(s + " needs a value");
				} else {
					options.put(o.name(), rest.get(++i));
				}
			} else if (s.startsWith("-") && s.length() > 1 && !s.matches("-?[0-9]+")) {
				if (unknown == null) {
					unknown = s;
				}
			} else {
				params.add(s);
			}
		}
		if (unknown != null) {
			throw new UsageException("unknown option \"" + unknown + "\"");
		}
		if (params.size() > spec.params().size()) {
			throw new UsageException("unexpected argument \"" + params.get(spec.params().size()) + "\"");
		}
		for (int i = params.size(); i < spec.params().size(); i++) {
			if (spec.params().get(i).required()) {
				throw new UsageException("missing " + spec.params().get(i).what());
			}
		}
		return new CommandLine(spec, options, params);
	}

	/** The command {@code args} names; its words must be there. */
	public static CommandSpec find(List<String> args) throws UsageException {
		if (args.isEmpty()) {
			throw new UsageException("a command is needed");
		}
		List<CommandSpec> group = Commands.groups().get(args.get(0));
		if (group == null) {
			throw new UsageException("unknown command \"" + args.get(0) + "\"");
		}
		if (group.size() == 1 && group.get(0).words().size() == 1) {
			return group.get(0);
		}
		String first = args.get(0);
		List<String> subs = group.stream().map(s -> s.words().get(1)).toList();
		if (args.size() < 2) {
			throw new UsageException("missing " + or(group.stream().map(CommandSpec::name).toList()));
		}
		for (CommandSpec s : group) {
			if (s.words().get(1).equals(args.get(1))) {
				return s;
			}
		}
		throw new UsageException(first + " takes " + or(subs) + ", not \"" + args.get(1) + "\"");
	}

	private static String or(List<String> words) {
		if (words.size() == 1) {
			return words.get(0);
		}
		return String.join(", ", words.subList(0, words.size() - 1)) + " or " + words.get(words.size() - 1);
	}

	/** Whether the option {@code name} was given. */
	public boolean has(String name) {
		return options.containsKey(name);
	}

	/** The value of the option {@code name}, or {@code null}. */
	public String option(String name) {
		return options.get(name);
	}

	/** The positional argument {@code i}, or {@code null} when it was not given. */
	public String param(int i) {
		return i < params.size() ? params.get(i) : null;
	}

	/** A whole number option, or {@code def}; refused out of {@code min..max}. */
	public int number(String name, int def, int min, int max) throws UsageException {
		String v = options.get(name);
		if (v == null) {
			return def;
		}
		try {
			int n = Integer.parseInt(v);
			if (n >= min && n <= max) {
				return n;
			}
		} catch (NumberFormatException e) {
			// the message below
		}
		throw new UsageException(name + " takes a whole number from " + min + " to " + max + ", not \"" + v + "\"");
	}

	/**
	 * The same command line with every path made absolute against {@code cwd}: the daemon reads files where it runs,
	 * not where the client does. Anything that cannot be parsed is left as it is (the daemon says what is wrong).
	 */
	public static List<String> resolvePaths(List<String> args, Path cwd) {
		CommandSpec spec;
		try {
			spec = find(args);
		} catch (UsageException e) {
			return args;
		}
		List<String> out = new ArrayList<>(args);
		int param = 0;
		for (int i = spec.words().size(); i < out.size(); i++) {
			String s = out.get(i);
			CommandSpec.Option o = spec.option(s);
			CommandSpec.Type type;
			int at;
			if (o != null) {
				if (o.value() == null || i + 1 >= out.size()) {
					continue;
				}
				type = o.value();
				at = ++i;
			} else if (s.startsWith("-") && s.length() > 1 && !s.matches("-?[0-9]+")) {
				continue;
			} else {
				type = param < spec.params().size() ? spec.params().get(param).type() : null;
				param++;
				at = i;
			}
			if (type == CommandSpec.Type.PATH && !out.get(at).isEmpty()) {
				out.set(at, cwd.resolve(out.get(at)).toAbsolutePath().normalize().toString());
			}
		}
		return out;
	}
}
