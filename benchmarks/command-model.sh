#!/usr/bin/env bash
# Issue 12: the memory of the project's own command parser against picocli holding the same commands, each in a
# JVM with the daemon's options, beside a JVM that parses nothing. Usage: command-model.sh
set -eu
cd "$(dirname "$0")/.."
mvn -B -q install -DskipTests -pl benchmarks -am
mvn -B -q -o -pl benchmarks dependency:build-classpath -Dmdep.outputFile="$PWD/benchmarks/target/classpath.txt" >/dev/null
cp=$(cat benchmarks/target/classpath.txt)
exec java -cp "benchmarks/target/classes:$cp" cc.container.benchmarks.CommandModelBenchmark "$@"
