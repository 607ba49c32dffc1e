#!/usr/bin/env bash
# Issue 6: containerctl list and start against podman ps and podman start, and the client's start-up.
# Needs root, Podman and a built distribution. Usage: ctl.sh [rounds]
set -eu
cd "$(dirname "$0")/.."
mvn -B -q install -DskipTests -pl benchmarks -am
mvn -B -q -o -pl benchmarks dependency:build-classpath -Dmdep.outputFile="$PWD/benchmarks/target/classpath.txt" >/dev/null
cp=$(cat benchmarks/target/classpath.txt)
exec java -cp "benchmarks/target/classes:$cp" cc.container.benchmarks.CtlBenchmark "$@"
