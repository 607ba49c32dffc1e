#!/usr/bin/env bash
# Issue 15: daemon start until its socket answers; boot until N autostart containers run, against starting them by hand.
# Needs root, Podman, LXC and a built distribution. Usage: boot.sh [containers] [rounds]
set -eu
cd "$(dirname "$0")/.."
mvn -B -q install -DskipTests -pl benchmarks -am
mvn -B -q -o -pl benchmarks dependency:build-classpath -Dmdep.outputFile="$PWD/benchmarks/target/classpath.txt" >/dev/null
cp=$(cat benchmarks/target/classpath.txt)
exec java -cp "benchmarks/target/classes:$cp" cc.container.benchmarks.BootBenchmark "$@"
