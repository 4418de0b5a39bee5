#!/usr/bin/env bash
# Benchmark: read every tensor of a ~1 GB safetensors file through exporters4j's memory-mapped reader, with a small
# heap, beside `cat file > /dev/null`. Not run by the test suite.
#   bench/read-safetensors.sh [megabytes]      (default 1024; the file is bench/work/bench.safetensors, git-ignored)
set -euo pipefail
cd "$(dirname "$0")/.."
megabytes="${1:-1024}"
file=bench/work/bench.safetensors
mkdir -p bench/work

mvn -B -q test-compile
mvn -B -q dependency:build-classpath -Dmdep.outputFile=bench/work/classpath.txt -Dmdep.includeScope=test >/dev/null
classpath="target/classes:target/test-classes:$(cat bench/work/classpath.txt)"

# write the file first (if needed), so both readers below start from the same page cache
java -Xmx128m -cp "$classpath" org.exporters4j.checkpoint.SafetensorsReadBenchmark "$file" "$megabytes" >/dev/null
ls -l "$file"

echo "== cat file > /dev/null (GNU cat may skip copying into /dev/null)"
time cat "$file" > /dev/null
echo "== cat file | wc -c (every byte copied through a pipe)"
time cat "$file" | wc -c

echo "== exporters4j Weights.bytes over every tensor (java -Xmx128m)"
time java -Xmx128m -cp "$classpath" org.exporters4j.checkpoint.SafetensorsReadBenchmark "$file" "$megabytes"
