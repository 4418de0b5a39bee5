#!/usr/bin/env bash
# Copies the reference data the test suite needs from ../shared (beside the project root) into this folder, so that a
# fresh clone tests itself. The files are data made by the real Python libraries: copied byte for byte, never edited.
#
# What is copied (the layout stays ../shared's, so a test names a file the same way in either place):
#   reference/                       Optimum's registries as JSON, and the notes on today's layout
#   fixtures-today/                  everything (today's model types, 28 MB: each fixture is exported from both
#                                    weight files, and with-past fixtures also replay their prefix files)
#   fixtures-options/                everything but Optimum's onnx/ exports (a few small fixtures, each option
#                                    tested from both weight files)
#   fixtures-layout/                 every fixture (gpt2, gpt-neo, gptj, codegen, bloom, llama; t5, mt5, bart,
#                                    mbart, marian, whisper: Optimum 1.25.3's files, issue 10): manifest.json,
#                                    components/, checkpoint/ without pytorch_model.bin; README.md and index.json.
#                                    Not Optimum's onnx/ exports
#   fixtures/                        per fixture: manifest.json, inputs.safetensors, outputs.safetensors,
#                                    checkpoint/config.json (+ generation_config.json), checkpoint/model.safetensors,
#                                    and checkpoint/pytorch_model.bin for ONE fixture per model type (the largest,
#                                    i.e. the one with the most heads' weights) and for the fixtures that unit
#                                    tests name (NAMED_BY_TESTS below); index.json and README.md. The llama
#                                    fixtures (Optimum 1.10.1's interface) are retired: llama is checked against
#                                    fixtures-today (Optimum 1.25.3's interface)
# What is not: Optimum's own onnx/ exports, and the other pytorch_model.bin files (the suite reads those from
# ../shared when it is there: see src/test/java/org/exporters4j/SharedFiles.java).
set -euo pipefail
# fixtures whose pytorch_model.bin a unit test reads by name (besides the one per model type)
NAMED_BY_TESTS="albert--masked-lm bert--default bert--masked-lm distilbert--question-answering
  distilbert--sequence-classification electra--token-classification gpt2--causal-lm roberta--default
  roberta--sequence-classification t5--seq2seq-lm vit--image-classification"
# fixtures of ../shared/fixtures no longer vendored (a case pattern): llama's, on Optimum 1.10.1's interface
RETIRED="llama--*"
here="$(cd "$(dirname "$0")" && pwd)"
shared="${1:-$here/../../../../shared}"
[ -d "$shared/fixtures" ] || { echo "no fixtures under $shared: pass the shared folder as the first argument" >&2; exit 1; }

rm -rf "$here/reference" "$here/fixtures" "$here/fixtures-options" "$here/fixtures-today" "$here/fixtures-layout"
cp -R "$shared/reference" "$here/reference"
cp -R "$shared/fixtures-today" "$here/fixtures-today"

for set in fixtures fixtures-options; do
  mkdir -p "$here/$set"
  cp "$shared/$set/README.md" "$shared/$set/index.json" "$here/$set/"
  for folder in "$shared/$set"/*--*/; do
    name="$(basename "$folder")"
    case "$name" in $RETIRED) continue ;; esac
    mkdir -p "$here/$set/$name/checkpoint"
    cp "$folder"/manifest.json "$folder"/inputs.safetensors "$folder"/outputs.safetensors "$here/$set/$name/"
    for file in config.json generation_config.json model.safetensors; do
      [ -f "$folder/checkpoint/$file" ] && cp "$folder/checkpoint/$file" "$here/$set/$name/checkpoint/"
    done
  done
  # one pytorch_model.bin per model type (the folder-name prefix): the largest, ties broken by name
  for folder in "$shared/$set"/*--*/; do
    name="$(basename "$folder")"
    case "$name" in $RETIRED) continue ;; esac
    printf '%s %s %s\n' "${name%%--*}" "$(stat -c %s "$folder/checkpoint/pytorch_model.bin")" "$name"
  done | sort -k1,1 -k2,2nr -k3,3 | awk '!seen[$1]++ { print $3 }' | while read -r name; do
    cp "$shared/$set/$name/checkpoint/pytorch_model.bin" "$here/$set/$name/checkpoint/"
  done
  for name in $NAMED_BY_TESTS $([ "$set" = fixtures-options ] && ls "$shared/$set" | grep -- --); do
    [ -d "$shared/$set/$name" ] && cp "$shared/$set/$name/checkpoint/pytorch_model.bin" "$here/$set/$name/checkpoint/"
  done
done
# fixtures-layout: the model types of issue 10's layouts (LAYOUT_TYPES): decoder-only, then encoder-decoders
LAYOUT_TYPES="gpt2 gpt-neo gptj codegen bloom llama t5 mt5 bart mbart marian whisper"
mkdir -p "$here/fixtures-layout"
cp "$shared/fixtures-layout/README.md" "$shared/fixtures-layout/index.json" "$here/fixtures-layout/"
for type in $LAYOUT_TYPES; do
  for folder in "$shared/fixtures-layout/$type"--*/; do
    name="$(basename "$folder")"
    mkdir -p "$here/fixtures-layout/$name/checkpoint"
    cp "$folder/manifest.json" "$here/fixtures-layout/$name/"
    cp -R "$folder/components" "$here/fixtures-layout/$name/components"
    for file in config.json generation_config.json model.safetensors; do
      [ -f "$folder/checkpoint/$file" ] && cp "$folder/checkpoint/$file" "$here/fixtures-layout/$name/checkpoint/"
    done
  done
done

echo "copied $(find "$here/fixtures" "$here/fixtures-options" "$here/fixtures-today" "$here/fixtures-layout" -name manifest.json | wc -l) fixtures," \
     "$(find "$here" -name pytorch_model.bin | wc -l) pytorch_model.bin, $(du -sh "$here" | cut -f1) in all"
