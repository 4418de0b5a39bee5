#!/usr/bin/env bash
# Remakes the example checkpoint(s) under examples/ with the project's own generator
# (src/test/java/org/exporters4j/models/bert/RandomBertCheckpoint.java): a BertForSequenceClassification with random
# weights (seed 1234), written as Transformers' save_pretrained lays it out. Run from anywhere; needs Java 17 and Maven.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
mvn -B -q test-compile dependency:build-classpath -Dmdep.outputFile=target/classpath.txt
rm -rf examples/bert-tiny-sequence-classification
java -cp "target/test-classes:target/classes:$(cat target/classpath.txt)" \
  org.exporters4j.models.bert.RandomBertCheckpoint examples/bert-tiny-sequence-classification tiny safetensors
echo "wrote examples/bert-tiny-sequence-classification"
