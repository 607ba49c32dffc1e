package cc.container.api.command;

import java.io.PrintStream;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.osgi.annotation.versioning.ProviderType;

/**
 * The commands of SPEC section 7 ({@code list}, {@code status}, {@code start}, ...), as one service: the Gogo shell's
 * {@code container:*} functions and {@code containerctl} (through the control socket) both run them, so their output
 * and exit status are the same.
 */
@ProviderType
public interface ContainerCommands {

	/** Where a command writes, and whether its caller went away. */
	interface Session {
		/** Standard output. */
		PrintStream out();

		/** Standard error: one line per error. */
		PrintStream err();

		/** Whether standard output is a terminal (progress lines are redrawn in place). */
		boolean tty();

		/** Whether the caller went away (a followed log stops then). */
		boolean cancelled();

		/**
		 * Whether the caller is root (uid 0): only root may load code into the daemon ({@code bundle update} and
		 * {@code bundle rollback}), never a member of the control group. A session that does not say is not root.
		 */
		default boolean root() {
			return false;
		}

		/** A session on these streams; {@code cancelled} is asked whether the caller went away. */
		static Session of(PrintStream out, PrintStream err, boolean tty, boolean root, BooleanSupplier cancelled) {
			return new Session() {
				@Override
				public PrintStream out() {
					return out;
				}

				@Override
				public PrintStream err() {
					return err;
				}

				@Override
				public boolean tty() {
					return tty;
				}

				@Override
				public boolean cancelled() {
					return cancelled.getAsBoolean();
				}

				@Override
				public boolean root() {
					return root;
				}
			};
		}
	}

	/**
	 * Runs one command ({@code args.get(0)} is its name).
	 *
	 * @return its exit status: 0 done, 1 failed, 2 bad usage, 4 no such container or package
	 */
	int execute(List<String> args, Session session);
}
