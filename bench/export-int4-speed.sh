#!/usr/bin/env bash
# Speed of the int4 export (issue 11 §4, "wall <= 3 x the copy of its weights"), on a smaller Llama-3 shape than
# export-llama3-8b.sh: RandomLlama3Checkpoint's llama3-1b (Llama-3.2-1B's shape, LM head untied: 1.50B parameters,
# one 3.0 GB bf16 model.safetensors) by default, or SHAPE=llama3-8b / SHAPE=small. Each round times, one after the
# other so the machine's load is alike for them, `cp` of the weights and `export onnx --quantize int4 --no-validate`
# of this build (java -jar target/exporters4j.jar) and, with BASELINE_JAR, of another build, each under
# /usr/bin/time -v: wall time, CPU time (user + system, which a loaded machine disturbs less) and peak RSS. Then the
# medians, the ratio of each export's wall time to the copy's, and whether the baseline wrote the same bytes.
# Not run by the test suite.
#   bench/export-int4-speed.sh [ROUNDS]                      (default 3; work files under bench/work/, git-ignored)
#   BASELINE_JAR=path/to/other/exporters4j.jar bench/export-int4-speed.sh 5
#        (a jar built by `mvn package` keeps its lib/ folder beside it: copy both)
#   KEEP_CHECKPOINT=0 removes the checkpoint when done (kept by default: it takes a while to write)
# Disk: the checkpoint, its copy and two exports at the peak (about 3 x the weights).
set -euo pipefail
cd "$(dirname "$0")/.."
rounds="${1:-3}"
shape="${SHAPE:-llama3-1b}"
baseline="${BASELINE_JAR:-}"

mvn -B -q -o -DskipTests package
mvn -B -q -o test-compile
mkdir -p bench/work
mvn -B -q -o dependency:build-classpath -Dmdep.outputFile=bench/work/classpath.txt -Dmdep.includeScope=test >/dev/null
classpath="target/classes:target/test-classes:$(cat bench/work/classpath.txt)"

work="bench/work/export-int4-$shape"
checkpoint="$work/checkpoint"
mkdir -p "$work"
if [ ! -f "$checkpoint/model.safetensors.index.json" ]; then
  echo "== writing the $shape-shaped bf16 checkpoint"
  rm -rf "$checkpoint"
  java -Xmx256m -cp "$classpath" org.exporters4j.models.llama.RandomLlama3Checkpoint "$checkpoint" "$shape"
fi
echo "== $(du -cm "$checkpoint"/*.safetensors | tail -1 | cut -f1) MB of bf16 weights in" \
  "$(ls "$checkpoint"/*.safetensors | wc -l) shard(s), $rounds rounds, $(nproc) cores, tree" \
  "$(git rev-parse --short HEAD)$(git diff --quiet HEAD || echo ' + uncommitted changes');" \
  "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
cat "$checkpoint"/*.safetensors > /dev/null   # warm the page cache, as for the exports below

results="$work/results.txt"   # one line per measurement: label wall-seconds cpu-seconds peak-rss-kB
: > "$results"
measure() { # label, command...
  local label="$1" out="$work/time.txt"
  shift
  /usr/bin/time -v "$@" > "$work/command.out" 2> "$out" || { cat "$work/command.out" "$out"; exit 1; }
  local wall cpu rss
  wall=$(grep 'Elapsed (wall clock)' "$out" | sed 's/.*: //' | awk -F: '{ s = 0; for (i = 1; i <= NF; i++) s = s * 60 + $i; print s }')
  cpu=$(awk -F': ' '/User time|System time/ { s += $2 } END { print s }' "$out")
  rss=$(grep 'Maximum resident set size' "$out" | sed 's/.*: //')
  echo "$label $wall $cpu $rss" >> "$results"
  printf '  %-34s wall %7.2f s   CPU %7.2f s   peak RSS %6d MB\n' "$label" "$wall" "$cpu" "$((rss / 1024))"
}
export_int4() { # label, jar
  rm -rf "$work/onnx-$1"
  measure "$1" java -jar "$2" export onnx --model "$checkpoint" --task text-generation-with-past --quantize int4 \
    --no-validate "$work/onnx-$1"
}

for round in $(seq 1 "$rounds"); do
  echo "== round $round (load average $(cut -d' ' -f1 /proc/loadavg))"
  mkdir -p "$work/copy"
  measure cp cp "$checkpoint"/*.safetensors "$work/copy/"
  rm -rf "$work/copy"
  export_int4 int4 target/exporters4j.jar
  [ -n "$baseline" ] && export_int4 baseline-int4 "$baseline"
done

median() { # label, column (2 wall, 3 CPU, 4 RSS)
  awk -v l="$1" -v c="$2" '$1 == l { print $c }' "$results" | sort -g | awk '{ v[NR] = $1 } END {
    if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
echo "== medians of $rounds rounds (load average after: $(cut -d' ' -f1-3 /proc/loadavg))"
labels="cp int4"
[ -n "$baseline" ] && labels="$labels baseline-int4"
cp_wall=$(median cp 2)
for label in $labels; do
  printf '  %-34s wall %7.2f s   CPU %7.2f s   peak RSS %6d MB   wall / cp %5.2f\n' "$label" "$(median "$label" 2)" \
    "$(median "$label" 3)" "$(( $(median "$label" 4) / 1024 ))" "$(echo "$(median "$label" 2) / $cp_wall" | bc -l)"
done
printf '  output %d MB\n' "$(du -cm "$work/onnx-int4"/*.onnx* | tail -1 | cut -f1)"
if [ -n "$baseline" ]; then
  same=yes
  for file in "$work/onnx-int4"/*.onnx*; do
    cmp -s "$file" "$work/onnx-baseline-int4/$(basename "$file")" || same=no
  done
  echo "  the baseline wrote the same bytes: $same"
fi
rm -rf "$work"/onnx-*
if [ "${KEEP_CHECKPOINT:-1}" = 0 ]; then
  rm -rf "$checkpoint"
fi
