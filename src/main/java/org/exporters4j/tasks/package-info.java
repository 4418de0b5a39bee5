/**
 * The TasksManager, after Optimum v1.5.2's {@code optimum.exporters.tasks.TasksManager}: task names (canonical
 * names, today's synonyms, {@code -with-past} variants) to model classes per framework, and (model type, exporter)
 * to task to export-configuration constructor; export configurations give ONNX inputs and outputs with dynamic
 * axes in graph order, dummy inputs, default opset, validation tolerance and config overrides.
 *
 * <p>Tables: {@link org.exporters4j.tasks.ModelTypes}, one row per model type holding everything about it (its
 * tasks and the Optimum version registering each, its ONNX configuration from an {@code OnnxConfigs} template, its
 * graph family and flavour from {@code models}, its Transformers auto classes per task and framework); Optimum's
 * registry ({@code ModelTypeRegistry}), {@link org.exporters4j.tasks.AutoModelMappings} and the graph builders are
 * derived from those rows. Besides: {@link org.exporters4j.tasks.Task} (tasks, their auto classes and heads),
 * {@code TaskNames} (every accepted name), {@code CommonOutputs} (outputs per task), {@code FrameworkWeightFiles}
 * (weight file names per framework). Public entry point: {@link org.exporters4j.tasks.TasksManager}.
 *
 * <p>The model queries ({@code determineFramework}, {@code inferTaskFromModel}, {@code getModelFromTask}) take a
 * {@link org.exporters4j.tasks.ModelSource} (a local folder or a Hub repository), reach the Hub through package
 * {@code hub} and open weights through package {@code checkpoint}; {@code getModelFromTask} hands the exporter a
 * {@link org.exporters4j.tasks.ResolvedModel}, which owns the opened weights.
 *
 * <p>May import {@code models}, {@code checkpoint}, {@code hub}, {@code onnx}; must not import {@code export} or
 * {@code cli}. Nothing here loads ONNX Runtime or reads {@code ../shared}.
 */
package org.exporters4j.tasks;
