#!/usr/bin/env bash
# Issue 5: install of a Podman package with a payload of N MB of random data, beside sha256sum + podman load by hand;
# the installing JVM runs with the daemon's JVM options. Needs root and Podman. Usage: install.sh [megabytes]
set -eu
cd "$(dirname "$0")/.."
mvn -B -q install -DskipTests -pl benchmarks -am
mvn -B -q -o -pl benchmarks dependency:build-classpath -Dmdep.outputFile="$PWD/benchmarks/target/classpath.txt" >/dev/null
cp=$(cat benchmarks/target/classpath.txt)
opts=$(sed -e "s/#.*//" -e "/^[[:space:]]*$/d" distribution/src/main/dist/conf/jvm.options | tr "\n" " ")
# shellcheck disable=SC2086
exec java $opts -cp "benchmarks/target/classes:$cp" cc.container.benchmarks.InstallBenchmark "$@"
