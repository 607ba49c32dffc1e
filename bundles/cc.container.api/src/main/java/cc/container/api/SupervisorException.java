package cc.container.api;

/** An operation of the supervisor that could not be done; the message is one sentence for the user. */
public class SupervisorException extends Exception {
	private static final long serialVersionUID = 1L;

	/** Why it could not be done. */
	public enum Kind {
		/** No managed container has that id. */
		NOT_FOUND,
		/** The container's runtime driver is absent (being upgraded, or not installed). */
		UNAVAILABLE,
		/** The runtime failed the operation. */
		FAILED
	}

	private final Kind kind;

	/** An error of the given kind. */
	public SupervisorException(Kind kind, String message, Throwable cause) {
		super(message, cause);
		this.kind = kind;
	}

	/** Why it could not be done. */
	public Kind kind() {
		return kind;
	}
}
