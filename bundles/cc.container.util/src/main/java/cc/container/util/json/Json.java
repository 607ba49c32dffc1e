package cc.container.util.json;

import cc.container.util.Bounded;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A small JSON tree on top of Jackson's streaming API: objects are {@link LinkedHashMap}s (field order kept),
 * arrays {@link List}s, numbers {@link Long}, {@link BigInteger} or {@link BigDecimal}, then strings, booleans and
 * {@code null}. Streaming keeps the daemon free of Jackson's data binding, which costs memory on a device.
 *
 * <p>Every document the daemon reads may come from outside (a package's manifest, a hand-edited file, a request), so
 * what one may hold is bounded: nesting {@value #MAX_DEPTH} deep, numbers of {@value #MAX_NUMBER_LENGTH} characters
 * with an exponent of at most {@value #MAX_EXPONENT} either way (a number such as {@code 1e999999999} would otherwise
 * take gigabytes once written out), strings of {@value #MAX_STRING} characters. Callers bound the document itself
 * ({@link #parse(java.nio.file.Path, int)}).
 */
public final class Json {
	/** How deep objects and arrays may nest. */
	public static final int MAX_DEPTH = 32;
	/** The longest number, in characters. */
	public static final int MAX_NUMBER_LENGTH = 64;
	/** The largest exponent (either way) of a number with a fraction or an exponent. */
	public static final int MAX_EXPONENT = 64;
	/** The longest string, in characters. */
	public static final int MAX_STRING = 1 << 20;

	private static final JsonFactory FACTORY = JsonFactory.builder()
		.enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
		.streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_DEPTH).maxNumberLength(MAX_NUMBER_LENGTH)
			.maxStringLength(MAX_STRING).build())
		.build();

	private Json() {
	}

	/** A syntax error, with the line and column where the parser stopped. */
	public static final class SyntaxException extends Exception {
		private static final long serialVersionUID = 1L;
		private final int line;
		private final int column;
		private final String problem;

		SyntaxException(String problem, int line, int column) {
			super("line " + line + ", column " + column + ": " + problem);
			this.problem = problem;
			this.line = line;
			this.column = column;
		}

		/** The line (1-based) where the error was found. */
		public int line() {
			return line;
		}

		/** The column (1-based) where the error was found. */
		public int column() {
			return column;
		}

		/** What is wrong, without the location. */
		public String problem() {
			return problem;
		}
	}

	/**
	 * Reads and parses a file of at most {@code maxBytes} bytes.
	 *
	 * @throws IOException when it cannot be read or is larger; the message says which
	 */
	public static Object parse(java.nio.file.Path file, int maxBytes) throws IOException, SyntaxException {
		return parse(Bounded.read(file, maxBytes));
	}

	/** Parses one JSON document into a tree. */
	public static Object parse(byte[] content) throws SyntaxException {
		try (JsonParser p = FACTORY.createParser(content)) {
			JsonToken first = p.nextToken();
			if (first == null) {
				throw new SyntaxException("the file is empty, a JSON object was expected", 1, 1);
			}
			Object value = read(p, first);
			JsonToken trailing = p.nextToken();
			if (trailing != null) {
				JsonLocation at = p.currentTokenLocation();
				throw new SyntaxException("unexpected content after the end of the JSON document", at.getLineNr(), at.getColumnNr());
			}
			return value;
		} catch (com.fasterxml.jackson.core.exc.StreamConstraintsException e) {
			JsonLocation at = e.getLocation();
			throw new SyntaxException(limit(e.getMessage()), at == null ? 0 : at.getLineNr(), at == null ? 0 : at.getColumnNr());
		} catch (JsonParseException e) {
			JsonLocation at = e.getLocation();
			int line = at == null ? 0 : at.getLineNr();
			int column = at == null ? 0 : at.getColumnNr();
			throw new SyntaxException(describe(e), line, column);
		} catch (IOException e) {
			throw new UncheckedIOException(e);
		}
	}

	/** Jackson's message of a broken limit, in the words of this class. */
	private static String limit(String message) {
		String m = message == null ? "" : message;
		if (m.contains("Number value length")) {
			return "a number is longer than " + MAX_NUMBER_LENGTH + " characters";
		}
		if (m.contains("nesting depth")) {
			return "objects and arrays nest deeper than " + MAX_DEPTH + " levels";
		}
		if (m.contains("String value length")) {
			return "a string is longer than " + MAX_STRING + " characters";
		}
		return "a limit of the reader was passed";
	}

	private static String describe(JsonParseException e) {
		String msg = e.getOriginalMessage();
		// Jackson adds hints meant for Java programmers; keep the first sentence.
		int nl = msg.indexOf('\n');
		if (nl >= 0) {
			msg = msg.substring(0, nl);
		}
		// ... and a description of the input source that means nothing to a user.
		int marker = msg.indexOf(" (start marker at");
		if (marker >= 0) {
			msg = msg.substring(0, marker);
		}
		return msg.replace(" (code ", " (char ").trim();
	}

	private static Object read(JsonParser p, JsonToken t) throws IOException {
		switch (t) {
			case START_OBJECT: {
				Map<String, Object> map = new LinkedHashMap<>();
				JsonToken n;
				while ((n = p.nextToken()) == JsonToken.FIELD_NAME) {
					String name = p.currentName();
					map.put(name, read(p, p.nextToken()));
				}
				return map;
			}
			case START_ARRAY: {
				List<Object> list = new ArrayList<>();
				JsonToken n;
				while ((n = p.nextToken()) != JsonToken.END_ARRAY) {
					list.add(read(p, n));
				}
				return list;
			}
			case VALUE_STRING:
				return p.getText();
			case VALUE_NUMBER_INT:
				switch (p.getNumberType()) {
					case INT:
					case LONG:
						return p.getLongValue();
					default:
						return p.getBigIntegerValue();
				}
			case VALUE_NUMBER_FLOAT: {
				BigDecimal d = p.getDecimalValue();
				if (Math.abs((long) d.scale()) > MAX_EXPONENT || d.precision() - (long) d.scale() > MAX_EXPONENT) {
					JsonLocation at = p.currentTokenLocation();
					throw new JsonParseException(p, "the number " + p.getText() + " is out of range", at);
				}
				return d;
			}
			case VALUE_TRUE:
				return Boolean.TRUE;
			case VALUE_FALSE:
				return Boolean.FALSE;
			case VALUE_NULL:
				return null;
			default:
				JsonLocation at = p.currentTokenLocation();
				throw new JsonParseException(p, "unexpected token " + t, at);
		}
	}

	/** Writes a tree as indented JSON (two spaces, one field a line) with a final newline. */
	public static byte[] write(Object tree) {
		ByteArrayOutputStream out = new ByteArrayOutputStream(4096);
		try (JsonGenerator g = FACTORY.createGenerator(out)) {
			DefaultPrettyPrinter pp = new DefaultPrettyPrinter().withObjectIndenter(new DefaultIndenter("  ", "\n"))
				.withArrayIndenter(new DefaultIndenter("  ", "\n"));
			g.setPrettyPrinter(pp);
			writeValue(g, tree);
		} catch (IOException e) {
			throw new UncheckedIOException(e);
		}
		out.write('\n');
		return out.toByteArray();
	}

	/** Writes a tree as compact JSON on one line, without a newline. */
	public static String writeCompact(Object tree) {
		ByteArrayOutputStream out = new ByteArrayOutputStream(256);
		try (JsonGenerator g = FACTORY.createGenerator(out)) {
			writeValue(g, tree);
		} catch (IOException e) {
			throw new UncheckedIOException(e);
		}
		return out.toString(java.nio.charset.StandardCharsets.UTF_8);
	}

	@SuppressWarnings("unchecked")
	private static void writeValue(JsonGenerator g, Object v) throws IOException {
		if (v == null) {
			g.writeNull();
		} else if (v instanceof Map) {
			g.writeStartObject();
			for (Map.Entry<String, Object> e : ((Map<String, Object>) v).entrySet()) {
				g.writeFieldName(e.getKey());
				writeValue(g, e.getValue());
			}
			g.writeEndObject();
		} else if (v instanceof List) {
			g.writeStartArray();
			for (Object o : (List<Object>) v) {
				writeValue(g, o);
			}
			g.writeEndArray();
		} else if (v instanceof String) {
			g.writeString((String) v);
		} else if (v instanceof Boolean) {
			g.writeBoolean((Boolean) v);
		} else if (v instanceof Long || v instanceof Integer || v instanceof Short) {
			g.writeNumber(((Number) v).longValue());
		} else if (v instanceof BigInteger) {
			g.writeNumber((BigInteger) v);
		} else if (v instanceof BigDecimal) {
			g.writeNumber((BigDecimal) v);
		} else if (v instanceof Double || v instanceof Float) {
			g.writeNumber(((Number) v).doubleValue());
		} else {
			g.writeString(v.toString());
		}
	}

	/**
	 * A whole number as the parser gives it ({@code 10}, or {@code 10.0}, which JSON writers produce for numbers they
	 * hold as floating point), or null for anything else ({@code 2.5}, a string, a number beyond a long).
	 */
	public static Long wholeNumber(Object v) {
		if (v instanceof Long l) {
			return l;
		}
		if (v instanceof java.math.BigDecimal d && (d.signum() == 0 || d.stripTrailingZeros().scale() <= 0)
			&& d.compareTo(java.math.BigDecimal.valueOf(Long.MIN_VALUE)) >= 0 && d.compareTo(java.math.BigDecimal.valueOf(Long.MAX_VALUE)) <= 0) {
			return d.longValueExact();
		}
		return null;
	}
}
