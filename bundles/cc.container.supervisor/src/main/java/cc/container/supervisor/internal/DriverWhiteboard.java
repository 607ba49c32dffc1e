package cc.container.supervisor.internal;

import cc.container.api.runtime.RuntimeDriver;
import cc.container.api.runtime.RuntimeDrivers;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

/**
 * The one whiteboard of runtime drivers: every {@link RuntimeDriver} service, ranked per runtime as OSGi ranks services
 * (highest {@code service.ranking}, then lowest {@code service.id}), and the changes of the driver serving each runtime
 * told to the bundles that watch.
 */
@Component(service = RuntimeDrivers.class)
public final class DriverWhiteboard implements RuntimeDrivers {
	private static final Comparator<Entry> RANK = Comparator.comparingInt(Entry::ranking).reversed().thenComparingLong(Entry::serviceId);

	/** One registered driver. */
	private record Entry(RuntimeDriver driver, String runtime, int ranking, long serviceId) {
	}

	/** Ids for drivers added outside a framework, after any a framework gives. */
	private final AtomicLong ids = new AtomicLong(Long.MAX_VALUE / 2);
	/** The drivers of each runtime, best first; guarded by {@code this}. */
	private final Map<String, List<Entry>> entries = new HashMap<>();
	private final List<Listener> listeners = new CopyOnWriteArrayList<>();
	/** Orders the telling of changes: one at a time, in the order they happened. */
	private final Object telling = new Object();

	/** An empty whiteboard: drivers are added by the framework, or by {@link #add(RuntimeDriver)} outside one. */
	public DriverWhiteboard() {
	}

	/** Adds a driver outside a framework (benchmarks, tests), ranked 0. */
	public void add(RuntimeDriver driver) {
		bind(new Entry(driver, driver.runtime(), 0, ids.incrementAndGet()));
	}

	/** Removes a driver added by {@link #add}. */
	public void remove(RuntimeDriver driver) {
		unbind(driver, driver.runtime());
	}

	/** A driver service came. */
	@Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
	void bindDriver(RuntimeDriver driver, Map<String, Object> props) {
		bind(entry(driver, props));
	}

	/** A driver service's properties changed (its ranking, say). */
	void updatedDriver(RuntimeDriver driver, Map<String, Object> props) {
		synchronized (telling) {
			unbind(driver, null);
			bind(entry(driver, props));
		}
	}

	void unbindDriver(RuntimeDriver driver, Map<String, Object> props) {
		unbind(driver, null);
	}

	private Entry entry(RuntimeDriver driver, Map<String, Object> props) {
		Object ranking = props.get("service.ranking");
		Object id = props.get("service.id");
		return new Entry(driver, String.valueOf(props.get(RuntimeDriver.RUNTIME)), ranking instanceof Integer r ? r : 0,
			id instanceof Long l ? l : ids.incrementAndGet());
	}

	private void bind(Entry e) {
		synchronized (telling) {
			RuntimeDriver before;
			RuntimeDriver after;
			synchronized (this) {
				List<Entry> list = entries.computeIfAbsent(e.runtime(), r -> new ArrayList<>());
				before = list.isEmpty() ? null : list.get(0).driver();
				list.add(e);
				list.sort(RANK);
				after = list.get(0).driver();
				notifyAll();
			}
			tell(e.runtime(), before, after);
		}
	}

	private void unbind(RuntimeDriver driver, String runtime) {
		synchronized (telling) {
			List<Change> changes = new ArrayList<>();
			synchronized (this) {
				for (Map.Entry<String, List<Entry>> m : entries.entrySet()) {
					List<Entry> list = m.getValue();
					if (runtime != null && !runtime.equals(m.getKey()) || list.isEmpty()) {
						continue;
					}
					RuntimeDriver before = list.get(0).driver();
					if (list.removeIf(x -> x.driver() == driver)) {
						changes.add(new Change(m.getKey(), before, list.isEmpty() ? null : list.get(0).driver()));
					}
				}
				entries.values().removeIf(List::isEmpty);
			}
			changes.forEach(c -> tell(c.runtime(), c.before(), c.after()));
		}
	}

	/** The driver serving a runtime changed. */
	private record Change(String runtime, RuntimeDriver before, RuntimeDriver after) {
	}

	private void tell(String runtime, RuntimeDriver before, RuntimeDriver after) {
		if (before == after) {
			return; // a driver ranked below the one serving came or went
		}
		for (Listener l : listeners) {
			l.changed(runtime, before, after);
		}
	}

	@Override
	public synchronized Optional<RuntimeDriver> driver(String runtime) {
		List<Entry> list = entries.get(runtime);
		return list == null || list.isEmpty() ? Optional.empty() : Optional.of(list.get(0).driver());
	}

	@Override
	public synchronized Set<String> runtimes() {
		return Set.copyOf(new TreeSet<>(entries.keySet()));
	}

	@Override
	public synchronized Optional<RuntimeDriver> await(String runtime, Duration timeout) throws InterruptedException {
		long deadline = System.nanoTime() + timeout.toNanos();
		while (true) {
			Optional<RuntimeDriver> d = driver(runtime);
			long left = deadline - System.nanoTime();
			if (d.isPresent() || left <= 0) {
				return d;
			}
			wait(Math.max(1, left / 1_000_000));
		}
	}

	@Override
	public AutoCloseable watch(Listener listener) {
		synchronized (telling) {
			listeners.add(listener);
			Map<String, RuntimeDriver> now = new HashMap<>();
			synchronized (this) {
				entries.forEach((runtime, list) -> now.put(runtime, list.get(0).driver()));
			}
			now.forEach((runtime, d) -> listener.changed(runtime, null, d));
		}
		return () -> listeners.remove(listener);
	}
}
