package cc.container.remote.internal;

import cc.container.api.command.ContainerCommands;
import cc.container.util.json.Json;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Runs the commands a fleet sends: the same commands, output, exit statuses and one-sentence errors as
 * {@code containerctl} (the {@link ContainerCommands} service), restricted to what a remote manager may do, with
 * {@code install --url} and {@code update --url} downloading the package first.
 *
 * <p>A request is {@code {"id": "<correlation id>", "args": ["start", "web"]}}; the answer
 * {@code {"id", "device", "status", "output", "error"}}. Exit statuses: 0 done, 1 failed, 2 bad request or refused,
 * 4 no such container or package.
 */
final class CommandDesk {
	/** Commands a fleet may run (the first word, or the first two). */
	static final Set<String> ALLOWED = Set.of("list", "status", "start", "stop", "restart", "logs", "remove", "install", "update",
		"config get", "config set", "bundle list", "daemon status");
	static final int MAX_ARGS = 64;
	static final int MAX_ARG = 4096;
	static final int MAX_OUTPUT = 32 << 10;
	/** The largest package a URL may give. */
	static final long MAX_DOWNLOAD = 2L << 30;
	/** How long a download may take in all. */
	static final long DOWNLOAD_DEADLINE_MS = 10 * 60_000;

	private final ContainerCommands commands;
	private final Path downloads;
	private final String device;
	private final java.util.function.BooleanSupplier httpAllowed;
	private final AtomicLong names = new AtomicLong();

	/**
	 * @param httpAllowed whether a plain {@code http://} package URL is taken (the configuration allows it, or signed
	 *        packages are required), asked at each download
	 */
	CommandDesk(ContainerCommands commands, Path downloads, String device, java.util.function.BooleanSupplier httpAllowed) {
		this.commands = commands;
		this.downloads = downloads;
		this.device = device;
		this.httpAllowed = httpAllowed;
	}

	/** The correlation id of a request, when it has a valid one; null otherwise. */
	static String correlationId(Object request) {
		if (request instanceof Map<?, ?> m && m.get("id") instanceof String id && id.matches("[A-Za-z0-9_.:-]{1,64}")) {
			return id;
		}
		return null;
	}

	/** Runs one request; returns the answer. Never throws for a bad request: the answer says what is wrong. */
	Map<String, Object> handle(byte[] payload) {
		Object request;
		try {
			request = Json.parse(payload);
		} catch (Json.SyntaxException e) {
			return answer(null, 2, "", "the request is not JSON (" + e.getMessage() + ")");
		}
		String id = correlationId(request);
		if (id == null) {
			return answer(null, 2, "", "the request has no \"id\" of 1 to 64 letters, digits, '_', '.', ':' or '-'");
		}
		Map<?, ?> m = (Map<?, ?>) request;
		if (!(m.get("args") instanceof List<?> raw) || raw.isEmpty() || raw.size() > MAX_ARGS) {
			return answer(id, 2, "", "the request's \"args\" must be a list of 1 to " + MAX_ARGS + " strings, such as [\"start\", \"web\"]");
		}
		List<String> args = new ArrayList<>();
		for (Object a : raw) {
			if (!(a instanceof String s) || s.length() > MAX_ARG) {
				return answer(id, 2, "", "the request's \"args\" must be strings of at most " + MAX_ARG + " characters");
			}
			args.add(s);
		}
		String name = args.size() > 1 && (args.get(0).equals("config") || args.get(0).equals("bundle") || args.get(0).equals("daemon"))
			? args.get(0) + " " + args.get(1) : args.get(0);
		if (!ALLOWED.contains(name)) {
			return answer(id, 2, "", "\"" + name + "\" may not be run remotely (allowed: " + String.join(", ", ALLOWED.stream().sorted().toList()) + ")");
		}
		if (name.equals("logs") && (args.contains("-f") || args.contains("--follow"))) {
			return answer(id, 2, "", "logs --follow may not be run remotely: ask for the last lines (logs <id> --tail N)");
		}
		Path download = null;
		if ((name.equals("install") || name.equals("update")) && !args.contains("--url")) {
			return answer(id, 2, "", name + " takes its package by --url <https:// URL> remotely; a path on the device is not accepted");
		}
		try {
			int url = args.indexOf("--url");
			if (url >= 0) {
				if (!name.equals("install") && !name.equals("update")) {
					return answer(id, 2, "", "--url is for install and update");
				}
				if (url + 1 >= args.size()) {
					return answer(id, 2, "", "--url needs the package's http:// or https:// URL");
				}
				try {
					download = download(args.get(url + 1));
				} catch (IllegalArgumentException e) {
					return answer(id, 2, "", e.getMessage());
				} catch (IOException e) {
					return answer(id, 1, "", "downloading " + args.get(url + 1) + " failed: " + e.getMessage());
				}
				args.remove(url + 1);
				args.set(url, download.toString());
			}
			ByteArrayOutputStream out = new Capped();
			ByteArrayOutputStream err = new Capped();
			int status;
			try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8); PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
				// Not root: loading code into the daemon stays a decision taken on the device.
				status = commands.execute(args, ContainerCommands.Session.of(o, e, false, false, () -> false));
			}
			return answer(id, status, printable(out.toString(StandardCharsets.UTF_8)), printable(err.toString(StandardCharsets.UTF_8)).strip());
		} finally {
			if (download != null) {
				try {
					Files.deleteIfExists(download);
				} catch (IOException e) {
					// the next download's clean-up
				}
			}
		}
	}

	/** Downloads a package into the private downloads folder, bounded by the free space and {@link #MAX_DOWNLOAD}. */
	Path download(String url) throws IOException {
		URI uri;
		try {
			uri = new URI(url);
		} catch (java.net.URISyntaxException e) {
			throw new IllegalArgumentException("\"" + url + "\" is not a URL");
		}
		if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null) {
			throw new IllegalArgumentException("--url must be an https:// URL, got \"" + url + "\"");
		}
		if ("http".equals(uri.getScheme()) && !httpAllowed.getAsBoolean()) {
			throw new IllegalArgumentException("--url must be an https:// URL: a plain http:// one is taken only with remote.allow_http_downloads or "
				+ "security.require_signed_packages, got \"" + url + "\"");
		}
		URL u = uri.toURL();
		HttpURLConnection c = (HttpURLConnection) u.openConnection();
		c.setConnectTimeout(30_000);
		c.setReadTimeout(60_000);
		c.setInstanceFollowRedirects(false); // a redirect could lead anywhere: the fleet gives the package's own URL
		long deadline = System.currentTimeMillis() + DOWNLOAD_DEADLINE_MS;
		try {
			int code = c.getResponseCode();
			if (code >= 300 && code < 400) {
				throw new IOException("the server redirected to " + c.getHeaderField("Location") + "; give the package's own URL");
			}
			if (code != 200) {
				throw new IOException("the server answered " + code + " " + c.getResponseMessage());
			}
			// Half the free space at most: installing the package needs as much again for its payload.
			long free = Files.getFileStore(downloads).getUsableSpace();
			long limit = Math.min(MAX_DOWNLOAD, free / 2);
			long length = c.getContentLengthLong();
			if (length > limit) {
				throw new IOException("the package (" + length + " bytes) is larger than the " + limit + " bytes it may take");
			}
			Path file = downloads.resolve("package-" + names.incrementAndGet() + ".tar.gz");
			try (InputStream in = c.getInputStream(); OutputStream out = Files.newOutputStream(file)) {
				byte[] buf = new byte[64 << 10];
				long n = 0;
				int r;
				while ((r = in.read(buf)) > 0) {
					n += r;
					if (n > limit) {
						throw new IOException("the package is larger than the " + limit + " bytes it may take");
					}
					if (System.currentTimeMillis() > deadline) {
						throw new IOException("the download took more than " + DOWNLOAD_DEADLINE_MS / 60_000 + " minutes");
					}
					out.write(buf, 0, r);
				}
			} catch (IOException e) {
				Files.deleteIfExists(file);
				throw e;
			}
			return file;
		} finally {
			c.disconnect();
		}
	}

	/** The text without control characters but line ends and tabs (a container's colours, say), which JSON escapes sixfold. */
	static String printable(String s) {
		StringBuilder b = new StringBuilder(s.length());
		for (int i = 0; i < s.length(); i++) {
			char c = s.charAt(i);
			if (c >= 0x20 && c != 0x7f || c == '\n' || c == '\t') {
				b.append(c);
			}
		}
		return b.toString();
	}

	private Map<String, Object> answer(String id, int status, String output, String error) {
		Map<String, Object> a = new LinkedHashMap<>();
		a.put("id", id);
		a.put("device", device);
		a.put("status", status);
		a.put("output", output);
		a.put("error", error);
		return a;
	}

	/** An output kept to {@link #MAX_OUTPUT} bytes. */
	private static final class Capped extends ByteArrayOutputStream {
		private boolean cut;

		@Override
		public synchronized void write(int b) {
			write(new byte[] { (byte) b }, 0, 1);
		}

		@Override
		public synchronized void write(byte[] b, int off, int len) {
			int room = MAX_OUTPUT - count;
			if (len > room) {
				if (!cut) {
					super.write(b, off, Math.max(0, room));
					byte[] note = "\n(output cut)\n".getBytes(StandardCharsets.UTF_8);
					super.write(note, 0, note.length);
					cut = true;
				}
				return;
			}
			super.write(b, off, len);
		}
	}
}
