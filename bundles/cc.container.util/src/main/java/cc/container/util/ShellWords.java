package cc.container.util;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits a string into words the way a POSIX shell does (and exactly as Python's {@code shlex.split} does): blanks
 * separate words; single quotes keep everything literally; double quotes keep everything but {@code \"} and
 * {@code \\}; a backslash outside quotes takes the next character literally. There is no expansion of any kind.
 */
public final class ShellWords {
	private ShellWords() {
	}

	/**
	 * The words of {@code s}.
	 *
	 * @throws IllegalArgumentException when a quote is not closed or the string ends with a lone backslash
	 */
	public static List<String> split(String s) {
		List<String> words = new ArrayList<>();
		StringBuilder word = new StringBuilder();
		boolean inWord = false;
		int i = 0;
		int n = s.length();
		while (i < n) {
			char c = s.charAt(i);
			if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
				if (inWord) {
					words.add(word.toString());
					word.setLength(0);
					inWord = false;
				}
				i++;
			} else if (c == '\'') {
				int end = s.indexOf('\'', i + 1);
				if (end < 0) {
					throw new IllegalArgumentException("no closing quotation: the ' at position " + (i + 1) + " is not closed");
				}
				word.append(s, i + 1, end);
				inWord = true;
				i = end + 1;
			} else if (c == '"') {
				int j = i + 1;
				while (true) {
					if (j >= n) {
						throw new IllegalArgumentException("no closing quotation: the \" at position " + (i + 1) + " is not closed");
					}
					char d = s.charAt(j);
					if (d == '"') {
						break;
					}
					if (d == '\\' && j + 1 < n && (s.charAt(j + 1) == '"' || s.charAt(j + 1) == '\\')) {
						word.append(s.charAt(j + 1));
						j += 2;
					} else if (d == '\\' && j + 1 >= n) {
						throw new IllegalArgumentException("no closing quotation: the \" at position " + (i + 1) + " is not closed");
					} else {
						word.append(d);
						j++;
					}
				}
				inWord = true;
				i = j + 1;
			} else if (c == '\\') {
				if (i + 1 >= n) {
					throw new IllegalArgumentException("no escaped character: the string ends with a backslash");
				}
				word.append(s.charAt(i + 1));
				inWord = true;
				i += 2;
			} else {
				word.append(c);
				inWord = true;
				i++;
			}
		}
		if (inWord) {
			words.add(word.toString());
		}
		return words;
	}
}
