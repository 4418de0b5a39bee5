#!/usr/bin/env bash
# Benchmark of issue 11 §1: a gpt2-sized GPT2LMHeadModel (12 layers, hidden 768, 12 heads; random weights written by
# the project's own generator) exported for causal-lm-with-past by this tree ("after") and by a baseline commit
# ("before", default 3f72a74: main before the plain-graph changes), then one decoding step of both side by side in
# ONNX Runtime at past 128, 512 and 1000: latency measured interleaved in one process (ratio after/before), the
# per-operator totals of ONNX Runtime's profiler, and the node counts of the graph ONNX Runtime runs.
# Not run by the test suite.
#   bench/profile-gpt2-decoding.sh [BASELINE_COMMIT] [PASTS]   (work files under bench/work/, git-ignored; ~2 GB)
set -euo pipefail
cd "$(dirname "$0")/.."
baseline=${1:-3f72a74}
pasts=${2:-128,512,1000}
work=bench/work/profile-gpt2
mkdir -p "$work"

mvn -B -q -o -DskipTests package
mvn -B -q -o test-compile
mvn -B -q -o dependency:build-classpath -Dmdep.outputFile="$work/classpath.txt" -Dmdep.includeScope=test >/dev/null
classpath="target/classes:target/test-classes:$(cat "$work/classpath.txt")"

if [ ! -f "$work/checkpoint/model.safetensors" ]; then
  echo "== writing the gpt2-sized checkpoint"
  java -Xmx256m -cp "$classpath" org.exporters4j.models.gpt2.RandomGpt2Checkpoint "$work/checkpoint" gpt2
fi

sha=$(git rev-parse --verify "$baseline^{commit}")
if [ ! -f "$work/baseline-$sha/target/exporters4j.jar" ]; then
  echo "== building the baseline $sha"
  rm -rf "$work/baseline-$sha"
  mkdir -p "$work/baseline-$sha"
  git archive "$sha" | tar -x -C "$work/baseline-$sha"
  (cd "$work/baseline-$sha" && mvn -B -q -o -DskipTests package)
fi

for side in before after; do
  jar=target/exporters4j.jar
  [ "$side" = before ] && jar="$work/baseline-$sha/target/exporters4j.jar"
  rm -rf "$work/$side"
  java -jar "$jar" export onnx --model "$work/checkpoint" --task causal-lm-with-past --no-validate "$work/$side" \
    > "$work/export-$side.log" 2>&1 || { cat "$work/export-$side.log"; exit 1; }
done

echo "== before: $sha ($(git log -1 --format=%s "$sha" | cut -c1-60)...), after: $(git rev-parse --short HEAD)$(git diff --quiet HEAD || echo ' + uncommitted changes')"
echo "== load: $(uptime)"
java -Xmx2g -cp "$classpath" org.exporters4j.export.DecodeStepProfile "$pasts" \
  before="$work/before/model.onnx" after="$work/after/model.onnx"
echo "== load: $(uptime)"
