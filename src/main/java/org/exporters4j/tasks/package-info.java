/**
 * The TasksManager, after Optimum v1.5.2's {@code optimum.exporters.tasks.TasksManager}: task names (canonical
 * names, today's synonyms, {@code -with-past} variants) to model classes per framework, and (model type, exporter)
 * to task to export-configuration constructor; export configurations give ONNX inputs and outputs with dynamic
 * axes in graph order, dummy inputs, default opset, validation tolerance and config overrides.
 *
 * <p>Tables: {@link org.exporters4j.tasks.Task} (tasks and model classes), {@code TaskNames} (every accepted name),
 * {@code CommonOutputs} (outputs per task), {@code OnnxModelTypes} (the 51 ONNX model types as family templates
 * plus per-type data). Public entry point: {@link org.exporters4j.tasks.TasksManager}.
 *
 * <p>May import {@code models}, {@code checkpoint}, {@code hub}, {@code onnx}; must not import {@code export} or
 * {@code cli}. Nothing here loads ONNX Runtime or reads {@code ../shared}.
 */
package org.exporters4j.tasks;
