package cc.container.util.tar;

import java.io.IOException;

/** An archive member that would not be safe to unpack; the message names it and says why. */
public final class UnsafeArchiveException extends IOException {
	private static final long serialVersionUID = 1L;

	/** A refusal with its user-facing message. */
	public UnsafeArchiveException(String message) {
		super(cc.container.util.Text.oneLine(message));
	}
}
