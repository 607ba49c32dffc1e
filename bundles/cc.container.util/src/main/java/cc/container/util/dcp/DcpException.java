package cc.container.util.dcp;

/** A package that cannot be installed; the message is one sentence saying what is wrong with it. */
public final class DcpException extends Exception {
	private static final long serialVersionUID = 1L;

	/** A refusal with its user-facing message. */
	public DcpException(String message) {
		super(cc.container.util.Text.oneLine(message));
	}

	/** A refusal caused by another error. */
	public DcpException(String message, Throwable cause) {
		super(cc.container.util.Text.oneLine(message), cause);
	}
}
