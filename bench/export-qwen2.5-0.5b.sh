#!/usr/bin/env bash
# Benchmark of issue 9: export a Qwen2.5-0.5B-shaped Qwen2ForCausalLM (24 layers, hidden 896, 14 query / 2
# key-value heads, FFN 4864, vocabulary 151936, tied embeddings; 494M parameters) with random bfloat16 weights
# (written by the project's own generator as model.safetensors, 988 MB) for text-generation-with-past, with
# /usr/bin/time -v (wall time, peak RSS), with --no-validate and with validation, beside `cp` of the same weights
# file, and the output size beside the weights' size. Not run by the test suite.
#   bench/export-qwen2.5-0.5b.sh     (work files under bench/work/, git-ignored; about 4 GB of disk)
set -euo pipefail
cd "$(dirname "$0")/.."

mvn -B -q -DskipTests package
mvn -B -q test-compile
mkdir -p bench/work
mvn -B -q dependency:build-classpath -Dmdep.outputFile=bench/work/classpath.txt -Dmdep.includeScope=test >/dev/null
classpath="target/classes:target/test-classes:$(cat bench/work/classpath.txt)"

report() { # label, time -v output file
  local wall rss
  wall=$(grep 'Elapsed (wall clock)' "$2" | sed 's/.*: //')
  rss=$(grep 'Maximum resident set size' "$2" | sed 's/.*: //')
  printf '%-56s wall %8s   peak RSS %6d MB\n' "$1" "$wall" "$((rss / 1024))"
}

work=bench/work/export-qwen2.5-0.5b
mkdir -p "$work"
if [ ! -f "$work/checkpoint/model.safetensors" ]; then
  echo "== writing the Qwen2.5-0.5B-shaped bf16 checkpoint"
  java -Xmx256m -cp "$classpath" org.exporters4j.models.llama.RandomQwen2Checkpoint "$work/checkpoint"
fi
weights="$work/checkpoint/model.safetensors"
echo "== $(du -m "$weights" | cut -f1) MB of bf16 weights; load average: $(cut -d' ' -f1-3 /proc/loadavg)"
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
    --task text-generation-with-past "${flags[@]}" "$out" > "$work/export.out" 2> "$work/time-export.txt" || {
      cat "$work/export.out" "$work/time-export.txt"; exit 1; }
  report "export text-generation-with-past, $mode" "$work/time-export.txt"
done
printf '%-56s %s MB (bf16 weights %s MB, float32 %s MB)\n' "output (model.onnx + external data)" \
  "$(du -cm "$work/onnx"/model.onnx* | tail -1 | cut -f1)" "$(du -m "$weights" | cut -f1)" \
  "$(( $(du -m "$weights" | cut -f1) * 2 ))"
ls -l "$work/onnx"
