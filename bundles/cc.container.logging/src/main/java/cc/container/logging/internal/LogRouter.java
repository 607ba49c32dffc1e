package cc.container.logging.internal;

import cc.container.api.LogControl;
import cc.container.api.config.DaemonConfig;
import cc.container.api.config.DaemonConfiguration;
import cc.container.api.config.LogLevel;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;
import java.util.Map;
import org.osgi.framework.Bundle;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.log.LogEntry;
import org.osgi.service.log.LogListener;
import org.osgi.service.log.LogReaderService;
import org.osgi.service.log.Logger;
import org.osgi.service.log.admin.LoggerAdmin;
import org.osgi.service.log.admin.LoggerContext;

/**
 * Routes every entry of the OSGi Log Service (the framework's events, SCR's errors and the project's own messages)
 * to the sinks of the daemon configuration. One logging approach for the whole daemon: code logs through the Log
 * Service, this component is its only listener that writes anywhere.
 *
 * <p>The Log Service's root level is kept at the lowest level any sink writes, so entries nobody would write are
 * not even created. The framework's bundle and service events, which the Log Service reports at INFO, are demoted
 * to DEBUG: on a device they are noise, not news.
 */
@Component(immediate = true, service = LogControl.class)
public final class LogRouter implements LogControl, LogListener {
	private final LogReaderService reader;
	private final LoggerAdmin admin;
	private final DaemonConfiguration daemon;
	private DaemonConfig applied;
	private Sinks sinks;
	private LogLevel override;

	/** Opens the configured sinks, writes what was logged before this bundle started, then listens. */
	@Activate
	public LogRouter(@Reference LogReaderService reader, @Reference LoggerAdmin admin, @Reference DaemonConfiguration daemon) {
		this.reader = reader;
		this.admin = admin;
		this.daemon = daemon;
		synchronized (this) {
			apply(daemon.config());
			replayHistory();
		}
		reader.addLogListener(this);
	}

	@Deactivate
	synchronized void deactivate() {
		reader.removeLogListener(this);
		sinks.close();
	}

	@Override
	public void logged(LogEntry entry) {
		LogLine line = toLine(entry);
		synchronized (this) {
			DaemonConfig now = daemon.config();
			if (now != applied) {
				apply(now);
			}
			sinks.write(line);
		}
	}

	@Override
	public synchronized LogLevel level() {
		return sinks.lowest();
	}

	@Override
	public synchronized void setLevel(LogLevel level) {
		override = level;
		sinks.level(level);
		adjustRootLevel();
	}

	private void apply(DaemonConfig config) {
		if (sinks != null) {
			sinks.close();
		}
		applied = config;
		override = null;
		sinks = Sinks.of(config.logging(), System.err);
		adjustRootLevel();
	}

	private void adjustRootLevel() {
		LoggerContext root = admin.getLoggerContext(null);
		root.setLogLevels(Map.of(Logger.ROOT_LOGGER_NAME, toOsgi(sinks.lowest())));
	}

	private void replayHistory() {
		Enumeration<LogEntry> history = reader.getLog();
		List<LogEntry> older = new ArrayList<>(Collections.list(history));
		Collections.reverse(older);
		for (LogEntry e : older) {
			sinks.write(toLine(e));
		}
	}

	/** The project's level of a Log Service entry. */
	static LogLevel level(LogEntry e) {
		org.osgi.service.log.LogLevel l = e.getLogLevel();
		switch (l) {
			case AUDIT:
				return LogLevel.CRITICAL;
			case ERROR:
				return LogLevel.ERROR;
			case WARN:
				return LogLevel.WARNING;
			case INFO:
				String name = e.getLoggerName();
				return name != null && (name.startsWith("Events.Bundle") || name.startsWith("Events.Service")) ? LogLevel.DEBUG
					: LogLevel.INFO;
			default:
				return LogLevel.DEBUG;
		}
	}

	static org.osgi.service.log.LogLevel toOsgi(LogLevel l) {
		switch (l) {
			case DEBUG:
				return org.osgi.service.log.LogLevel.DEBUG;
			case INFO:
				return org.osgi.service.log.LogLevel.INFO;
			case WARNING:
				return org.osgi.service.log.LogLevel.WARN;
			case ERROR:
				return org.osgi.service.log.LogLevel.ERROR;
			default:
				return org.osgi.service.log.LogLevel.AUDIT;
		}
	}

	static LogLine toLine(LogEntry e) {
		Bundle b = e.getBundle();
		String source = b == null ? "daemon" : b.getBundleId() == 0 ? "framework" : b.getSymbolicName();
		return new LogLine(Instant.ofEpochMilli(e.getTime()), level(e), source, String.valueOf(e.getMessage()), e.getException());
	}
}
