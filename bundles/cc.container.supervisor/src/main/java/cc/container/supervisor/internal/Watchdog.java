package cc.container.supervisor.internal;

import cc.container.util.net.UnixDatagram;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;
import java.util.function.UnaryOperator;
import org.osgi.service.log.Logger;

/**
 * systemd's watchdog ({@code Type=notify}, {@code WatchdogSec}): once the first poll has completed the daemon says
 * {@code READY=1}; then, every half of {@code WATCHDOG_USEC}, {@code WATCHDOG=1} — only while the supervision loop is
 * alive ({@link Poll#supervising()}). A JVM that hangs, or a supervision loop that stalls past its limit, stops the
 * pings, and systemd restarts the daemon, which adopts the containers. Nothing happens without {@code NOTIFY_SOCKET}
 * (not started by systemd, or not as {@code Type=notify}).
 */
final class Watchdog {
	private final Path socket;
	private final long pingMs;
	private final BooleanSupplier supervising;
	private final LongSupplier polls;
	private final Logger log;
	private final ScheduledFuture<?> task;
	private UnixDatagram channel;
	private boolean ready;
	private boolean silent;
	private long lastPing;

	/**
	 * @param env the environment ({@code NOTIFY_SOCKET}, {@code WATCHDOG_USEC}, {@code WATCHDOG_PID})
	 * @param polls the polls completed
	 */
	Watchdog(UnaryOperator<String> env, BooleanSupplier supervising, LongSupplier polls, ScheduledExecutorService timer, Logger log) {
		String notify = env.apply("NOTIFY_SOCKET");
		String usec = env.apply("WATCHDOG_USEC");
		String forPid = env.apply("WATCHDOG_PID");
		this.socket = notify == null || notify.isEmpty() ? null : Path.of(notify);
		long ping = 0;
		try {
			boolean ours = forPid == null || Long.parseLong(forPid.trim()) == ProcessHandle.current().pid();
			ping = usec == null || !ours ? 0 : Long.parseLong(usec.trim()) / 2000;
		} catch (NumberFormatException e) {
			log.warn("WATCHDOG_USEC \"{}\" is not a number: the watchdog is not pinged.", usec);
		}
		this.pingMs = ping;
		this.supervising = supervising;
		this.polls = polls;
		this.log = log;
		this.task = socket == null ? null
			: timer.scheduleWithFixedDelay(this::tick, 100, Math.max(100, Math.min(1000, ping == 0 ? 1000 : ping)), TimeUnit.MILLISECONDS);
	}

	private synchronized void tick() {
		long now = System.nanoTime();
		if (!ready) {
			if (polls.getAsLong() > 0) {
				ready = true;
				send("READY=1\nSTATUS=supervising");
				log.info("systemd was told the daemon is ready{}.", pingMs > 0 ? "; its watchdog is pinged every " + pingMs + " ms" : "");
			}
			return;
		}
		if (pingMs == 0 || (now - lastPing) / 1_000_000 < pingMs) {
			return;
		}
		if (!supervising.getAsBoolean()) {
			if (!silent) {
				silent = true;
				log.error("The supervision loop is stalled: systemd's watchdog is no longer pinged, and systemd restarts the daemon if it does not recover.");
			}
			return;
		}
		if (silent) {
			silent = false;
			log.info("The supervision loop is alive again: systemd's watchdog is pinged again.");
		}
		lastPing = now;
		send("WATCHDOG=1");
	}

	/**
	 * Stops pinging. (No {@code STOPPING=1}: the supervisor also stops when its bundle is upgraded in the field, while the
	 * daemon runs on; the new one says READY again.)
	 */
	synchronized void close() {
		if (task != null) {
			task.cancel(false);
		}
		if (channel != null) {
			channel.close();
			channel = null;
		}
	}

	private void send(String message) {
		try {
			if (channel == null) {
				channel = UnixDatagram.open();
			}
			channel.send(socket, message.getBytes(StandardCharsets.UTF_8));
		} catch (IOException | LinkageError e) {
			log.warn("systemd cannot be told {} at {}: {}", message.lines().findFirst().orElse(message), socket, e.getMessage());
		}
	}
}
