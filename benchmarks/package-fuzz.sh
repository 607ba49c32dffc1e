#!/usr/bin/env bash
# Issue 10: the package reader against a seeded mutation corpus (default 10000 cases) in a JVM with the daemon's
# options (its 32 MB heap). Exit status 1 when a case ends in anything but a verified package or a one-sentence
# refusal. Usage: package-fuzz.sh [cases] [seed]
set -eu
cd "$(dirname "$0")/.."
mvn -B -q install -DskipTests -pl benchmarks -am
mvn -B -q -o -pl benchmarks dependency:build-classpath -Dmdep.outputFile="$PWD/benchmarks/target/classpath.txt" >/dev/null
cp=$(cat benchmarks/target/classpath.txt)
opts=$(sed -e "s/#.*//" -e "/^[[:space:]]*$/d" distribution/src/main/dist/conf/jvm.options | tr "\n" " ")
# shellcheck disable=SC2086
exec java $opts -cp "benchmarks/target/classes:$cp" cc.container.benchmarks.PackageFuzzBenchmark "$@"
