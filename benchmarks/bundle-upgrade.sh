#!/usr/bin/env bash
# Issue 7: field upgrade of the Podman driver with a container running: update/rollback time, pid, memory.
# Needs root, Podman and a built distribution. Usage: bundle-upgrade.sh [cycles]
set -eu
cd "$(dirname "$0")/.."
mvn -B -q install -DskipTests -pl benchmarks -am
mvn -B -q -o -pl benchmarks dependency:build-classpath -Dmdep.outputFile="$PWD/benchmarks/target/classpath.txt" >/dev/null
cp=$(cat benchmarks/target/classpath.txt)
exec java -cp "benchmarks/target/classes:$cp" cc.container.benchmarks.BundleUpgradeBenchmark "$@"
