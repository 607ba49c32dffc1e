package cc.container.api.exec;

import java.util.function.Consumer;
import java.util.function.IntConsumer;
import org.osgi.annotation.versioning.ProviderType;

/**
 * Runs external programs: argv as a list (never a shell), environment given explicitly, a timeout after which the
 * whole process tree is killed, standard output and error captured apart with a size cap. Every call of
 * {@code podman} or an {@code lxc-*} tool goes through this service; each is logged at DEBUG.
 */
@ProviderType
public interface CommandRunner {

	/**
	 * Runs a command to its end.
	 *
	 * @return its result, whatever its exit status
	 * @throws CommandException when it could not be started, timed out (it was killed then) or the caller was
	 *             interrupted
	 */
	CommandResult run(Command command) throws CommandException;

	/**
	 * Starts a long-running command and hands every line of its standard output (and, when {@code mergeStderr}, of
	 * its standard error) to {@code lines}, on a thread of the runner. {@link Command#timeout()} is ignored: the
	 * command runs until it ends or is closed. {@code exit} gets the exit status when it has ended, whichever way.
	 *
	 * @throws CommandException when it could not be started
	 */
	RunningCommand stream(Command command, boolean mergeStderr, Consumer<String> lines, IntConsumer exit) throws CommandException;
}
