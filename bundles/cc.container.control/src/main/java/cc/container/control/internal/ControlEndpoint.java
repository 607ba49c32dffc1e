package cc.container.control.internal;

import cc.container.api.command.ContainerCommands;
import cc.container.api.config.DaemonConfiguration;
import cc.container.util.Threads;
import cc.container.util.command.CommandLine;
import cc.container.util.control.Frames;
import cc.container.util.json.Json;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import jdk.net.ExtendedSocketOptions;
import jdk.net.UnixDomainPrincipal;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.log.Logger;
import org.osgi.service.log.LoggerFactory;

/**
 * The control socket of {@code containerctl}: a Unix-domain stream socket at {@code service.control_socket}, mode 0600
 * (0660 with the group {@code service.control_group}). Each connecting process's user is checked with
 * {@code SO_PEERCRED}: the daemon's own user (root, uid 0, on a device), or a member of the control group; anyone else
 * gets exit status 5 and nothing runs.
 *
 * <p>No client can hold up another or the daemon: each has a thread of its own (at most {@value #MAX_CLIENTS} at
 * once); a request must arrive within {@value #REQUEST_TIMEOUT_MS} ms and be at most {@link Frames#MAX_REQUEST}
 * bytes; a client that stops reading is disconnected once a write to it has waited {@value #WRITE_TIMEOUT_MS} ms. The
 * socket is made with its final mode (bound in a private folder, then renamed into place), never replaces one that a
 * running daemon answers on, and its accepting thread outlives any error but the socket's closing.
 */
@Component(immediate = true)
public final class ControlEndpoint {
	static final int MAX_CLIENTS = 64;
	static final int NOT_PERMITTED = 5;
	static final long REQUEST_TIMEOUT_MS = 10_000;
	static final long WRITE_TIMEOUT_MS = 30_000;

	/** How long a request waits for the commands while their bundle (or one they use) is being replaced or starts. */
	static final long COMMANDS_WAIT_MS = 30_000;

	/**
	 * The commands, bound dynamically: when a field upgrade replaces the shell bundle or a bundle it uses, the socket
	 * stays open, a command already running finishes on the instance it started with, and new requests wait for the
	 * next instance.
	 */
	private ContainerCommands commands;
	private final Object commandsLock = new Object();
	private final Logger log;
	private final Path socket;
	private final String group;
	private final UserPrincipal daemonUser;
	private final GroupPrincipal groupPrincipal;
	private final ServerSocketChannel server;
	private final ThreadPoolExecutor clients;
	private final ScheduledThreadPoolExecutor watch;
	private final Map<Client, Boolean> active = new ConcurrentHashMap<>();
	private final Thread acceptor;
	private ScheduledFuture<?> watching;
	private volatile boolean open = true;

	/** Opens the socket. */
	@Activate
	public ControlEndpoint(@Reference DaemonConfiguration daemon, @Reference(service = LoggerFactory.class) Logger log) throws IOException {
		this.log = log;
		this.socket = daemon.config().service().controlSocket().toAbsolutePath();
		this.group = daemon.config().service().controlGroup();
		try {
			checkFolder(socket.getParent());
			refuseIfAnswered(socket);
			this.groupPrincipal = groupOrNone(socket, group, log);
			this.server = bindWithFinalMode(socket, groupPrincipal);
			this.daemonUser = Files.getOwner(socket, LinkOption.NOFOLLOW_LINKS);
		} catch (IOException e) {
			log.error("The control socket cannot be opened, containerctl cannot reach the daemon: {}", e.getMessage());
			throw e;
		}
		this.clients = new ThreadPoolExecutor(0, MAX_CLIENTS, 30, TimeUnit.SECONDS, new SynchronousQueue<>(), Threads.named("cc-control-client"),
			(r, e) -> {
				throw new java.util.concurrent.RejectedExecutionException("too many clients");
			});
		this.watch = new ScheduledThreadPoolExecutor(1, Threads.named("cc-control-watch"));
		watch.setKeepAliveTime(30, TimeUnit.SECONDS);
		watch.allowCoreThreadTimeOut(true);
		watch.setRemoveOnCancelPolicy(true);
		this.acceptor = new Thread(this::accept, "cc-control");
		acceptor.setDaemon(true);
		acceptor.start();
		log.info("containerctl can reach the daemon at {}.", socket);
	}

	/**
	 * The group the socket is for, or null: with no {@code service.control_group}, or one the system does not know (an
	 * error, and the socket root's alone, rather than no socket: the daemon and its containers go on, and root can
	 * still reach it).
	 */
	static GroupPrincipal groupOrNone(Path socket, String group, Logger log) {
		if (group == null) {
			return null;
		}
		try {
			return socket.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByGroupName(group);
		} catch (IOException e) {
			log.error("service.control_group names \"{}\", which is no group on this system: the control socket is root's alone until the group "
				+ "exists and the daemon restarts.", group);
			return null;
		}
	}

	/**
	 * The socket's folder: made (mode 0755) when missing; otherwise a real folder of the daemon's user that nobody
	 * else may write in, so that no one can put a socket of their own, or a link, in the daemon's place.
	 */
	static void checkFolder(Path dir) throws IOException {
		if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
			Files.createDirectories(dir);
			Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
			return;
		}
		if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
			throw new IOException("the control socket's folder " + dir + " is not a folder");
		}
		Set<PosixFilePermission> mode = Files.getPosixFilePermissions(dir, LinkOption.NOFOLLOW_LINKS);
		if (mode.contains(PosixFilePermission.GROUP_WRITE) || mode.contains(PosixFilePermission.OTHERS_WRITE)) {
			throw new IOException("the control socket's folder " + dir + " may be written by others (mode "
				+ PosixFilePermissions.toString(mode) + "); name a folder of its own in service.control_socket");
		}
		UserPrincipal owner = Files.getOwner(dir, LinkOption.NOFOLLOW_LINKS);
		UserPrincipal self = dir.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName(System.getProperty("user.name"));
		if (!owner.equals(self)) {
			throw new IOException("the control socket's folder " + dir + " belongs to " + owner.getName() + ", who could replace the socket; "
				+ "name a folder of the daemon's user (" + self.getName() + ") in service.control_socket");
		}
	}

	/** Throws when a daemon answers on {@code socket}: it is not taken over. A socket nobody answers on is stale. */
	static void refuseIfAnswered(Path socket) throws IOException {
		if (!Files.exists(socket, LinkOption.NOFOLLOW_LINKS)) {
			return;
		}
		try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
			ch.connect(UnixDomainSocketAddress.of(socket));
		} catch (IOException e) {
			return; // nobody answers: a socket left by a daemon that was killed
		}
		throw new IOException("another daemon answers on " + socket + "; it is left alone (give this one another service.control_socket)");
	}

	/**
	 * Binds the socket in a private folder beside its place, sets its mode and group there, and renames it into
	 * place: it never exists at its path with a wider mode, not even for an instant.
	 */
	static ServerSocketChannel bindWithFinalMode(Path socket, GroupPrincipal group) throws IOException {
		Path tmpDir = Files.createTempDirectory(socket.getParent(), ".control-",
			PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
		Path tmp = tmpDir.resolve("s");
		ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
		try {
			server.bind(UnixDomainSocketAddress.of(tmp));
			if (group == null) {
				Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
			} else {
				Files.getFileAttributeView(tmp, PosixFileAttributeView.class).setGroup(group);
				Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-rw----"));
			}
			Files.move(tmp, socket, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
			return server;
		} catch (IOException | RuntimeException e) {
			server.close();
			throw e;
		} finally {
			Files.deleteIfExists(tmp);
			Files.deleteIfExists(tmpDir);
		}
	}

	@Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
	void bindCommands(ContainerCommands c) {
		synchronized (commandsLock) {
			commands = c;
			commandsLock.notifyAll();
		}
	}

	void unbindCommands(ContainerCommands c) {
		synchronized (commandsLock) {
			if (commands == c) {
				commands = null;
			}
		}
	}

	private ContainerCommands awaitCommands() throws InterruptedException {
		long deadline = System.currentTimeMillis() + COMMANDS_WAIT_MS;
		synchronized (commandsLock) {
			while (commands == null && System.currentTimeMillis() < deadline) {
				commandsLock.wait(Math.max(1, deadline - System.currentTimeMillis()));
			}
			return commands;
		}
	}

	@Deactivate
	void close() {
		open = false;
		try {
			server.close();
			Files.deleteIfExists(socket);
		} catch (IOException e) {
			// going away
		}
		clients.shutdownNow();
		active.keySet().forEach(Client::close);
		watch.shutdownNow();
	}

	private void accept() {
		long lastReported = 0;
		while (open) {
			SocketChannel ch;
			try {
				ch = server.accept();
			} catch (ClosedChannelException e) {
				return;
			} catch (IOException e) {
				if (!open) {
					return;
				}
				// Out of file descriptors, say: the socket stays, and accepting goes on once the cause is gone.
				if (System.nanoTime() - lastReported > 60_000_000_000L || lastReported == 0) {
					log.error("The control socket {} could not accept a client ({}); it keeps trying.", socket, e.getMessage());
					lastReported = System.nanoTime();
				}
				sleep(200);
				continue;
			}
			Client c = new Client(ch);
			try {
				clients.execute(() -> serve(c));
			} catch (java.util.concurrent.RejectedExecutionException e) {
				// A few bytes: they fit in the socket's buffer, so this never waits for the client.
				reply(c, 1, "the daemon serves " + MAX_CLIENTS + " clients already; try again shortly");
			}
		}
	}

	private static void sleep(long ms) {
		try {
			Thread.sleep(ms);
		} catch (InterruptedException e) {
			Thread.currentThread().interrupt();
		}
	}

	/** One connected client: its channel, and what the watch needs to know to drop it. */
	final class Client {
		final SocketChannel channel;
		final long acceptedAt = System.nanoTime();
		volatile boolean requested;
		volatile long writingSince;
		final DataOutputStream out;

		Client(SocketChannel channel) {
			this.channel = channel;
			OutputStream raw = Channels.newOutputStream(channel);
			this.out = new DataOutputStream(new OutputStream() {
				@Override
				public void write(int b) throws IOException {
					write(new byte[] { (byte) b }, 0, 1);
				}

				@Override
				public void write(byte[] b, int off, int len) throws IOException {
					writingSince = System.nanoTime();
					try {
						raw.write(b, off, len);
					} finally {
						writingSince = 0;
					}
				}
			});
		}

		/** Why the watch drops it now, or null. */
		String overdue(long now) {
			if (!requested && now - acceptedAt > REQUEST_TIMEOUT_MS * 1_000_000) {
				return "sent no request within " + REQUEST_TIMEOUT_MS / 1000 + " s";
			}
			long w = writingSince;
			if (w != 0 && now - w > WRITE_TIMEOUT_MS * 1_000_000) {
				return "stopped reading what the daemon sends (" + WRITE_TIMEOUT_MS / 1000 + " s)";
			}
			return null;
		}

		void close() {
			try {
				channel.close();
			} catch (IOException e) {
				// gone already
			}
		}
	}

	private synchronized void track(Client c) {
		active.put(c, Boolean.TRUE);
		if (watching == null) {
			watching = watch.scheduleWithFixedDelay(this::watchClients, 1, 1, TimeUnit.SECONDS);
		}
	}

	private synchronized void untrack(Client c) {
		active.remove(c);
		if (active.isEmpty() && watching != null) {
			watching.cancel(false);
			watching = null;
		}
	}

	/** Drops the clients that sent no request in time or stopped reading. */
	private void watchClients() {
		long now = System.nanoTime();
		for (Client c : active.keySet()) {
			String why = c.overdue(now);
			if (why != null) {
				log.warn("A containerctl client {}; it is disconnected.", why);
				c.close();
			}
		}
	}

	private void reply(Client c, int status, String message) {
		try (c.channel) {
			byte[] m = (message + "\n").getBytes(StandardCharsets.UTF_8);
			Frames.write(c.out, Frames.ERR, m, 0, m.length);
			Frames.exit(c.out, status);
		} catch (IOException e) {
			// the client went away
		}
	}

	boolean permitted(UnixDomainPrincipal p) {
		// Users compare by uid: root is uid 0 whatever its name.
		if (p.user().equals(daemonUser)) {
			return true;
		}
		if (groupPrincipal == null) {
			return false; // no group, or one the system did not know when the socket was made
		}
		if (p.group().equals(groupPrincipal)) {
			return true;
		}
		try {
			for (String line : Files.readAllLines(Path.of("/etc/group"))) {
				String[] f = line.split(":", -1);
				if (f.length >= 4 && f[0].equals(group) && List.of(f[3].split(",")).contains(p.user().getName())) {
					return true;
				}
			}
		} catch (IOException e) {
			// not a member then
		}
		return false;
	}

	@SuppressWarnings("unchecked")
	private void serve(Client client) {
		track(client);
		try (SocketChannel ch = client.channel) {
			UnixDomainPrincipal peer = ch.getOption(ExtendedSocketOptions.SO_PEERCRED);
			DataOutputStream out = client.out;
			DataInputStream in = new DataInputStream(Channels.newInputStream(ch));
			if (!permitted(peer)) {
				client.requested = true;
				log.warn("containerctl was refused to user {}: only root{} may use the control socket.", peer.user().getName(),
					group == null ? "" : " and the group " + group);
				byte[] m = ("not permitted: only root" + (group == null ? "" : " and members of " + group) + " may use cc-containerd\n")
					.getBytes(StandardCharsets.UTF_8);
				Frames.write(out, Frames.ERR, m, 0, m.length);
				Frames.exit(out, NOT_PERMITTED);
				return;
			}
			Frames.Frame request = Frames.read(in, Frames.MAX_REQUEST);
			client.requested = true;
			Map<String, Object> q = (Map<String, Object>) Json.parse(request.data());
			List<String> args;
			if (q.get("argv") instanceof List<?> argv) {
				// A client that leaves relative paths to the daemon (the native containerctl): made absolute against its
				// folder with the command model, as the Java client makes them before it sends "args".
				args = argv.stream().map(String::valueOf).toList();
				String problem = null;
				if (!(q.get("cwd") instanceof String cwd) || !cwd.startsWith("/")) {
					problem = "the request's \"cwd\" must be an absolute folder";
				} else {
					try {
						args = CommandLine.resolvePaths(args, Path.of(cwd));
					} catch (InvalidPathException x) {
						problem = "a path in the command is not one this system takes (" + x.getReason() + ")";
					}
				}
				if (problem != null) {
					byte[] m = (problem + "\n").getBytes(StandardCharsets.UTF_8);
					Frames.write(out, Frames.ERR, m, 0, m.length);
					Frames.exit(out, 2);
					return;
				}
			} else {
				args = ((List<Object>) q.get("args")).stream().map(String::valueOf).toList();
			}
			boolean tty = Boolean.TRUE.equals(q.get("tty"));
			log.debug("containerctl {} (user {}).", args, peer.user().getName());
			PrintStream o = new PrintStream(Frames.stream(out, Frames.OUT), true, StandardCharsets.UTF_8);
			PrintStream e = new PrintStream(Frames.stream(out, Frames.ERR), true, StandardCharsets.UTF_8);
			long[] lastSign = { System.nanoTime() };
			ContainerCommands c = awaitCommands();
			if (c == null) {
				byte[] m = ("the daemon's commands did not come up within " + COMMANDS_WAIT_MS / 1000 + " s; its log says why\n").getBytes(StandardCharsets.UTF_8);
				Frames.write(out, Frames.ERR, m, 0, m.length);
				Frames.exit(out, 1);
				return;
			}
			// root: the daemon's own user
			int status = c.execute(args, ContainerCommands.Session.of(o, e, tty, peer.user().equals(daemonUser), () -> {
				if (o.checkError() || e.checkError() || !ch.isOpen()) {
					return true;
				}
				if (System.nanoTime() - lastSign[0] > 1_000_000_000L) {
					lastSign[0] = System.nanoTime();
					try {
						Frames.write(out, Frames.KEEPALIVE, new byte[0], 0, 0);
					} catch (IOException x) {
						return true;
					}
				}
				return false;
			}));
			o.flush();
			e.flush();
			Frames.exit(out, status);
		} catch (IOException | RuntimeException | cc.container.util.json.Json.SyntaxException e) {
			log.debug("A containerctl client went away: {}", e.toString());
		} catch (InterruptedException e) {
			Thread.currentThread().interrupt(); // the endpoint closes
		} finally {
			untrack(client);
		}
	}
}
