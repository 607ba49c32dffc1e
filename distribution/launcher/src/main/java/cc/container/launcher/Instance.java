package cc.container.launcher;

import cc.container.util.InstanceLock;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * One daemon per installation: before the framework starts (and cleans its bundle cache), the launcher takes the lock
 * {@code <storage>.lock} beside the bundle cache. A second daemon of the same installation finds it taken and touches
 * nothing. (One daemon per working path is the configuration component's lock: it knows the valid working path.)
 */
final class Instance {
	/** The locks this process holds: referenced until it ends, so that they are never released by the collector. */
	private static final List<InstanceLock> HELD = new ArrayList<>();

	private Instance() {
	}

	/** Takes the lock of the bundle cache {@code storage}. */
	static void lockStorage(Path storage) throws IOException, InstanceLock.Taken {
		HELD.add(InstanceLock.take(storage.resolveSibling(storage.getFileName() + ".lock")));
	}
}
