#!/usr/bin/env bash
# A real consumer of `--layout transformers.js` (issue 10): installs @huggingface/transformers from the npm registry
# in a scratch folder, exports tiny random checkpoints with ./exporters4j, and runs transformers.js on them:
#   - text-generation on gpt2 and a llama-style model: a left-padded batch gives each prompt the tokens it gets alone
#     (plus a control: the optimum-1.5 layout of gpt2, which has no position_ids, moved under onnx/ must differ);
#   - text2text-generation on t5 (SKIP while exporters4j has no transformers.js layout for t5);
#   - feature-extraction on a BERT-style model (MPNet): the pipeline's hidden states against PyTorch's.
# Not part of the test suite (it needs node, npm and the npm registry). Prints one PASS/FAIL/SKIP line per check and
# a summary; exits 1 when a check fails.
#
#   scripts/check-transformers-js.sh [SCRATCH_DIR]      (default: a new folder under /tmp; reused when given)
#   TRANSFORMERS_JS_MAJORS="4 3" (default) picks the majors of @huggingface/transformers to check.
#
# The checkpoints are the repository's fixtures (src/test/data/fixtures-layout, fixtures-today; t5 from
# ../shared/fixtures-layout when present), copied to the scratch folder with a small WordPiece tokenizer.json
# whose words "w0", "w1", ... are the token ids. ONNX Runtime: onnxruntime-node's npm package bundles the CPU
# library for linux/darwin/win32 (bin/napi-v*/<platform>/<arch>/); its install script only downloads the optional
# CUDA/TensorRT providers from GitHub, which ONNXRUNTIME_NODE_INSTALL=skip and ONNXRUNTIME_NODE_INSTALL_CUDA=skip
# turn off, so the install needs the npm registry only.
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
scratch="${1:-$(mktemp -d /tmp/exporters4j-transformers-js.XXXXXX)}"
majors="${TRANSFORMERS_JS_MAJORS:-4 3}"
mkdir -p "$scratch"
scratch="$(cd "$scratch" && pwd)"
results="$scratch/results.txt"
: > "$results"

for tool in node npm java; do
  command -v "$tool" >/dev/null || { echo "check-transformers-js: $tool is required" >&2; exit 2; }
done
echo "== scratch folder: $scratch (node $(node --version), npm $(npm --version))"

# 1. transformers.js, one folder per major
for major in $majors; do
  dir="$scratch/transformers-js-$major"
  if [ ! -f "$dir/node_modules/@huggingface/transformers/package.json" ]; then
    mkdir -p "$dir"
    echo '{ "private": true, "type": "module" }' > "$dir/package.json"
    echo "== npm install @huggingface/transformers@$major"
    if ! (cd "$dir" && ONNXRUNTIME_NODE_INSTALL=skip ONNXRUNTIME_NODE_INSTALL_CUDA=skip \
          npm install --no-audit --no-fund --loglevel=error "@huggingface/transformers@$major" >install.log 2>&1); then
      tail -n 20 "$dir/install.log"
      echo "FAIL [transformers.js $major] install: npm install failed (log: $dir/install.log)" | tee -a "$results"
      continue
    fi
  fi
  version=$(node -p "require('$dir/node_modules/@huggingface/transformers/package.json').version")
  ort=$(node -p "require('$dir/node_modules/onnxruntime-node/package.json').version")
  library=$(cd "$dir/node_modules/onnxruntime-node" && ls bin/napi-v*/linux/x64/libonnxruntime.so* 2>/dev/null | head -n 1)
  echo "== @huggingface/transformers $version with onnxruntime-node $ort (native library from the npm package: ${library:-none})"
done

# 2. checkpoints with a tokenizer
fixtures_layout="$root/src/test/data/fixtures-layout"
shared_layout="$root/../shared/fixtures-layout"
mpnet_fixture="$root/src/test/data/fixtures-today/mpnet--feature-extraction"
checker="$root/scripts/check-transformers-js.mjs"
checkpoint() { # name, fixture folder, vocabulary size, special ids (JSON), template (JSON)
  local target="$scratch/checkpoints/$1"
  rm -rf "$target" && mkdir -p "$target"
  cp "$2"/checkpoint/*.json "$target/" && cp "$2/checkpoint/model.safetensors" "$target/"
  node "$checker" tokenizer "$target" "$3" "$4" "${5:-[]}"
}
checkpoint gpt2 "$fixtures_layout/gpt2--text-generation-with-past" 100 '{"pad":99,"eos":98,"bos":98,"unk":99}'
checkpoint llama "$fixtures_layout/llama--text-generation-with-past" 100 '{"pad":0,"bos":1,"eos":2,"unk":0}'
t5_fixture=""
for candidate in "$fixtures_layout/t5--text2text-generation-with-past" "$shared_layout/t5--text2text-generation-with-past"; do
  if [ -d "$candidate" ]; then t5_fixture="$candidate"; break; fi
done
if [ -n "$t5_fixture" ]; then
  # T5 ends every text with </s> (id 1) and starts none
  checkpoint t5 "$t5_fixture" 100 '{"pad":0,"eos":1,"unk":2}' '[null,"eos"]'

fi
checkpoint mpnet "$mpnet_fixture" 100 '{"bos":0,"pad":1,"eos":2,"unk":3}' '["bos","eos"]'

# 3. exports with ./exporters4j (the first call builds the jar)
rm -rf "$scratch/models" && mkdir -p "$scratch/models"
export_model() { # name, task, layout, output name
  local log="$scratch/models/$4.export.log"
  if "$root/exporters4j" export onnx --model "$scratch/checkpoints/$1" --task "$2" --layout "$3" \
      "$scratch/models/$4" >"$log" 2>&1; then
    echo "== exported $1 ($2, --layout $3): $(cd "$scratch/models/$4" && find . -type f | sort | tr '\n' ' ')"
    grep '^note:' "$log" || true
  else
    local code=$?
    local why
    why=$(grep -v '^\s*$' "$log" | tail -n 1)
    rm -rf "$scratch/models/$4"
    if grep -q 'is not available for' "$log"; then
      echo "SKIP [exporters4j] export $1 --layout $3: $why" | tee -a "$results"
    else
      echo "FAIL [exporters4j] export $1 --layout $3 (exit $code): $why" | tee -a "$results"
    fi
  fi
}
export_model gpt2 text-generation-with-past transformers.js gpt2
export_model llama text-generation-with-past transformers.js llama
if [ -n "$t5_fixture" ]; then
  export_model t5 text2text-generation-with-past transformers.js t5
else
  echo "SKIP [exporters4j] export t5: no t5--text2text-generation-with-past fixture under $fixtures_layout or $shared_layout" | tee -a "$results"
fi
export_model mpnet feature-extraction transformers.js mpnet
# the control: Optimum v1.5.2's gpt2 graph (no position_ids) where transformers.js looks for it
export_model gpt2 causal-lm-with-past optimum-1.5 gpt2-optimum-1.5-control
if [ -f "$scratch/models/gpt2-optimum-1.5-control/model.onnx" ]; then
  mkdir -p "$scratch/models/gpt2-optimum-1.5-control/onnx"
  mv "$scratch/models/gpt2-optimum-1.5-control/model.onnx" "$scratch/models/gpt2-optimum-1.5-control/onnx/"
fi

# 4. transformers.js on the exports, each major
fixtures_json="{\"mpnet\": \"$mpnet_fixture\"}"
for major in $majors; do
  dir="$scratch/transformers-js-$major"
  [ -f "$dir/node_modules/@huggingface/transformers/package.json" ] || continue
  cp "$checker" "$dir/check.mjs"
  echo "== transformers.js $major"
  (cd "$dir" && node check.mjs run "$scratch/models" "$fixtures_json" 2>"$dir/run.stderr.log") | tee -a "$results"
  grep -v '^\s*$' "$dir/run.stderr.log" | sed 's/^/   (stderr) /' | head -n 10
done

# 5. summary
pass=$(grep -c '^PASS' "$results" || true)
fail=$(grep -c '^FAIL' "$results" || true)
skip=$(grep -c '^SKIP' "$results" || true)
echo
echo "== summary: $pass passed, $fail failed, $skip skipped (details: $results)"
grep -E '^(FAIL|SKIP)' "$results" | sed 's/^/   /'
[ "$fail" = 0 ]
