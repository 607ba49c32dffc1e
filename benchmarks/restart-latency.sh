#!/usr/bin/env bash
# Issue 4: crash-to-restart latency under the supervisor (retry_delay 0) beside Podman's own --restart=always.
# Needs root, Podman and LXC. Usage: restart-latency.sh [tries]
set -eu
cd "$(dirname "$0")/.."
mvn -B -q install -DskipTests -pl benchmarks -am
mvn -B -q -o -pl benchmarks dependency:build-classpath -Dmdep.outputFile="$PWD/benchmarks/target/classpath.txt" >/dev/null
cp=$(cat benchmarks/target/classpath.txt)
exec java -cp "benchmarks/target/classes:$cp" cc.container.benchmarks.RestartLatencyBenchmark "$@"
