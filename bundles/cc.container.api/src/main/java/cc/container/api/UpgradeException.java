package cc.container.api;

/** A bundle update or rollback that did not happen; the message is one sentence for the user. */
public class UpgradeException extends Exception {
	private static final long serialVersionUID = 1L;

	/** Why it did not happen. */
	public enum Kind {
		/** The jar cannot replace a bundle of the daemon (not a bundle, unresolvable, the manager itself); nothing changed. */
		REFUSED,
		/** No bundle has that symbolic name, or the file is missing. */
		NOT_FOUND,
		/** The new version did not come up and the previous one was put back. */
		ROLLED_BACK,
		/** The framework failed in a way that could not be undone; the message says what runs now. */
		FAILED
	}

	private final Kind kind;

	/** An error of the given kind. */
	public UpgradeException(Kind kind, String message, Throwable cause) {
		super(message, cause);
		this.kind = kind;
	}

	/** Why it did not happen. */
	public Kind kind() {
		return kind;
	}
}
