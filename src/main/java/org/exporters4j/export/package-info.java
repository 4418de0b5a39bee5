/**
 * The export pipeline (library entry point): TasksManager → model + export configuration → architecture builder
 * → ONNX graph → written model → copied config and tokenizer files → validation in ONNX Runtime.
 *
 * <p>ONNX Runtime ({@code ai.onnxruntime}) is used here and nowhere else. Must not import {@code cli}.
 */
package org.exporters4j.export;
