package cc.container.api.exec;

import org.osgi.annotation.versioning.ProviderType;

/** A long-running command whose output is streamed line by line (an event stream, a followed log). */
@ProviderType
public interface RunningCommand extends AutoCloseable {

	/** Whether the process is still running. */
	boolean isAlive();

	/** Kills the process and every process it started; returns at once when it has already ended. */
	@Override
	void close();
}
