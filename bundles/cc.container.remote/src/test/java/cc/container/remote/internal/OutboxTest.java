package cc.container.remote.internal;

import static org.assertj.core.api.Assertions.assertThat;

import cc.container.remote.internal.Outbox.Message;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OutboxTest {
	@TempDir
	Path dir;

	static List<Message> drain(Outbox o) throws Exception {
		List<Message> out = new ArrayList<>();
		while (o.pending() > 0) {
			Outbox.Batch b = o.next(o.position(), 7);
			out.addAll(b.messages());
			o.acknowledge(b.end());
		}
		return out;
	}

	@Test
	void messagesComeOutInOrderAndTheFileEmptiesOnceAllAreAcknowledged() throws Exception {
		Outbox o = new Outbox(dir, 1 << 20);
		for (int i = 0; i < 50; i++) {
			o.add(new Message("t/" + i, i % 2 == 0, "{\"n\":" + i + "}"));
		}
		List<Message> got = drain(o);
		assertThat(got).hasSize(50);
		for (int i = 0; i < 50; i++) {
			assertThat(got.get(i)).isEqualTo(new Message("t/" + i, i % 2 == 0, "{\"n\":" + i + "}"));
		}
		assertThat(Files.size(dir.resolve("outbox.jsonl"))).isZero();
	}

	@Test
	void whatWasNotAcknowledgedSurvivesARestartAndIsSentAgain() throws Exception {
		Outbox o = new Outbox(dir, 1 << 20);
		for (int i = 0; i < 10; i++) {
			o.add(new Message("t", false, "m" + i));
		}
		Outbox.Batch first = o.next(o.position(), 4);
		o.acknowledge(first.end());
		o.next(first.end(), 3); // read, never acknowledged: the daemon stopped
		Outbox again = new Outbox(dir, 1 << 20);
		assertThat(drain(again)).extracting(Message::payload).containsExactly("m4", "m5", "m6", "m7", "m8", "m9");
	}

	@Test
	void pastTheBoundTheOldestGoAndAreCounted() throws Exception {
		long bound = 4096;
		Outbox o = new Outbox(dir, bound);
		int n = 400;
		int sent = 0;
		for (int i = 0; i < n; i++) {
			o.add(new Message("dev/telemetry", false, String.format("{\"n\":%05d}", i)));
			assertThat(o.pending()).isLessThanOrEqualTo(bound);
			assertThat(Files.size(dir.resolve("outbox.jsonl"))).isLessThanOrEqualTo(bound);
			if (i == 100) {
				// The broker acknowledged a part: what it has need not stay, and the file still keeps to the bound.
				Outbox.Batch b = o.next(o.position(), 10);
				o.acknowledge(b.end());
				sent = b.messages().size();
			}
		}
		long dropped = o.takeDropped();
		assertThat(dropped).isPositive();
		List<Message> kept = drain(o);
		assertThat(sent + dropped + kept.size()).isEqualTo(n);
		// The newest are kept, in order, with no gap.
		for (int i = 0; i < kept.size(); i++) {
			assertThat(kept.get(i).payload()).isEqualTo(String.format("{\"n\":%05d}", n - kept.size() + i));
		}
		assertThat(o.takeDropped()).isZero();
	}

	@Test
	void pastTheBoundTelemetryAndReplacedStatesGoFirstAndEventsStay() throws Exception {
		long bound = 4096;
		Outbox o = new Outbox(dir, bound);
		String state = "{\"status\":\"%s\",\"pad\":\"" + "x".repeat(300) + "\"}";
		o.add(new Message("dev/events", false, "{\"crash\":1}"));
		o.add(new Message("dev/a/state", true, String.format(state, "exited")));
		o.add(new Message("dev/b/state", true, String.format(state, "running")));
		int n = 300;
		for (int i = 0; i < n; i++) {
			o.add(new Message("dev/a/telemetry", false, String.format("{\"n\":%05d}", i), true));
			if (i == 150) {
				o.add(new Message("dev/events", false, "{\"crash\":2}"));
				o.add(new Message("dev/a/state", true, String.format(state, "running")));
			}
			assertThat(Files.size(dir.resolve("outbox.jsonl"))).isLessThanOrEqualTo(bound);
		}
		long dropped = o.takeDropped();
		List<Message> kept = drain(o);
		assertThat(kept.size() + dropped).isEqualTo(n + 5);
		// Every event, and the latest state of each container, in the order they came.
		assertThat(kept.stream().filter(m -> !m.topic().endsWith("telemetry")).map(Message::payload).toList()).containsExactly("{\"crash\":1}",
			String.format(state, "running"), "{\"crash\":2}", String.format(state, "running"));
		assertThat(kept.get(1).topic()).isEqualTo("dev/b/state");
		assertThat(kept.get(3).topic()).isEqualTo("dev/a/state");
		// The newest samples, in order, with no gap.
		List<String> samples = kept.stream().filter(m -> m.topic().endsWith("telemetry")).map(Message::payload).toList();
		assertThat(samples).isNotEmpty();
		for (int i = 0; i < samples.size(); i++) {
			assertThat(samples.get(i)).isEqualTo(String.format("{\"n\":%05d}", n - samples.size() + i));
		}
		assertThat(kept).allMatch(m -> m.expendable() == m.topic().endsWith("telemetry"));
	}

	@Test
	void eventsAloneOverTheBoundGoOldestFirst() throws Exception {
		Outbox o = new Outbox(dir, 4096);
		o.add(new Message("dev/a/telemetry", false, "{\"n\":0}", true));
		for (int i = 0; i < 200; i++) {
			o.add(new Message("dev/events", false, String.format("{\"e\":%05d}", i)));
		}
		long dropped = o.takeDropped();
		List<Message> kept = drain(o);
		assertThat(kept.size() + dropped).isEqualTo(201);
		assertThat(kept).noneMatch(Message::expendable);
		assertThat(kept.get(kept.size() - 1).payload()).isEqualTo("{\"e\":00199}");
		assertThat(kept.get(0).payload()).isEqualTo(String.format("{\"e\":%05d}", 200 - kept.size()));
	}

	@Test
	void aLineTornByAPowerCutIsSkipped() throws Exception {
		Outbox o = new Outbox(dir, 1 << 20);
		o.add(new Message("t", false, "before"));
		// The power went while a message was being written: no line end after it.
		Files.writeString(dir.resolve("outbox.jsonl"), "{\"t\":\"t\",\"p\":\"to", StandardOpenOption.APPEND);
		Outbox reopened = new Outbox(dir, 1 << 20);
		reopened.add(new Message("t", false, "after"));
		assertThat(drain(reopened)).extracting(Message::payload).containsExactly("before", "after");
	}

	@Test
	void aMessageLongerThanALineMayBeIsDroppedAndCountedAndTheLargestAnswerFits() throws Exception {
		Outbox o = new Outbox(dir, 8 << 20);
		o.add(new Message("t", false, "x".repeat(Outbox.MAX_LINE)));
		assertThat(o.takeDropped()).isEqualTo(1);
		assertThat(o.pending()).isZero();
		// The largest answer a command gives: its output cut at 32 KiB, every character one that JSON escapes, twice.
		String output = "\\\"".repeat(CommandDesk.MAX_OUTPUT / 2);
		String answer = cc.container.util.json.Json.writeCompact(java.util.Map.of("id", "a", "output", output));
		o.add(new Message("t", false, answer));
		assertThat(o.takeDropped()).isZero();
		assertThat(drain(o)).extracting(Message::payload).containsExactly(answer);
	}

	@Test
	void controlCharactersLeaveAnAnswerButLineEndsAndTabsStay() {
		assertThat(CommandDesk.printable("\u001b[31mred\u001b[0m\tok\r\n")).isEqualTo("[31mred[0m\tok\n");
	}
}
