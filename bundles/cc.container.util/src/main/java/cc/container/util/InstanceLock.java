package cc.container.util;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * One daemon per working path and per bundle cache: an exclusive lock on a file, taken before anything is touched,
 * with the holder's pid written into it. The lock is the kernel's ({@code fcntl}): it goes with the process, however
 * it ends, so a daemon killed with {@code kill -9} leaves nothing to clean up.
 */
public final class InstanceLock implements AutoCloseable {
	private final FileChannel channel;

	private InstanceLock(FileChannel channel) {
		this.channel = channel;
	}

	/** The lock is held by another process; {@link #holder()} names it. */
	public static final class Taken extends Exception {
		private static final long serialVersionUID = 1L;

		Taken(String holder) {
			super(holder);
		}

		/** {@code pid N}, or {@code another process} when the file names none. */
		public String holder() {
			return getMessage();
		}
	}

	/** Takes the lock {@code file} (made when missing) and writes this process's pid into it. */
	public static InstanceLock take(Path file) throws IOException, Taken {
		Files.createDirectories(file.getParent());
		FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
		FileLock lock;
		try {
			lock = ch.tryLock();
		} catch (OverlappingFileLockException e) {
			lock = null; // held by this very process (a second framework in one JVM)
		} catch (IOException | RuntimeException e) {
			ch.close();
			throw e;
		}
		if (lock == null) {
			String pid = new String(Bounded.read(file, 64), StandardCharsets.US_ASCII).trim();
			ch.close();
			throw new Taken(pid.matches("[0-9]{1,10}") ? "pid " + pid : "another process");
		}
		ch.truncate(0);
		ch.write(ByteBuffer.wrap((ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII)), 0);
		ch.force(true);
		return new InstanceLock(ch);
	}

	/** Releases the lock. */
	@Override
	public void close() {
		try {
			channel.close();
		} catch (IOException e) {
			// released with the file either way
		}
	}
}
