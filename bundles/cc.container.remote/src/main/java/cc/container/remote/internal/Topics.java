package cc.container.remote.internal;

/** The topics of one device (docs/remote.md): every one under {@code <prefix>/<device>/}. */
record Topics(String prefix, String device) {
	String base() {
		return prefix + "/" + device;
	}

	/** The device's birth and will (retained). */
	String status() {
		return base() + "/status";
	}

	/** A container's state, the state.json object (retained). */
	String state(String id) {
		return base() + "/containers/" + id + "/state";
	}

	/** A container's telemetry. */
	String telemetry(String id) {
		return base() + "/containers/" + id + "/telemetry";
	}

	/** Restart-history entries and buffer notices. */
	String events() {
		return base() + "/events";
	}

	/** Where the device takes commands. */
	String commands() {
		return base() + "/commands";
	}

	/** Where it answers the command of correlation id {@code id}. */
	String response(String id) {
		return base() + "/responses/" + id;
	}
}
