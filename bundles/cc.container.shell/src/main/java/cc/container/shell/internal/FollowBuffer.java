package cc.container.shell.internal;

import java.util.ArrayDeque;
import java.util.function.Consumer;

/**
 * Lines of a followed log on their way to a client. The runtime's side hands lines in from its own thread and never
 * waits (a driver's thread also watches its containers); the client's side takes them out on the client's thread.
 * When the client falls more than {@value #MAX_BYTES} bytes behind, the buffer overflows and the follow ends: a
 * client that stops reading is dropped rather than holding the runtime's thread or the daemon's memory.
 */
final class FollowBuffer implements Consumer<String> {
	/** How far (in bytes of text) a client may fall behind before it is dropped. */
	static final int MAX_BYTES = 4 << 20;
	private final ArrayDeque<String> lines = new ArrayDeque<>();
	private long bytes;
	private boolean overflowed;

	/** Takes a line from the runtime's side; never blocks. */
	@Override
	public synchronized void accept(String line) {
		if (overflowed) {
			return;
		}
		bytes += line.length() + 1;
		if (bytes > MAX_BYTES) {
			overflowed = true;
			lines.clear();
			notifyAll();
			return;
		}
		lines.addLast(line);
		notifyAll();
	}

	/** The next line, waiting up to {@code waitMs} (not at all when 0); null when none came or the buffer overflowed. */
	synchronized String take(long waitMs) throws InterruptedException {
		if (lines.isEmpty() && !overflowed && waitMs > 0) {
			wait(waitMs);
		}
		String line = lines.pollFirst();
		if (line != null) {
			bytes -= line.length() + 1;
		}
		return line;
	}

	/** Whether the client fell too far behind. */
	synchronized boolean overflowed() {
		return overflowed;
	}
}
