package cc.container.util;

import java.util.Collection;
import java.util.function.ObjIntConsumer;
import org.osgi.framework.BundleContext;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;

/**
 * Asks the launcher to stop the daemon with a message and an exit status. The {@code cc-containerd} launcher
 * registers an {@code ObjIntConsumer<String>} with the property {@code cc.containerd.exit=true}; inside a test
 * framework there is none, and the failing component just stays inactive.
 */
public final class DaemonExit {
	static final String FILTER = "(cc.containerd.exit=true)";

	private DaemonExit() {
	}

	@SuppressWarnings({ "rawtypes", "unchecked" })
	/**
	 * Asks the launcher to print {@code message} (when not null) and stop the daemon with {@code status}.
	 *
	 * @return whether a launcher was there to ask
	 */
	public static boolean exit(BundleContext ctx, String message, int status) {
		try {
			Collection<ServiceReference<ObjIntConsumer>> refs = ctx.getServiceReferences(ObjIntConsumer.class, FILTER);
			for (ServiceReference<ObjIntConsumer> ref : refs) {
				ObjIntConsumer<String> exit = ctx.getService(ref);
				if (exit != null) {
					try {
						exit.accept(message, status);
						return true;
					} finally {
						ctx.ungetService(ref);
					}
				}
			}
		} catch (InvalidSyntaxException e) {
			throw new IllegalStateException(e);
		}
		return false;
	}
}
