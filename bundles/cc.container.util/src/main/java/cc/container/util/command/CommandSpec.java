package cc.container.util.command;

import java.util.ArrayList;
import java.util.List;

/**
 * One command of {@code containerctl} and the Gogo shell, declared once: its words ({@code config set}), its
 * positional arguments and its options, each typed. The daemon parses with it, the client resolves the paths it
 * names before they reach the daemon, usage texts and completion come from it.
 *
 * @param words the command's words, for example {@code ["bundle", "update"]}
 * @param summary what it does, in a few words
 * @param params its positional arguments, in order
 * @param options its options
 * @param local whether it runs in the client itself, without a daemon ({@code dcp ...})
 */
public record CommandSpec(List<String> words, String summary, List<Param> params, List<Option> options, boolean local) {

	/** Copies the lists. */
	public CommandSpec {
		words = List.copyOf(words);
		params = List.copyOf(params);
		options = List.copyOf(options);
	}

	/** What a value is: the client resolves paths against its own folder, completion offers candidates. */
	public enum Type {
		/** Any word. */
		WORD,
		/** A managed container's id. */
		ID,
		/** A file or folder: made absolute by the client, relative to the folder it runs in. */
		PATH,
		/** A whole number. */
		NUMBER,
		/** A key of {@code config get/set}. */
		KEY,
		/** A log level. */
		LEVEL,
		/** A bundle's symbolic name. */
		BUNDLE
	}

	/**
	 * A positional argument.
	 *
	 * @param name its name in the usage ({@code id}, {@code file.dcp})
	 * @param type its type
	 * @param required whether it must be given
	 * @param what how a missing one is named: {@code missing container id}
	 */
	public record Param(String name, Type type, boolean required, String what) {
	}

	/**
	 * An option.
	 *
	 * @param names its spellings ({@code -f}, {@code --follow}); the first is the one the parser reports
	 * @param value the type of its value, or {@code null} for a flag without one
	 * @param valueName the value's name in the usage ({@code SECONDS})
	 * @param help what it does
	 */
	public record Option(List<String> names, Type value, String valueName, String help) {
		/** Copies the names. */
		public Option {
			names = List.copyOf(names);
		}

		/** Its name as the parser reports it. */
		public String name() {
			return names.get(0);
		}
	}

	/** A flag. */
	public static Option flag(String help, String... names) {
		return new Option(List.of(names), null, null, help);
	}

	/** An option with a value. */
	public static Option option(String name, Type type, String valueName, String help) {
		return new Option(List.of(name), type, valueName, help);
	}

	/** A required positional argument. */
	public static Param param(String name, Type type, String what) {
		return new Param(name, type, true, what);
	}

	/** An optional positional argument. */
	public static Param optional(String name, Type type, String what) {
		return new Param(name, type, false, what);
	}

	/** The command's name: its words. */
	public String name() {
		return String.join(" ", words);
	}

	/** The option spelled {@code name}, or null. */
	public Option option(String name) {
		for (Option o : options) {
			if (o.names().contains(name)) {
				return o;
			}
		}
		return null;
	}

	/** One line of usage: {@code bundle update <jar> [--timeout SECONDS]}. */
	public String usage() {
		List<String> parts = new ArrayList<>(words);
		for (Param p : params) {
			parts.add(p.required() ? "<" + p.name() + ">" : "[<" + p.name() + ">]");
		}
		for (Option o : options) {
			String names = String.join("|", o.names());
			parts.add("[" + names + (o.value() == null ? "" : " " + o.valueName()) + "]");
		}
		return String.join(" ", parts);
	}
}
