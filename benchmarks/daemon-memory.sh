#!/usr/bin/env bash
# Resident memory of the idle daemon, beside a bare Felix (no bundles) started with the same JVM options
# in the same run. Needs a built distribution (scripts/test.sh or mvn install).
# Usage: benchmarks/daemon-memory.sh [settle-seconds]
set -eu
cd "$(dirname "$0")/.."
dist=distribution/target/cc-container-mng
settle=${1:-10}
[ -x "$dist/bin/cc-containerd" ] || { echo "build first: mvn -B -DskipTests install" >&2; exit 1; }
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT

# Peak RSS (kB) and thread count of a process over 5 samples, one a second.
sample() {
	local pid=$1 max=0 rss threads
	for _ in 1 2 3 4 5; do
		rss=$(ps -o rss= -p "$pid" | tr -d ' ')
		threads=$(ps -o nlwp= -p "$pid" | tr -d ' ')
		[ "$rss" -gt "$max" ] && max=$rss
		sleep 1
	done
	echo "$max $threads"
}

# Baseline: the same launcher and JVM options, a home folder without bundles.
mkdir -p "$work/bare/bin" "$work/bare/conf" "$work/bare/lib"
cp "$dist/lib/"*.jar "$work/bare/lib/"; cp "$dist/conf/jvm.options" "$work/bare/conf/"; cp "$dist/bin/cc-containerd" "$work/bare/bin/"
"$work/bare/bin/cc-containerd" --config-file /nonexistent >/dev/null 2>&1 &
bare=$!
sleep "$settle"
read -r bare_rss bare_threads < <(sample $bare)
kill $bare; wait $bare 2>/dev/null || true

run_daemon() { # $1 = syslog enabled (true|false)
	cat > "$work/d.conf" <<CONF
{ "service": { "working_path": "$work/work", "control_socket": "$work/control.sock" },
  "logging": { "level": "INFO", "console": { "enabled": false },
               "syslog": { "enabled": $1, "path": "$work/log.sock" },
               "file": { "enabled": true, "path": "$work/cc-containerd.log" } } }
CONF
	rm -f "$work/cc-containerd.log"
	"$dist/bin/cc-containerd" --config-file "$work/d.conf" >/dev/null 2>&1 &
	local pid=$!
	for _ in $(seq 1 300); do grep -q "managed container" "$work/cc-containerd.log" 2>/dev/null && break; sleep 0.1; done
	sleep "$settle"
	sample $pid
	kill $pid; wait $pid 2>/dev/null || true
}
read -r d_rss d_threads < <(run_daemon false)
read -r s_rss s_threads < <(run_daemon true)

echo "JVM options: $(sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$dist/conf/jvm.options" | tr '\n' ' ')"
echo "java: $(java -version 2>&1 | head -1)"
printf '%-44s %8s %8s %8s\n' "what (idle, ${settle}s settle, peak of 5 samples)" "RSS MB" "threads" "ratio"
printf '%-44s %8.1f %8s %8s\n' "bare Felix, no bundles (baseline)" "$(echo "$bare_rss/1024" | bc -l)" "$bare_threads" "1.00"
printf '%-44s %8.1f %8s %8.2f\n' "daemon (file + console sinks)" "$(echo "$d_rss/1024" | bc -l)" "$d_threads" "$(echo "$d_rss/$bare_rss" | bc -l)"
printf '%-44s %8.1f %8s %8.2f\n' "daemon (file + syslog sinks, JNA loaded)" "$(echo "$s_rss/1024" | bc -l)" "$s_threads" "$(echo "$s_rss/$bare_rss" | bc -l)"
