package cc.container.control.internal;

import cc.container.api.command.ContainerCommands;
import cc.container.api.config.DaemonConfiguration;
import cc.container.util.Threads;
import cc.container.util.json.Json;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
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
 * {@code SO_PEERCRED}: root, or a member of the control group; anyone else gets exit status 5 and nothing runs. Each
 * client has a thread of its own (at most {@value #MAX_CLIENTS} at once), so a stuck client blocks only itself.
 */
@Component(immediate = true)
public final class ControlEndpoint {
	static final int MAX_CLIENTS = 64;
	static final int NOT_PERMITTED = 5;

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
	private final ServerSocketChannel server;
	private final ExecutorService clients;
	private final Thread acceptor;
	private volatile boolean open = true;

	/** Opens the socket. */
	@Activate
	public ControlEndpoint(@Reference DaemonConfiguration daemon, @Reference(service = LoggerFactory.class) Logger log) throws IOException {
		this.log = log;
		this.socket = daemon.config().service().controlSocket();
		this.group = daemon.config().service().controlGroup();
		Files.createDirectories(socket.getParent());
		Files.deleteIfExists(socket);
		this.server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
		server.bind(UnixDomainSocketAddress.of(socket));
		if (group == null) {
			Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-------"));
		} else {
			GroupPrincipal g = socket.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByGroupName(group);
			Files.getFileAttributeView(socket, PosixFileAttributeView.class).setGroup(g);
			Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-rw----"));
		}
		this.clients = new ThreadPoolExecutor(0, MAX_CLIENTS, 30, TimeUnit.SECONDS, new SynchronousQueue<>(), Threads.named("cc-control-client"),
			(r, e) -> {
				throw new java.util.concurrent.RejectedExecutionException("too many clients");
			});
		this.acceptor = new Thread(this::accept, "cc-control");
		acceptor.setDaemon(true);
		acceptor.start();
		log.info("containerctl can reach the daemon at {}.", socket);
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
	}

	private void accept() {
		while (open) {
			SocketChannel ch;
			try {
				ch = server.accept();
			} catch (IOException e) {
				if (open) {
					log.error("The control socket {} failed: {}", socket, e.getMessage());
				}
				return;
			}
			try {
				clients.execute(() -> serve(ch));
			} catch (java.util.concurrent.RejectedExecutionException e) {
				reply(ch, 1, "the daemon serves " + MAX_CLIENTS + " clients already; try again shortly");
			}
		}
	}

	private void reply(SocketChannel ch, int status, String message) {
		try (ch) {
			DataOutputStream out = new DataOutputStream(Channels.newOutputStream(ch));
			byte[] m = (message + "\n").getBytes(StandardCharsets.UTF_8);
			Frames.write(out, Frames.ERR, m, 0, m.length);
			Frames.exit(out, status);
		} catch (IOException e) {
			// the client went away
		}
	}

	boolean permitted(UnixDomainPrincipal p) {
		UserPrincipal user = p.user();
		if (user.getName().equals("root")) {
			return true;
		}
		if (group == null) {
			return false;
		}
		if (p.group().getName().equals(group)) {
			return true;
		}
		try {
			for (String line : Files.readAllLines(Path.of("/etc/group"))) {
				String[] f = line.split(":", -1);
				if (f.length >= 4 && f[0].equals(group) && List.of(f[3].split(",")).contains(user.getName())) {
					return true;
				}
			}
		} catch (IOException e) {
			// not a member then
		}
		return false;
	}

	@SuppressWarnings("unchecked")
	private void serve(SocketChannel ch) {
		try (ch) {
			UnixDomainPrincipal peer = ch.getOption(ExtendedSocketOptions.SO_PEERCRED);
			DataOutputStream out = new DataOutputStream(Channels.newOutputStream(ch));
			DataInputStream in = new DataInputStream(Channels.newInputStream(ch));
			if (!permitted(peer)) {
				log.warn("containerctl was refused to user {}: only root{} may use the control socket.", peer.user().getName(),
					group == null ? "" : " and the group " + group);
				byte[] m = ("not permitted: only root" + (group == null ? "" : " and members of " + group) + " may use cc-containerd\n")
					.getBytes(StandardCharsets.UTF_8);
				Frames.write(out, Frames.ERR, m, 0, m.length);
				Frames.exit(out, NOT_PERMITTED);
				return;
			}
			Frames.Frame request = Frames.read(in);
			Map<String, Object> q = (Map<String, Object>) Json.parse(request.data());
			List<String> args = ((List<Object>) q.get("args")).stream().map(String::valueOf).toList();
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
			int status = c.execute(args, new ContainerCommands.Session() {
				@Override
				public PrintStream out() {
					return o;
				}

				@Override
				public PrintStream err() {
					return e;
				}

				@Override
				public boolean tty() {
					return tty;
				}

				@Override
				public boolean cancelled() {
					if (o.checkError() || e.checkError()) {
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
				}
			});
			o.flush();
			e.flush();
			Frames.exit(out, status);
		} catch (IOException | RuntimeException | cc.container.util.json.Json.SyntaxException e) {
			log.debug("A containerctl client went away: {}", e.toString());
		} catch (InterruptedException e) {
			Thread.currentThread().interrupt(); // the endpoint closes
		}
	}
}
