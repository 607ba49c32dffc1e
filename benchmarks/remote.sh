#!/usr/bin/env bash
# Issue 16: remote management at scale: the daemon with MQTT telemetry on and off, simulated devices on one Mosquitto, the fleet tool round trip.
# Needs root, Podman, LXC and a built distribution. Usage: remote.sh [containers] [devices] [seconds]
set -eu
cd "$(dirname "$0")/.."
mvn -B -q install -DskipTests -pl benchmarks -am
mvn -B -q -o -pl benchmarks dependency:build-classpath -Dmdep.outputFile="$PWD/benchmarks/target/classpath.txt" >/dev/null
cp=$(cat benchmarks/target/classpath.txt)
exec java -cp "benchmarks/target/classes:$cp" cc.container.benchmarks.RemoteBenchmark "$@"
