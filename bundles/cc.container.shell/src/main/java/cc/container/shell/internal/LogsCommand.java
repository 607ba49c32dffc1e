package cc.container.shell.internal;

import cc.container.api.Supervisor;
import cc.container.api.SupervisorException;
import cc.container.api.command.ContainerCommands;
import cc.container.util.command.CommandLine.UsageException;
import cc.container.util.command.CommandLine;

/**
 * {@code logs [--tail N] [-f]}: a container's output, through the supervisor; followed through a bounded buffer that
 * the runtime's thread never waits on.
 */
final class LogsCommand {
	private final Supervisor supervisor;

	LogsCommand(Supervisor supervisor) {
		this.supervisor = supervisor;
	}

	int run(CommandLine c, ContainerCommands.Session io) throws UsageException, Cli.Failure {
		String id = c.param(0);
		int tail = c.number("--tail", 100, 0, 1_000_000);
		try {
			if (!c.has("-f")) {
				supervisor.logs(id, tail).forEach(io.out()::println);
				return Cli.OK;
			}
			FollowBuffer buffer = new FollowBuffer();
			try (AutoCloseable f = supervisor.followLogs(id, tail, buffer)) {
				while (!io.cancelled() && !Thread.currentThread().isInterrupted()) {
					String line = buffer.take(200);
					if (buffer.overflowed()) {
						throw new Cli.Failure(Cli.FAILED, "logs -f of " + id + " stopped: its output came faster than it was read (more than "
							+ FollowBuffer.MAX_BYTES / (1 << 20) + " MiB behind)");
					}
					for (; line != null; line = buffer.take(0)) {
						io.out().println(line);
					}
					io.out().flush();
				}
			}
			return Cli.OK;
		} catch (SupervisorException e) {
			throw Cli.failure(e);
		} catch (InterruptedException e) {
			Thread.currentThread().interrupt();
			return Cli.OK;
		} catch (Cli.Failure e) {
			throw e;
		} catch (Exception e) {
			throw new Cli.Failure(Cli.FAILED, String.valueOf(e.getMessage()));
		}
	}
}
