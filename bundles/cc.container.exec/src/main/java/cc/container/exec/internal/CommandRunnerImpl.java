package cc.container.exec.internal;

import cc.container.api.config.DaemonConfiguration;
import cc.container.api.exec.Command;
import cc.container.api.exec.CommandException;
import cc.container.api.exec.CommandResult;
import cc.container.api.exec.CommandRunner;
import cc.container.api.exec.RunningCommand;
import cc.container.util.PrivateDir;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;
import java.util.function.IntConsumer;
import java.util.stream.Stream;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.log.Logger;
import org.osgi.service.log.LoggerFactory;

/**
 * The command runner service. Output of finished commands passes through files in {@code <working_path>/run/exec},
 * a folder only the daemon's user may enter (never a shared temporary folder, where another user could prepare the
 * path), emptied when the component starts and stops.
 */
@Component(service = CommandRunner.class)
public final class CommandRunnerImpl implements CommandRunner {
	private final ProcessRunner runner;
	private final Path tmpDir;

	/** A runner whose commands are logged at DEBUG. */
	@Activate
	public CommandRunnerImpl(@Reference DaemonConfiguration daemon, @Reference(service = LoggerFactory.class) Logger log) {
		this(daemon.config().service().runDir().resolve("exec"), log::debug);
	}

	/**
	 * A runner with its own folder for output files and a debug log of its own (tests).
	 *
	 * @throws UncheckedIOException when the folder cannot be made private (it belongs to someone else, say)
	 */
	public CommandRunnerImpl(Path tmpDir, Consumer<String> debug) {
		this.tmpDir = tmpDir;
		try {
			PrivateDir.ensure(tmpDir.getParent());
			PrivateDir.ensure(tmpDir);
		} catch (IOException e) {
			throw new UncheckedIOException("the daemon's folder for command output cannot be used: " + e.getMessage(), e);
		}
		deactivate(); // what a crash left
		this.runner = new ProcessRunner(tmpDir, debug);
	}

	@Override
	public CommandResult run(Command command) throws CommandException {
		return runner.run(command);
	}

	@Override
	public RunningCommand stream(Command command, boolean mergeStderr, Consumer<String> lines, IntConsumer exit) throws CommandException {
		return runner.stream(command, mergeStderr, lines, exit);
	}

	@Deactivate
	void deactivate() {
		if (!Files.isDirectory(tmpDir)) {
			return;
		}
		try (Stream<Path> files = Files.list(tmpDir)) {
			files.forEach(p -> p.toFile().delete());
		} catch (IOException e) {
			// nothing of value is lost
		}
	}
}
