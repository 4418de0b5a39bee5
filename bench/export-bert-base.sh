#!/usr/bin/env bash
# Benchmark of issue 4: export a bert-base-sized BertForSequenceClassification (hidden 768, 12 layers, 110M
# parameters, random weights written by the project's own generator in both model.safetensors and
# pytorch_model.bin) to ONNX, timing the export with /usr/bin/time -v (wall time, peak RSS) for each weights format,
# with and without validation, beside `cp` of the same weights file; then the ONNX Runtime latency of the exported
# model at batch 1 and 8, sequence 128. Not run by the test suite.
#   bench/export-bert-base.sh          (work files under bench/work/, git-ignored; about 2 GB of disk)
set -euo pipefail
cd "$(dirname "$0")/.."
work=bench/work/export-bert-base
mkdir -p "$work"

mvn -B -q -DskipTests package
mvn -B -q test-compile
mvn -B -q dependency:build-classpath -Dmdep.outputFile=bench/work/classpath.txt -Dmdep.includeScope=test >/dev/null
classpath="target/classes:target/test-classes:$(cat bench/work/classpath.txt)"

if [ ! -f "$work/both/model.safetensors" ] || [ ! -f "$work/both/pytorch_model.bin" ]; then
  echo "== writing the bert-base checkpoint (both formats)"
  rm -rf "$work/both"
  java -Xmx1g -cp "$classpath" org.exporters4j.models.bert.RandomBertCheckpoint "$work/both" base safetensors pytorch
fi
for format in safetensors pytorch; do
  rm -rf "$work/$format" && mkdir -p "$work/$format"
  cp "$work/both/config.json" "$work/both/vocab.txt" "$work/both/tokenizer_config.json" "$work/$format/"
done
ln "$work/both/model.safetensors" "$work/safetensors/model.safetensors"
ln "$work/both/pytorch_model.bin" "$work/pytorch/pytorch_model.bin"
ls -l "$work/both"

report() { # label, time -v output file
  local wall rss
  wall=$(grep 'Elapsed (wall clock)' "$2" | sed 's/.*: //')
  rss=$(grep 'Maximum resident set size' "$2" | sed 's/.*: //')
  printf '%-48s wall %8s   peak RSS %6d MB\n' "$1" "$wall" "$((rss / 1024))"
}

for weights in model.safetensors pytorch_model.bin; do
  file="$work/both/$weights"
  cat "$file" > /dev/null   # warm the page cache, as for the exports below
  /usr/bin/time -v cp "$file" "$work/copy" 2> "$work/time-cp.txt"
  report "cp $weights ($(du -m "$file" | cut -f1) MB)" "$work/time-cp.txt"
  rm -f "$work/copy"
done

for format in safetensors pytorch; do
  for mode in --no-validate validate; do
    out="$work/onnx-$format"
    rm -rf "$out"
    flags=()
    [ "$mode" = --no-validate ] && flags=(--no-validate)
    /usr/bin/time -v java -jar target/exporters4j.jar export onnx --model "$work/$format" \
      --task sequence-classification "${flags[@]}" "$out" > "$work/export.out" 2> "$work/time-export.txt" || {
        cat "$work/export.out" "$work/time-export.txt"; exit 1; }
    report "export from $format, $mode" "$work/time-export.txt"
  done
done
ls -l "$work/onnx-pytorch"

echo "== ONNX Runtime latency of the exported model (CPU, $(nproc) cores)"
for batch in 1 8; do
  java -cp "$classpath" org.exporters4j.export.OnnxRuntimeLatency "$work/onnx-pytorch/model.onnx" "$batch" 128 20
done
