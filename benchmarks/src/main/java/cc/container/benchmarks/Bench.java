package cc.container.benchmarks;

import cc.container.api.exec.Command;
import cc.container.api.exec.CommandException;
import cc.container.api.exec.CommandResult;
import cc.container.api.exec.CommandRunner;
import cc.container.api.exec.RunningCommand;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.IntConsumer;

/** Small helpers shared by the benchmarks. */
final class Bench {
	private Bench() {
	}

	/** A command runner that counts the processes it starts. */
	static final class CountingRunner implements CommandRunner {
		final CommandRunner delegate;
		final AtomicInteger processes = new AtomicInteger();

		CountingRunner(CommandRunner delegate) {
			this.delegate = delegate;
		}

		@Override
		public CommandResult run(Command command) throws CommandException {
			processes.incrementAndGet();
			return delegate.run(command);
		}

		@Override
		public RunningCommand stream(Command command, boolean mergeStderr, Consumer<String> lines, IntConsumer exit) throws CommandException {
			processes.incrementAndGet();
			return delegate.stream(command, mergeStderr, lines, exit);
		}
	}

	/** A task that may throw. */
	interface Task {
		void run() throws Exception;
	}

	/** Wall times (ms) of {@code rounds} runs of {@code task}, after one warm-up run. */
	static double[] time(int rounds, Task task) throws Exception {
		task.run();
		double[] ms = new double[rounds];
		for (int i = 0; i < rounds; i++) {
			long t = System.nanoTime();
			task.run();
			ms[i] = (System.nanoTime() - t) / 1e6;
		}
		Arrays.sort(ms);
		return ms;
	}

	static double median(double[] sorted) {
		return sorted[sorted.length / 2];
	}

	static double worst(double[] sorted) {
		return sorted[sorted.length - 1];
	}
}
