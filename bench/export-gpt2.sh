#!/usr/bin/env bash
# Benchmark of issue 5: export a gpt2-sized (124M parameters) and a gpt2-large-sized (774M parameters, 3.1 GB in
# fp32, so external data) GPT2LMHeadModel with random weights (written by the project's own generator as
# model.safetensors) for causal-lm-with-past, with /usr/bin/time -v (wall time, peak RSS), with --no-validate and
# with validation, beside `cp` of the same weights file, and the output size beside the weights' size; then the
# ONNX Runtime greedy decoding throughput of the exported gpt2 model, 32 new tokens, with and without the cache.
# Not run by the test suite.
#   bench/export-gpt2.sh [gpt2] [gpt2-large]   (default both; work files under bench/work/, git-ignored; ~10 GB)
set -euo pipefail
cd "$(dirname "$0")/.."
sizes=("$@")
[ ${#sizes[@]} -eq 0 ] && sizes=(gpt2 gpt2-large)

mvn -B -q -DskipTests package
mvn -B -q test-compile
mkdir -p bench/work
mvn -B -q dependency:build-classpath -Dmdep.outputFile=bench/work/classpath.txt -Dmdep.includeScope=test >/dev/null
classpath="target/classes:target/test-classes:$(cat bench/work/classpath.txt)"

report() { # label, time -v output file
  local wall rss
  wall=$(grep 'Elapsed (wall clock)' "$2" | sed 's/.*: //')
  rss=$(grep 'Maximum resident set size' "$2" | sed 's/.*: //')
  printf '%-52s wall %8s   peak RSS %6d MB\n' "$1" "$wall" "$((rss / 1024))"
}

for size in "${sizes[@]}"; do
  work=bench/work/export-$size
  mkdir -p "$work"
  if [ ! -f "$work/checkpoint/model.safetensors" ]; then
    echo "== writing the $size checkpoint"
    java -Xmx256m -cp "$classpath" org.exporters4j.models.gpt2.RandomGpt2Checkpoint "$work/checkpoint" "$size"
  fi
  weights="$work/checkpoint/model.safetensors"
  echo "== $size: $(du -m "$weights" | cut -f1) MB of weights"
  cat "$weights" > /dev/null   # warm the page cache, as for the exports below
  /usr/bin/time -v cp "$weights" "$work/copy" 2> "$work/time-cp.txt"
  report "cp model.safetensors" "$work/time-cp.txt"
  rm -f "$work/copy"
  for mode in --no-validate validate; do
    out="$work/onnx"
    rm -rf "$out"
    flags=()
    [ "$mode" = --no-validate ] && flags=(--no-validate)
    /usr/bin/time -v java -jar target/exporters4j.jar export onnx --model "$work/checkpoint" \
      --task causal-lm-with-past "${flags[@]}" "$out" > "$work/export.out" 2> "$work/time-export.txt" || {
        cat "$work/export.out" "$work/time-export.txt"; exit 1; }
    report "export causal-lm-with-past, $mode" "$work/time-export.txt"
  done
  printf '%-52s %s MB (weights %s MB)\n' "output (model.onnx + external data)" \
    "$(du -cm "$work/onnx"/model.onnx* | tail -1 | cut -f1)" "$(du -m "$weights" | cut -f1)"
  ls -l "$work/onnx"
done

if [ -f bench/work/export-gpt2/onnx/model.onnx ]; then
  echo "== ONNX Runtime greedy decoding of the exported gpt2 (batch 1, CPU, $(nproc) cores)"
  java -cp "$classpath" org.exporters4j.export.DecodeThroughput bench/work/export-gpt2/onnx/model.onnx 16 32
fi
