package cc.container.api.config;

/**
 * A configuration file that cannot be used. The message is one sentence for the user: it names the file, the field
 * path and, for syntax errors, the line and column.
 */
public class ConfigException extends Exception {
	private static final long serialVersionUID = 1L;

	/** A configuration error with its user-facing message. */
	public ConfigException(String message) {
		super(message);
	}

	/** A configuration error caused by an I/O failure. */
	public ConfigException(String message, Throwable cause) {
		super(message, cause);
	}
}
