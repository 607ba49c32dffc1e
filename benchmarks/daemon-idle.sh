#!/usr/bin/env bash
# Issue 4: memory and CPU per hour of the daemon supervising N idle containers at monitor_interval 10.
# Needs root, Podman, LXC and a built distribution. Usage: daemon-idle.sh [containers] [seconds]
set -eu
cd "$(dirname "$0")/.."
mvn -B -q install -DskipTests -pl benchmarks -am
mvn -B -q -o -pl benchmarks dependency:build-classpath -Dmdep.outputFile="$PWD/benchmarks/target/classpath.txt" >/dev/null
cp=$(cat benchmarks/target/classpath.txt)
exec java -cp "benchmarks/target/classes:$cp" cc.container.benchmarks.DaemonIdleBenchmark "$@"
