#!/usr/bin/env bash
# Benchmark of issue 11 §4: a Llama-3-8B-shaped LlamaForCausalLM (32 layers, hidden 4096, FFN 14336, 32 query / 8
# key-value heads, vocabulary 128256, untied LM head; random bf16 weights written by the project's own generator as
# save_pretrained shards them: four model-0000K-of-00004.safetensors and model.safetensors.index.json, ~16 GB) is
# exported for text-generation-with-past with --quantize int4 (without validation, then with validation: ONNX
# Runtime runs the int4 model; its float32 graph, 32 GB, is too large to build beside it, which a note says) and,
# where the build has it, with --dtype fp16 (without validation). Each export is timed with /usr/bin/time -v (wall
# time, peak RSS) beside `cp` of the weights; the output sizes are printed beside the weights'. Goals (issue 11): int4
# peak RSS <= 1 GB, wall <= 3 x the copy. The checkpoint is deleted when done unless KEEP_CHECKPOINT=1.
# Not run by the test suite; needs ~23 GB of free disk at its peak (checkpoint, a shard's copy, one export at a time).
#   bench/export-llama3-8b.sh                    (work files under bench/work/export-llama3-8b/, git-ignored)
#   KEEP_CHECKPOINT=1 bench/export-llama3-8b.sh  (keeps the checkpoint for the next run)
#   EXPORTS="int4-no-validate" bench/export-llama3-8b.sh  (only the named exports, of: int4-no-validate
#                                                 fp16-no-validate int4-validated; all three by default)
set -euo pipefail
cd "$(dirname "$0")/.."
work=bench/work/export-llama3-8b
checkpoint="$work/checkpoint"
mkdir -p "$work"

mvn -B -q -o -DskipTests package
mvn -B -q -o test-compile
mvn -B -q -o dependency:build-classpath -Dmdep.outputFile="$work/classpath.txt" -Dmdep.includeScope=test >/dev/null
classpath="target/classes:target/test-classes:$(cat "$work/classpath.txt")"

report() { # label, time -v output file[, output folder]
  local wall rss size=""
  wall=$(grep 'Elapsed (wall clock)' "$2" | sed 's/.*: //')
  rss=$(grep 'Maximum resident set size' "$2" | sed 's/.*: //')
  [ -n "${3:-}" ] && size=$(printf '   output %6d MB' "$(du -cm "$3"/*.onnx "$3"/*.onnx_data | tail -1 | cut -f1)")
  printf '%-44s wall %9s   peak RSS %6d MB%s\n' "$1" "$wall" "$((rss / 1024))" "$size"
}

echo "== $(date -u '+%F %T') UTC, $(nproc) cores, $(free -g | awk '/Mem/ {print $2}') GB of memory," \
  "tree $(git rev-parse --short HEAD)$(git diff --quiet HEAD || echo ' + uncommitted changes')"
if [ ! -f "$checkpoint/model.safetensors.index.json" ]; then
  rm -rf "$checkpoint"
  /usr/bin/time -v java -Xmx256m -cp "$classpath" org.exporters4j.models.llama.RandomLlama3Checkpoint \
    "$checkpoint" llama3-8b 2> "$work/time-write.txt"
  report "write the bf16 checkpoint" "$work/time-write.txt"
fi
weights_mb=$(du -cm "$checkpoint"/*.safetensors | tail -1 | cut -f1)
echo "== $weights_mb MB of bf16 weights in $(ls "$checkpoint"/*.safetensors | wc -l) shards;" \
  "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
cat "$checkpoint"/*.safetensors > /dev/null   # warm the page cache, as for the exports below

# cp of the weights, a shard at a time (each copy deleted before the next: the disk needs room for one shard only)
copy_seconds=0
for shard in "$checkpoint"/*.safetensors; do
  start=$(date +%s.%N)
  cp "$shard" "$work/copy.safetensors"
  copy_seconds=$(echo "$copy_seconds + $(date +%s.%N) - $start" | bc)
  rm -f "$work/copy.safetensors"
done
printf '%-44s wall %9.2f s\n' "cp of the weights (shard by shard)" "$copy_seconds"

export_form() { # label, flags...
  local label=$1 out="$work/onnx-$1"
  shift
  rm -rf "$out"
  /usr/bin/time -v java -jar target/exporters4j.jar export onnx --model "$checkpoint" \
    --task text-generation-with-past "$@" "$out" > "$work/export-$label.log" 2> "$work/time-$label.txt" || {
      cat "$work/export-$label.log"; tail -40 "$work/time-$label.txt"; exit 1; }
  report "export $label" "$work/time-$label.txt" "$out"
  grep -E '^note|validation (passed|failed)|logits \(' "$work/time-$label.txt" | sed 's/^/    /' || true
  rm -rf "$out"
}

exports=" ${EXPORTS:-int4-no-validate fp16-no-validate int4-validated} "
for name in $exports; do
  case $name in
    int4-no-validate|fp16-no-validate|int4-validated) ;;
    *) echo "EXPORTS names $name; the exports are int4-no-validate, fp16-no-validate, int4-validated" >&2; exit 2 ;;
  esac
done
[[ $exports == *" int4-no-validate "* ]] && export_form int4-no-validate --quantize int4 --no-validate
[[ $exports == *" fp16-no-validate "* ]] && export_form fp16-no-validate --dtype fp16 --no-validate
[[ $exports == *" int4-validated "* ]] && export_form int4-validated --quantize int4
echo "== load average: $(cut -d' ' -f1-3 /proc/loadavg)"
if [ "${KEEP_CHECKPOINT:-0}" != 1 ]; then
  rm -rf "$checkpoint"
  echo "deleted $checkpoint (KEEP_CHECKPOINT=1 keeps it)"
fi
