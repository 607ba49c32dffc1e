package cc.container.util;

/**
 * Sentences for people made of what came from outside (a member's name, a config value): one line, readable, and
 * short. Control characters are written as escapes ({@code \n}, {@code \x1b}) so that a name cannot add lines to a
 * message or steer a terminal, and what is too long is cut with an ellipsis.
 */
public final class Text {
	/** The longest message kept whole. */
	public static final int MAX_MESSAGE = 1000;

	private Text() {
	}

	/** {@code s} on one line of at most {@code max} characters. */
	public static String oneLine(String s, int max) {
		if (s == null) {
			return "null";
		}
		StringBuilder b = new StringBuilder(Math.min(s.length(), max) + 8);
		int i = 0;
		for (; i < s.length() && b.length() < max; i++) {
			char c = s.charAt(i);
			switch (c) {
				case '\n' -> b.append("\\n");
				case '\r' -> b.append("\\r");
				case '\t' -> b.append("\\t");
				default -> {
					if (Character.isISOControl(c)) {
						b.append(String.format("\\x%02x", (int) c));
					} else {
						b.append(c);
					}
				}
			}
		}
		if (i < s.length()) {
			b.setLength(Math.min(b.length(), max));
			b.append('…');
		}
		return b.toString();
	}

	/** A message on one line, cut at {@link #MAX_MESSAGE} characters. */
	public static String oneLine(String s) {
		return oneLine(s, MAX_MESSAGE);
	}

	/**
	 * The first control character of a text file read line by line ({@code config}) but tab, line feed and carriage
	 * return, described with its line ("the control character 0x00 on line 3"), or null. LXC, for one, stops reading a
	 * config at a NUL byte.
	 */
	public static String controlCharacter(String config) {
		int line = 1;
		for (int i = 0; i < config.length(); i++) {
			char c = config.charAt(i);
			if (c == '\n') {
				line++;
			} else if (c < 0x20 && c != '\t' && c != '\r' || c == 0x7f) {
				return String.format("the control character 0x%02x on line %d", (int) c, line);
			}
		}
		return null;
	}
}
