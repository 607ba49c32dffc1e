package cc.container.shell.internal;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/** A table for people: columns as wide as their widest cell, two spaces apart. */
final class Table {
	private final List<String[]> rows = new ArrayList<>();

	Table(String... header) {
		rows.add(header);
	}

	void row(String... cells) {
		rows.add(cells);
	}

	void print(PrintStream out) {
		int[] w = new int[rows.get(0).length];
		for (String[] r : rows) {
			for (int i = 0; i < r.length; i++) {
				w[i] = Math.max(w[i], r[i].length());
			}
		}
		for (String[] r : rows) {
			StringBuilder b = new StringBuilder();
			for (int i = 0; i < r.length; i++) {
				b.append(r[i]);
				if (i < r.length - 1) {
					b.append(" ".repeat(w[i] - r[i].length() + 2));
				}
			}
			out.println(b.toString().stripTrailing());
		}
	}
}
