package cc.container.api;

import cc.container.api.config.LogLevel;
import org.osgi.annotation.versioning.ProviderType;

/** Changes how much the daemon logs while it runs. */
@ProviderType
public interface LogControl {

	/** The level of the least severe messages logged by any sink now. */
	LogLevel level();

	/**
	 * Sets every sink to this level until the daemon restarts or its configuration is reloaded.
	 */
	void setLevel(LogLevel level);
}
