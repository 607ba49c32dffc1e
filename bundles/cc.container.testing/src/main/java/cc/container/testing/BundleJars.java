package cc.container.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

/**
 * Second versions of the project's bundles for the field-upgrade tests: the same classes rebuilt into a jar with
 * another {@code Bundle-Version}, or a broken one.
 */
public final class BundleJars {
	private BundleJars() {
	}

	/** {@code jar} rebuilt as version {@code version}, with a header naming the test build, into {@code out}. */
	public static Path rebuilt(Path jar, Path out, String version) throws IOException {
		return rewrite(jar, out, Map.of("Bundle-Version", version, "X-Rebuilt-By", "cc-container-mng tests"), null);
	}

	/**
	 * {@code jar} as version {@code version} whose Declarative Services components are immediate and name an
	 * implementation class that does not exist: it resolves and starts, and its components fail to activate.
	 */
	public static Path brokenComponents(Path jar, Path out, String version) throws IOException {
		return rewrite(jar, out, Map.of("Bundle-Version", version), xml -> xml.replaceFirst("<scr:component ", "<scr:component immediate=\"true\" ")
			.replaceAll("<implementation class=\"([^\"]+)\"", "<implementation class=\"$1Missing\""));
	}

	/** {@code jar} as version {@code version} with extra or replaced main manifest headers. */
	public static Path withHeaders(Path jar, Path out, Map<String, String> headers) throws IOException {
		return rewrite(jar, out, headers, null);
	}

	private static Path rewrite(Path jar, Path out, Map<String, String> headers, UnaryOperator<String> components) throws IOException {
		Files.createDirectories(out.toAbsolutePath().getParent());
		try (JarFile in = new JarFile(jar.toFile(), false)) {
			Manifest m = new Manifest(in.getManifest());
			Attributes main = m.getMainAttributes();
			headers.forEach((k, v) -> main.put(new Attributes.Name(k), v));
			try (OutputStream os = Files.newOutputStream(out); JarOutputStream j = new JarOutputStream(os, m)) {
				Enumeration<JarEntry> entries = in.entries();
				while (entries.hasMoreElements()) {
					JarEntry e = entries.nextElement();
					if (e.getName().equals(JarFile.MANIFEST_NAME)) {
						continue;
					}
					j.putNextEntry(new JarEntry(e.getName()));
					try (InputStream is = in.getInputStream(e)) {
						byte[] bytes = is.readAllBytes();
						if (components != null && e.getName().startsWith("OSGI-INF/") && e.getName().endsWith(".xml")) {
							bytes = components.apply(new String(bytes, StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8);
						}
						j.write(bytes);
					}
					j.closeEntry();
				}
			}
		}
		return out;
	}
}
