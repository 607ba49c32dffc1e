#!/usr/bin/env bash
# Builds the daemon and runs it in the foreground on the local default configuration (dev/local.conf):
# everything it writes lands under var/ in this checkout (no /etc, no /root). Ctrl-C stops it.
# Extra arguments go to cc-containerd (for example --shell for the Gogo shell on the console).
set -eu
cd "$(dirname "$0")/.."
mvn -B -q -DskipTests install
exec distribution/target/cc-container-mng/bin/cc-containerd --config-file dev/local.conf "$@"
