package cc.container.testing;

import java.lang.reflect.Proxy;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.osgi.service.log.Logger;

/** An OSGi {@link Logger} for unit tests that records every message as {@code LEVEL message}. */
public final class TestLogger {
	private TestLogger() {
	}

	/** A logger that appends to {@code lines}; set {@code cc.test.log=true} to also print them. */
	public static Logger into(List<String> lines) {
		boolean print = Boolean.getBoolean("cc.test.log");
		return (Logger) Proxy.newProxyInstance(Logger.class.getClassLoader(), new Class<?>[] { Logger.class }, (proxy, method, args) -> {
			String m = method.getName();
			switch (m) {
				case "getName":
					return "test";
				case "isTraceEnabled":
				case "isDebugEnabled":
				case "isInfoEnabled":
				case "isWarnEnabled":
				case "isErrorEnabled":
					return true;
				case "trace":
				case "debug":
				case "info":
				case "warn":
				case "error":
				case "audit":
					if (args != null && args.length > 0 && args[0] instanceof String) {
						String line = m.toUpperCase() + " " + format((String) args[0], args);
						lines.add(line);
						if (print) {
							System.err.println(line);
						}
					}
					return null;
				case "hashCode":
					return System.identityHashCode(proxy);
				case "equals":
					return proxy == args[0];
				case "toString":
					return "TestLogger";
				default:
					return null;
			}
		});
	}

	/** A logger that records into a new list. */
	public static Logger create() {
		return into(new CopyOnWriteArrayList<>());
	}

	/** Replaces each {@code {}} with the next argument, as the OSGi Logger does. */
	static String format(String fmt, Object[] args) {
		if (args != null && args.length == 2 && args[1] instanceof Object[]) {
			// a varargs call: (format, Object[] arguments)
			Object[] flat = (Object[]) args[1];
			Object[] all = new Object[flat.length + 1];
			all[0] = fmt;
			System.arraycopy(flat, 0, all, 1, flat.length);
			args = all;
		}
		StringBuilder b = new StringBuilder();
		int arg = 1;
		int i = 0;
		while (i < fmt.length()) {
			if (fmt.startsWith("{}", i) && args != null && arg < args.length) {
				b.append(args[arg++]);
				i += 2;
			} else {
				b.append(fmt.charAt(i++));
			}
		}
		return b.toString();
	}
}
