#!/usr/bin/env bash
# Benchmark of issue 9: export a Qwen2.5-0.5B-shaped Qwen2ForCausalLM (24 layers, hidden 896, 14 query / 2
# key-value heads, FFN 4864, vocabulary 151936, tied embeddings; 494M parameters) with random bfloat16 weights
# (written by the project's own generator as model.safetensors, 988 MB) for text-generation-with-past. Each round
# times, with /usr/bin/time -v (wall time, peak RSS), `cp` of the weights file, the export with --no-validate and the
# export with validation, one after the other, so the machine's load is alike for the three; then it prints each
# figure's median over the rounds and the goal: export without validation in at most 2 x cp + 1 s and 512 MB peak
# RSS. Not run by the test suite.
#   bench/export-qwen2.5-0.5b.sh [ROUNDS]        (default 3; work files under bench/work/, git-ignored; ~4 GB of disk)
#   BASELINE_JAR=path/to/other/exporters4j.jar bench/export-qwen2.5-0.5b.sh
#        also times the exports of another build, run with `java -jar`, in the same rounds (before/after figures
#        from one run); this build runs through the launcher `./exporters4j`, as the README has users run it
set -euo pipefail
cd "$(dirname "$0")/.."
rounds="${1:-3}"
baseline="${BASELINE_JAR:-}"

mvn -B -q -DskipTests package
./exporters4j --version >/dev/null   # the launcher's class-data archive, written once after a build
mvn -B -q test-compile
mkdir -p bench/work
mvn -B -q dependency:build-classpath -Dmdep.outputFile=bench/work/classpath.txt -Dmdep.includeScope=test >/dev/null
classpath="target/classes:target/test-classes:$(cat bench/work/classpath.txt)"

work=bench/work/export-qwen2.5-0.5b
mkdir -p "$work"
if [ ! -f "$work/checkpoint/model.safetensors" ]; then
  echo "== writing the Qwen2.5-0.5B-shaped bf16 checkpoint"
  java -Xmx256m -cp "$classpath" org.exporters4j.models.llama.RandomQwen2Checkpoint "$work/checkpoint"
fi
weights="$work/checkpoint/model.safetensors"
echo "== $(du -m "$weights" | cut -f1) MB of bf16 weights, $rounds rounds, $(nproc) cores;" \
  "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
cat "$weights" > /dev/null   # warm the page cache, as for the exports below

results="$work/results.txt"   # one line per measurement: label wall-seconds peak-rss-kB
: > "$results"
measure() { # label, command...
  local label="$1" out="$work/time.txt"
  shift
  /usr/bin/time -v "$@" > "$work/command.out" 2> "$out" || { cat "$work/command.out" "$out"; exit 1; }
  local wall rss
  wall=$(grep 'Elapsed (wall clock)' "$out" | sed 's/.*: //' | awk -F: '{ s = 0; for (i = 1; i <= NF; i++) s = s * 60 + $i; print s }')
  rss=$(grep 'Maximum resident set size' "$out" | sed 's/.*: //')
  echo "$label $wall $rss" >> "$results"
  printf '  %-44s wall %7.2f s   peak RSS %6d MB\n' "$label" "$wall" "$((rss / 1024))"
}
export_with() { # label, mode, command that runs the CLI...
  local label="$1" out="$work/onnx" flags=()
  rm -rf "$out"
  [ "$2" = --no-validate ] && flags=(--no-validate)
  shift 2
  measure "$label" "$@" export onnx --model "$work/checkpoint" --task text-generation-with-past \
    "${flags[@]}" "$out"
}

for round in $(seq 1 "$rounds"); do
  echo "== round $round (load average $(cut -d' ' -f1 /proc/loadavg))"
  measure cp cp "$weights" "$work/copy"
  rm -f "$work/copy"
  export_with export-no-validate --no-validate ./exporters4j
  export_with export-validate validate ./exporters4j
  if [ -n "$baseline" ]; then
    export_with baseline-no-validate --no-validate java -jar "$baseline"
    export_with baseline-validate validate java -jar "$baseline"
  fi
done

median() { # label, column (2 wall, 3 rss)
  awk -v l="$1" -v c="$2" '$1 == l { print $c }' "$results" | sort -g | awk '{ v[NR] = $1 } END {
    if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
echo "== medians of $rounds rounds (load average after: $(cut -d' ' -f1-3 /proc/loadavg))"
labels="cp export-no-validate export-validate"
[ -n "$baseline" ] && labels="$labels baseline-no-validate baseline-validate"
for label in $labels; do
  printf '  %-44s wall %7.2f s   peak RSS %6d MB\n' "$label" "$(median "$label" 2)" "$(( $(median "$label" 3) / 1024 ))"
done
cp_wall=$(median cp 2)
export_wall=$(median export-no-validate 2)
export_rss=$(( $(median export-no-validate 3) / 1024 ))
awk -v cp="$cp_wall" -v e="$export_wall" -v rss="$export_rss" 'BEGIN {
  goal = 2 * cp + 1
  printf "== goal: export --no-validate <= 2 x cp + 1 s = %.2f s and <= 512 MB peak RSS\n", goal
  printf "   export --no-validate %.2f s = %.2f x the goal (%s); peak RSS %d MB = %.2f x 512 MB (%s)\n",
    e, e / goal, e <= goal ? "met" : "not met", rss, rss / 512, rss <= 512 ? "met" : "not met" }'
printf '%-56s %s MB (bf16 weights %s MB, float32 %s MB)\n' "output (model.onnx + external data)" \
  "$(du -cm "$work/onnx"/model.onnx* | tail -1 | cut -f1)" "$(du -m "$weights" | cut -f1)" \
  "$(( $(du -m "$weights" | cut -f1) * 2 ))"
ls -l "$work/onnx"
