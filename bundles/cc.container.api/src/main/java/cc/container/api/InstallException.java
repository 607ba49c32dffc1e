package cc.container.api;

/** An install, update or removal that did not happen; the message is one sentence for the user. */
public class InstallException extends Exception {
	private static final long serialVersionUID = 1L;

	/** Why it did not happen. */
	public enum Kind {
		/** The package is broken or hostile; nothing was changed. */
		BAD_PACKAGE,
		/** The package's container is already installed (install), or is not (update, remove). */
		CONFLICT,
		/** No container has that id. */
		NOT_FOUND,
		/** The runtime's driver is absent. */
		UNAVAILABLE,
		/** The runtime failed; nothing was changed. */
		FAILED,
		/** The new version failed to start and the previous one was put back. */
		ROLLED_BACK
	}

	private final Kind kind;

	/** An error of the given kind. */
	public InstallException(Kind kind, String message, Throwable cause) {
		super(message, cause);
		this.kind = kind;
	}

	/** Why it did not happen. */
	public Kind kind() {
		return kind;
	}
}
