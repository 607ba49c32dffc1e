package cc.container.upgrade.internal;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;
import org.osgi.service.component.runtime.ServiceComponentRuntime;
import org.osgi.service.component.runtime.dto.ComponentConfigurationDTO;
import org.osgi.service.component.runtime.dto.ComponentDescriptionDTO;
import org.osgi.service.component.runtime.dto.UnsatisfiedReferenceDTO;
import org.osgi.service.log.Logger;

/**
 * Whether a bundle that was just started works: active, and every enabled component of it satisfied with its service
 * obtainable, within the settle time and still so {@link #CONFIRM} later. Declarative Services tells no one when a
 * component's state changes, so it is looked at every {@value #LOOK_MS} ms until then.
 */
final class ComponentHealth {
	/** How long a verified bundle must stay fine before the upgrade counts. */
	static final Duration CONFIRM = Duration.ofSeconds(2);
	static final long LOOK_MS = 100;

	private final BundleContext context;
	private final ServiceComponentRuntime scr;
	private final Logger log;

	ComponentHealth(BundleContext context, ServiceComponentRuntime scr, Logger log) {
		this.context = context;
		this.scr = scr;
		this.log = log;
	}

	/** Null when {@code b} is active and its components are satisfied, now and {@link #CONFIRM} later; else why not. */
	String verify(Bundle b, Duration settle) throws InterruptedException {
		long deadline = System.nanoTime() + settle.toNanos();
		boolean confirming = false;
		while (true) {
			String problem = problem(b);
			if (problem == null) {
				if (confirming) {
					return null;
				}
				confirming = true;
				Thread.sleep(CONFIRM.toMillis());
				continue;
			}
			confirming = false;
			if (problem.startsWith("!") || System.nanoTime() > deadline) {
				return problem.startsWith("!") ? problem.substring(1) : problem + " within " + settle.toSeconds() + " s";
			}
			Thread.sleep(LOOK_MS);
		}
	}

	/** Null when fine; a reason, starting with "!" when waiting cannot help. */
	private String problem(Bundle b) {
		if (b.getState() != Bundle.ACTIVE) {
			return "!it is " + Upgrades.state(b) + ", not active";
		}
		List<String> waiting = new ArrayList<>();
		var descriptions = scr.getComponentDescriptionDTOs(b);
		if (descriptions.isEmpty() && b.getHeaders("").get("Service-Component") != null) {
			waiting.add("Declarative Services has not read its components");
		}
		for (ComponentDescriptionDTO d : descriptions) {
			if (!scr.isComponentEnabled(d)) {
				if (d.defaultEnabled) {
					waiting.add(d.name + " (not enabled)");
				}
				continue;
			}
			var configurations = scr.getComponentConfigurationDTOs(d);
			if (configurations.isEmpty() && !"require".equals(d.configurationPolicy)) {
				// SCR could not even set it up (its class is missing, say): it never comes by waiting, but it is only
				// reported once the settle time is over, in case SCR is still at work.
				waiting.add(d.name + " (not set up by Declarative Services)");
			}
			for (ComponentConfigurationDTO c : configurations) {
				if (c.state == ComponentConfigurationDTO.FAILED_ACTIVATION) {
					return "!its component " + d.name + " failed to activate: " + firstLine(c.failure);
				}
				if (c.state == ComponentConfigurationDTO.UNSATISFIED_REFERENCE || c.state == ComponentConfigurationDTO.UNSATISFIED_CONFIGURATION) {
					List<String> refs = Stream.of(c.unsatisfiedReferences == null ? new UnsatisfiedReferenceDTO[0]
						: c.unsatisfiedReferences).map(r -> r.name).toList();
					waiting.add(d.name + (refs.isEmpty() ? "" : " (missing " + String.join(", ", refs) + ")"));
				} else if (d.serviceInterfaces.length > 0) {
					// Satisfied by its state; whether its object can be made shows only when its service is got
					// (SCR keeps a delayed component's service registered when making it fails).
					ServiceReference<?> ref = registered(b, c.id);
					if (ref == null) {
						waiting.add(d.name + " (its service is not registered)");
					} else if (!usable(ref)) {
						return "!its component " + d.name + " failed to activate" + (c.failure == null ? "" : ": " + firstLine(c.failure));
					}
				} else if (d.immediate && c.state != ComponentConfigurationDTO.ACTIVE) {
					waiting.add(d.name + " (not active)");
				}
			}
		}
		log.debug("Bundle {}: {} components, waiting for {}.", b.getSymbolicName(), descriptions.size(), waiting);
		return waiting.isEmpty() ? null : "its components were not satisfied: " + String.join("; ", waiting);
	}

	/** The service {@code b} registered for the component configuration {@code componentId}, or null. */
	private static ServiceReference<?> registered(Bundle b, long componentId) {
		ServiceReference<?>[] refs = b.getRegisteredServices();
		if (refs != null) {
			for (ServiceReference<?> r : refs) {
				if (r.getProperty("component.id") instanceof Number n && n.longValue() == componentId) {
					return r;
				}
			}
		}
		return null;
	}

	/** Whether the service's object can be made (the component activates). */
	private boolean usable(ServiceReference<?> ref) {
		try {
			Object service = context.getService(ref);
			if (service != null) {
				context.ungetService(ref);
			}
			return service != null;
		} catch (RuntimeException e) {
			return false;
		}
	}

	private static String firstLine(String s) {
		if (s == null) {
			return "no reason given";
		}
		String line = s.lines().findFirst().orElse(s).trim();
		return line.length() > 300 ? line.substring(0, 300) + "..." : line;
	}
}
