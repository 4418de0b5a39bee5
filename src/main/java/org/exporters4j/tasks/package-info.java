/**
 * The TasksManager, after Optimum v1.5.2's {@code optimum.exporters.tasks.TasksManager}: task names (canonical
 * names, today's synonyms, {@code -with-past} variants) to model classes per framework, and (model type, exporter)
 * to task to export-configuration constructor; export configurations give ONNX inputs and outputs with dynamic
 * axes, dummy inputs, default opset and validation tolerance.
 *
 * <p>May import {@code models}, {@code checkpoint}, {@code hub}, {@code onnx}; must not import {@code export} or
 * {@code cli}.
 */
package org.exporters4j.tasks;
