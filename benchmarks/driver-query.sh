#!/usr/bin/env bash
# Issue 3: one status + statistics query of N running containers per runtime through the drivers, against one
# query per container, in the same run. Needs root, Podman and LXC (see README). Usage: driver-query.sh [N] [rounds]
set -eu
cd "$(dirname "$0")/.."
mvn -B -q install -DskipTests -pl benchmarks -am
mvn -B -q -o -pl benchmarks dependency:build-classpath -Dmdep.outputFile="$PWD/benchmarks/target/classpath.txt" >/dev/null
cp=$(cat benchmarks/target/classpath.txt)
exec java -cp "benchmarks/target/classes:$cp" cc.container.benchmarks.DriverQueryBenchmark "$@"
