package cc.container.ctl;

import cc.container.util.command.CommandLine;
import cc.container.util.command.CommandSpec;
import cc.container.util.command.Commands;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/** Bash completion from the command model: what may come at a place of a command line. */
final class Completion {
	/** Stands for "a file name": the completion script lets bash complete one. */
	static final String FILES = "@files";

	private Completion() {
	}

	/**
	 * The candidates for {@code words.get(index)} (unfiltered: the script keeps those that start with the word).
	 *
	 * @param fromDaemon container ids ({@code ID}) or bundle names ({@code BUNDLE}) from the running daemon
	 */
	static List<String> candidates(List<String> words, int index, Function<CommandSpec.Type, List<String>> fromDaemon) {
		List<String> out = new ArrayList<>();
		if (index == 0) {
			out.addAll(Commands.groups().keySet());
			out.addAll(List.of("--help", "--socket", "--config-file"));
			return out;
		}
		List<CommandSpec> group = Commands.groups().get(words.get(0));
		if (group == null) {
			return out;
		}
		if (index == 1 && group.get(0).words().size() > 1) {
			group.forEach(s -> out.add(s.words().get(1)));
			return out;
		}
		CommandSpec spec;
		try {
			spec = CommandLine.find(words);
		} catch (CommandLine.UsageException e) {
			return out;
		}
		String current = words.get(index);
		if (current.startsWith("-")) {
			spec.options().forEach(o -> out.addAll(o.names()));
			out.add("--help");
			return out;
		}
		// What this word is: an option's value, or the next positional argument.
		int param = 0;
		CommandSpec.Type type = null;
		for (int i = spec.words().size(); i <= index; i++) {
			CommandSpec.Option o = spec.option(words.get(i));
			if (i == index) {
				CommandSpec.Option previous = i > spec.words().size() ? spec.option(words.get(i - 1)) : null;
				if (previous != null && previous.value() != null) {
					type = previous.value();
					if (previous.name().equals("--file-name")) {
						return List.of("dcp", "artifact");
					}
					if (previous.name().equals("--algorithm")) {
						return List.of("ed25519", "ecdsa-p256");
					}
				} else if (param < spec.params().size()) {
					type = spec.params().get(param).type();
				}
			} else if (o != null) {
				if (o.value() != null) {
					i++;
				}
			} else if (!words.get(i).startsWith("-")) {
				param++;
			}
		}
		if (type == null) {
			return out;
		}
		switch (type) {
			case ID, BUNDLE -> out.addAll(fromDaemon.apply(type));
			case KEY -> out.addAll(Commands.CONFIG_KEYS);
			case LEVEL -> out.addAll(Commands.LEVELS);
			case PATH -> out.add(FILES);
			default -> {
				// a number or a word: nothing to offer
			}
		}
		return out;
	}
}
