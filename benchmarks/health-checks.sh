#!/usr/bin/env bash
# Issue 14: the daemon with N containers probed every 10 s (tcp, command) beside the same without checks.
# Needs root, Podman, LXC and a built distribution. Usage: health-checks.sh [containers] [seconds]
set -eu
cd "$(dirname "$0")/.."
mvn -B -q install -DskipTests -pl benchmarks -am
mvn -B -q -o -pl benchmarks dependency:build-classpath -Dmdep.outputFile="$PWD/benchmarks/target/classpath.txt" >/dev/null
cp=$(cat benchmarks/target/classpath.txt)
exec java -cp "benchmarks/target/classes:$cp" cc.container.benchmarks.HealthCheckBenchmark "$@"
