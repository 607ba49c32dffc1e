package cc.container.api.exec;

/** A command that did not run to its end: it could not be started, it timed out, or the caller was interrupted. */
public class CommandException extends Exception {
	private static final long serialVersionUID = 1L;

	/** Why the command did not finish. */
	public enum Kind {
		/** The program could not be started (missing, not executable). */
		NOT_STARTED,
		/** It ran past its timeout and was killed with every process it had started. */
		TIMED_OUT,
		/** The calling thread was interrupted; the command was killed. */
		INTERRUPTED
	}

	private final transient Command command;
	private final Kind kind;

	/** A command failure of the given kind; the message names the command. */
	public CommandException(Kind kind, Command command, String message, Throwable cause) {
		super(message, cause);
		this.kind = kind;
		this.command = command;
	}

	/** Why the command did not finish. */
	public Kind kind() {
		return kind;
	}

	/** The command. */
	public Command command() {
		return command;
	}
}
