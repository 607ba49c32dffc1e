package cc.container.api.runtime;

/**
 * A runtime operation that failed. The message is one sentence for the user naming the runtime, the container where
 * there is one, and what went wrong (with the command that failed, where it helps).
 */
public class DriverException extends Exception {
	private static final long serialVersionUID = 1L;

	/** Why the operation failed. */
	public enum Kind {
		/** No such container in the runtime. */
		NOT_FOUND,
		/** The runtime's tool is missing or cannot be run. */
		UNAVAILABLE,
		/** A tool did not answer within its timeout; it was killed. */
		TIMED_OUT,
		/** A tool answered with something the driver cannot read. */
		BAD_OUTPUT,
		/** The package's payload is not what the runtime accepts. */
		BAD_ARTIFACT,
		/** The runtime refused or failed the operation. */
		FAILED
	}

	private final String runtime;
	private final Kind kind;

	/** A failure of {@code runtime}. */
	public DriverException(String runtime, Kind kind, String message, Throwable cause) {
		super(message, cause);
		this.runtime = runtime;
		this.kind = kind;
	}

	/** A failure of {@code runtime} without a cause. */
	public DriverException(String runtime, Kind kind, String message) {
		this(runtime, kind, message, null);
	}

	/** The runtime that failed: {@code lxc} or {@code podman}. */
	public String runtime() {
		return runtime;
	}

	/** Why it failed. */
	public Kind kind() {
		return kind;
	}
}
