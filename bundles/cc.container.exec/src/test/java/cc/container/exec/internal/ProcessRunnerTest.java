package cc.container.exec.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import cc.container.api.exec.Command;
import cc.container.api.exec.CommandException;
import cc.container.api.exec.CommandResult;
import cc.container.api.exec.RunningCommand;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProcessRunnerTest {
	@TempDir
	Path dir;

	final List<String> debug = new CopyOnWriteArrayList<>();

	CommandRunnerImpl runner() {
		return new CommandRunnerImpl(dir.resolve("tmp"), debug::add);
	}

	static Command sh(String script, Duration timeout) {
		return Command.of(List.of("/bin/sh", "-c", script), timeout);
	}

	@Test
	void capturesStdoutAndStderrApartWithTheExitStatus() throws Exception {
		CommandResult r = runner().run(sh("echo out; echo err >&2; exit 3", Duration.ofSeconds(10)));
		assertThat(r.exitCode()).isEqualTo(3);
		assertThat(r.stdout()).isEqualTo("out\n");
		assertThat(r.stderr()).isEqualTo("err\n");
		assertThat(r.reason()).isEqualTo("err");
		assertThat(r.truncated()).isFalse();
		assertThat(debug).anySatisfy(l -> assertThat(l).startsWith("Ran /bin/sh -c 'echo out; echo err >&2; exit 3' in ").endsWith("exit 3 (err)"));
		assertThat(dir.resolve("tmp")).isEmptyDirectory();
	}

	@Test
	void argumentsAreNeverInterpretedByAShell() throws Exception {
		CommandResult r = runner().run(Command.of(List.of("/bin/echo", "$HOME", "; rm -rf /", "`id`"), Duration.ofSeconds(10)));
		assertThat(r.stdout()).isEqualTo("$HOME ; rm -rf / `id`\n");
	}

	@Test
	void environmentIsAddedAndRemovedExplicitly() throws Exception {
		Command c = sh("echo \"[$CC_A][${HOME:-none}]\"", Duration.ofSeconds(10))
			.withEnvironment(new java.util.HashMap<>(Map.of("CC_A", "a b")) {
				{
					put("HOME", null);
				}
			});
		assertThat(runner().run(c).stdout()).isEqualTo("[a b][none]\n");
	}

	@Test
	void outputIsCappedAndFlagged() throws Exception {
		Command c = new Command(List.of("/bin/sh", "-c", "head -c 100000 /dev/zero"), Map.of(), null, Duration.ofSeconds(10), 1000);
		CommandResult r = runner().run(c);
		assertThat(r.stdout()).hasSize(1000);
		assertThat(r.truncated()).isTrue();
	}

	@Test
	void hungCommandIsKilledWithItsChildrenAtTheTimeout() throws Exception {
		Path pids = dir.resolve("pids");
		// A parent that starts two sleeping children and hangs itself.
		String script = "sleep 600 & echo $! >> " + pids + "; sleep 600 & echo $! >> " + pids + "; echo $$ >> " + pids + "; wait";
		long start = System.nanoTime();
		assertThatThrownBy(() -> runner().run(sh(script, Duration.ofSeconds(1)))).isInstanceOf(CommandException.class)
			.satisfies(e -> assertThat(((CommandException) e).kind()).isEqualTo(CommandException.Kind.TIMED_OUT))
			.hasMessageContaining("did not finish within 1 s and was killed");
		assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(30));
		List<String> all = Files.readAllLines(pids);
		assertThat(all).hasSize(3);
		for (String pid : all) {
			long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
			while (ProcessHandle.of(Long.parseLong(pid.trim())).map(ProcessHandle::isAlive).orElse(false)
				&& System.nanoTime() < deadline) {
				Thread.sleep(20);
			}
			assertThat(ProcessHandle.of(Long.parseLong(pid.trim())).map(ProcessHandle::isAlive).orElse(false)).as("pid " + pid).isFalse();
		}
	}

	@Test
	void missingProgramIsAClearError() {
		assertThatThrownBy(() -> runner().run(Command.of(List.of("/nonexistent/podman", "ps"), Duration.ofSeconds(5))))
			.isInstanceOf(CommandException.class)
			.hasMessage("cannot run /nonexistent/podman: no such file or directory")
			.satisfies(e -> assertThat(((CommandException) e).kind()).isEqualTo(CommandException.Kind.NOT_STARTED));
	}

	@Test
	void aDaemonizedChildHoldingTheOutputDoesNotBlockTheCaller() throws Exception {
		// Like lxc-start: the tool exits at once, leaving a child that keeps its standard output open.
		long start = System.nanoTime();
		CommandResult r = runner().run(sh("(sleep 5 &) ; echo started", Duration.ofSeconds(30)));
		assertThat(r.stdout()).isEqualTo("started\n");
		assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(4));
	}

	@Test
	void streamDeliversLinesAndCloseKillsTheProcess() throws Exception {
		List<String> lines = new CopyOnWriteArrayList<>();
		AtomicInteger exit = new AtomicInteger(Integer.MIN_VALUE);
		RunningCommand rc = runner().stream(sh("echo one; echo two >&2; while true; do echo tick; sleep 0.1; done", Duration.ofSeconds(1)),
			true, lines::add, exit::set);
		long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
		while (!lines.contains("tick") && System.nanoTime() < deadline) {
			Thread.sleep(10);
		}
		assertThat(lines).startsWith("one", "two");
		assertThat(rc.isAlive()).isTrue();
		rc.close();
		while (exit.get() == Integer.MIN_VALUE && System.nanoTime() < deadline) {
			Thread.sleep(10);
		}
		assertThat(rc.isAlive()).isFalse();
		assertThat(exit.get()).isEqualTo(137);
	}
}
