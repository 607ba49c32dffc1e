package cc.container.util.runtime;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Tells the end of processes that are not the daemon's children (LXC's container inits) the moment they end: one
 * thread waits in {@code poll(2)} on a pidfd of each ({@code pidfd_open(2)}, Linux 5.3, glibc 2.36), woken through an
 * eventfd when the set changes. No thread per process and no polling. Where the kernel or the C library has no pidfd,
 * {@link #available()} is false and the caller keeps checking the processes itself.
 */
public final class ProcessWatcher implements AutoCloseable {
	private static final short POLLIN = 0x1;
	private static final int EFD_CLOEXEC = 02000000;
	private static final int PIDFD_FLAGS = 0;
	private static final int ESRCH = 3;

	interface LibC extends Library {
		int pidfd_open(int pid, int flags) throws LastErrorException;

		int eventfd(int initval, int flags) throws LastErrorException;

		int poll(Pointer fds, int nfds, int timeout) throws LastErrorException;

		long read(int fd, Pointer buf, long count) throws LastErrorException;

		long write(int fd, Pointer buf, long count) throws LastErrorException;

		int close(int fd);
	}

	/** One process being watched. */
	private record Watched(ProcessHandle process, int pidfd, Runnable onExit) {
	}

	private final LibC c;
	private final int wake;
	private final Map<String, Watched> watched = new ConcurrentHashMap<>();
	private final Thread thread;
	private volatile boolean open = true;

	private ProcessWatcher(LibC c, int wake, String name) {
		this.c = c;
		this.wake = wake;
		this.thread = new Thread(this::run, name);
		thread.setDaemon(true);
		thread.start();
	}

	/**
	 * A watcher with its thread called {@code name}, or null when this system has no pidfd (the caller checks the
	 * processes itself then).
	 */
	public static ProcessWatcher open(String name) {
		try {
			LibC c = Native.load("c", LibC.class);
			int probe = c.pidfd_open((int) ProcessHandle.current().pid(), PIDFD_FLAGS);
			c.close(probe);
			return new ProcessWatcher(c, c.eventfd(0, EFD_CLOEXEC), name);
		} catch (LastErrorException | UnsatisfiedLinkError | NoClassDefFoundError e) {
			return null;
		}
	}

	/**
	 * Calls {@code onExit} on the watcher's thread once {@code process} ends (at once when it has ended already), unless
	 * {@code key} is watched for another process or unwatched before. {@code onExit} must not block.
	 */
	public synchronized void watch(String key, ProcessHandle process, Runnable onExit) {
		if (!open) {
			return; // closed: its descriptors are gone
		}
		int fd;
		try {
			fd = c.pidfd_open((int) process.pid(), PIDFD_FLAGS);
		} catch (LastErrorException e) {
			if (e.getErrorCode() == ESRCH) {
				onExit.run(); // no such process: it ended
			}
			// Out of descriptors, say: not watched; the caller's own look at its processes tells its end.
			return;
		}
		if (!process.isAlive()) {
			// Its pid names another process by now (isAlive compares the start time): it ended.
			c.close(fd);
			onExit.run();
			return;
		}
		Watched before = watched.put(key, new Watched(process, fd, onExit));
		if (before != null) {
			c.close(before.pidfd());
		}
		wake();
	}

	/** Whether {@code key} is watched (for a process that has not been seen to end). */
	public boolean watches(String key) {
		return watched.containsKey(key);
	}

	/** Stops watching {@code key}. */
	public synchronized void unwatch(String key) {
		if (!open) {
			return;
		}
		Watched w = watched.remove(key);
		if (w != null) {
			c.close(w.pidfd());
			wake();
		}
	}

	private void wake() {
		Memory one = new Memory(8);
		one.setLong(0, 1);
		try {
			c.write(wake, one, 8);
		} catch (LastErrorException e) {
			// the counter is full: the thread is being woken anyway
		}
	}

	private void run() {
		try {
			Memory counter = new Memory(8);
			while (open) {
				List<Map.Entry<String, Watched>> now = new ArrayList<>(watched.entrySet());
				Memory fds = new Memory(8L * (now.size() + 1));
				fds.setInt(0, wake);
				fds.setShort(4, POLLIN);
				fds.setShort(6, (short) 0);
				for (int i = 0; i < now.size(); i++) {
					fds.setInt(8L * (i + 1), now.get(i).getValue().pidfd());
					fds.setShort(8L * (i + 1) + 4, POLLIN);
					fds.setShort(8L * (i + 1) + 6, (short) 0);
				}
				try {
					c.poll(fds, now.size() + 1, -1);
				} catch (LastErrorException e) {
					continue; // interrupted by a signal
				}
				if ((fds.getShort(6) & POLLIN) != 0) {
					try {
						c.read(wake, counter, 8);
					} catch (LastErrorException e) {
						// read again next time
					}
				}
				for (int i = 0; i < now.size(); i++) {
					if (fds.getShort(8L * (i + 1) + 6) != 0) {
						Map.Entry<String, Watched> e = now.get(i);
						if (watched.remove(e.getKey(), e.getValue())) {
							c.close(e.getValue().pidfd());
							try {
								e.getValue().onExit().run();
							} catch (RuntimeException x) {
								// a listener's failure does not stop the watch
							}
						}
					}
				}
			}
		} finally {
			// Closed (or failed): its descriptors are closed here, by the thread that polls them.
			synchronized (this) {
				open = false;
				watched.values().forEach(w -> c.close(w.pidfd()));
				watched.clear();
				c.close(wake);
			}
		}
	}

	/** Ends the watch: nothing more is told; its thread closes the descriptors as it ends (within a second). */
	@Override
	public void close() {
		synchronized (this) {
			if (!open) {
				return;
			}
			open = false;
			wake();
		}
		boolean interrupted = Thread.interrupted();
		try {
			thread.join(1000);
		} catch (InterruptedException e) {
			interrupted = true;
		}
		if (interrupted) {
			Thread.currentThread().interrupt();
		}
	}
}
