package org.exporters4j.tasks;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.exporters4j.checkpoint.ModelConfig;
import org.exporters4j.models.TransformersRelease;

/**
 * How to export one model type for one task with one model config, as an instance of Optimum v1.5.2's
 * {@code OnnxConfig} describes it: the graph's inputs (in graph order) and outputs with their dynamic axes, the
 * default opset, the validation tolerance, the config values to override before export, and the dummy inputs to
 * trace and validate with. Immutable.
 */
public final class ExportConfig {
    private final String modelType;
    private final Exporter exporter;
    private final ExportTask task;
    private final String configClassName;
    private final int defaultOpset;
    private final double atol;
    private final List<DynamicTensor> inputs;
    private final List<DynamicTensor> outputs;
    private final Map<String, Object> valuesOverride;
    private final ModelConfig modelConfig;
    private final OnnxModelRow row;
    private final OnnxFile file;
    private final List<Submodel> submodels;

    /**
     * One graph of an export Optimum splits into several files ({@code main_export}'s submodels: SAM's
     * {@code vision_encoder} and {@code prompt_encoder_mask_decoder}), written as {@code <name>.onnx} with its own
     * interface.
     *
     * @param name   the submodel's name, Optimum's file name without {@code .onnx}
     * @param config its interface (task, opset, tolerance and overrides are the export's)
     */
    public record Submodel(String name, ExportConfig config) {
        public Submodel {
            if (name == null || !name.matches("[a-z][a-z0-9_]*")) {
                throw new IllegalArgumentException("a submodel name is lower case with '_': " + name);
            }
            java.util.Objects.requireNonNull(config, "config");
        }

        /** The file Optimum writes it to: {@code <name>.onnx}. */
        public String fileName() {
            return name + ".onnx";
        }
    }

    /**
     * The configuration of one graph ({@link OnnxModelRow#create}): {@code model.onnx}, one file of an
     * encoder-decoder split ({@code file}), or an export Optimum writes as named {@code submodels} (SAM; empty
     * otherwise).
     */
    ExportConfig(String modelType, Exporter exporter, ExportTask task, String configClassName, int defaultOpset,
            double atol, List<DynamicTensor> inputs, List<DynamicTensor> outputs, Map<String, Object> valuesOverride,
            ModelConfig modelConfig, OnnxModelRow row, OnnxFile file, List<Submodel> submodels) {
        this.file = java.util.Objects.requireNonNull(file, "file");
        this.modelType = modelType;
        this.exporter = exporter;
        this.task = task;
        this.configClassName = configClassName;
        this.defaultOpset = defaultOpset;
        this.atol = atol;
        this.inputs = List.copyOf(inputs);
        this.outputs = List.copyOf(outputs);
        this.valuesOverride = Collections.unmodifiableMap(new LinkedHashMap<>(valuesOverride));
        this.modelConfig = modelConfig;
        this.row = row;
        this.submodels = List.copyOf(submodels);
        requireDistinctNames(this.inputs, "input");
        requireDistinctNames(this.outputs, "output");
    }

    /**
     * The Transformers release the graph mirrors: 4.51 for Optimum 1.25.3's configurations (the layouts
     * {@code optimum} and {@code transformers.js}), 4.25.1 for Optimum v1.5.2's.
     */
    public TransformersRelease transformers() {
        return row.family().hasTodaysInterface() ? TransformersRelease.V4_51 : TransformersRelease.V4_25_1;
    }

    /** The file whose graph this configures: {@code model.onnx}, or one file of an encoder-decoder split. */
    public OnnxFile file() {
        return file;
    }

    /** The registry's model type key (Optimum's hyphenated spelling, e.g. {@code gpt-neo}). */
    public String modelType() {
        return modelType;
    }

    public Exporter exporter() {
        return exporter;
    }

    public ExportTask task() {
        return task;
    }

    /** The Optimum v1.5.2 class this configuration mirrors, e.g. {@code BertOnnxConfig}, for display. */
    public String configClassName() {
        return configClassName;
    }

    /** The opset Optimum exports with by default (and the lowest its CLI accepts). */
    public int defaultOpset() {
        return defaultOpset;
    }

    /** Absolute tolerance for validating outputs against the source model. */
    public double atol() {
        return atol;
    }

    /** Graph inputs in graph order (the model's forward signature order). */
    public List<DynamicTensor> inputs() {
        return inputs;
    }

    /** Graph outputs in graph order. */
    public List<DynamicTensor> outputs() {
        return outputs;
    }

    public List<String> inputNames() {
        return inputs.stream().map(DynamicTensor::name).toList();
    }

    public List<String> outputNames() {
        return outputs.stream().map(DynamicTensor::name).toList();
    }

    public Optional<DynamicTensor> input(String name) {
        return inputs.stream().filter(input -> input.name().equals(name)).findFirst();
    }

    /** Config values set before export (values are Boolean or Integer), in Optimum's order. */
    public Map<String, Object> valuesOverride() {
        return valuesOverride;
    }

    /**
     * The graphs of a split export, in Optimum's order (SAM: the vision encoder, then the prompt encoder and mask
     * decoder, whose interface is this configuration's own); empty when the export is one {@code model.onnx}.
     */
    public List<Submodel> submodels() {
        return submodels;
    }

    /** The model config this configuration was made for (without the overrides applied). */
    public ModelConfig modelConfig() {
        return modelConfig;
    }

    /** The model config with {@link #valuesOverride()} applied, as the exported model sees it. */
    public ModelConfig overriddenModelConfig() {
        return modelConfig.withOverrides(valuesOverride);
    }

    /** Dummy inputs with Optimum's default shapes ({@link DummyShapes#OPTIMUM_DEFAULTS}). */
    public DummyInputs generateDummyInputs(long seed) {
        return generateDummyInputs(DummyShapes.OPTIMUM_DEFAULTS, seed);
    }

    /**
     * Dummy inputs for tracing and validation, one per graph input in graph order, the same for the same shapes and
     * seed: token ids inside the vocabulary, 0/1 masks with some padding, boxes inside the layout grid, floats for
     * pixels, audio features and the cache, shaped from the model config.
     */
    public DummyInputs generateDummyInputs(DummyShapes shapes, long seed) {
        return DummyInputGenerator.generate(this, row, shapes, seed);
    }

    @Override
    public String toString() {
        return configClassName + "(" + modelType + ", " + task.name() + (file == OnnxFile.MODEL ? "" : ", " + file)
                + ", " + modelConfig.source() + ")";
    }

    private static void requireDistinctNames(List<DynamicTensor> tensors, String kind) {
        if (tensors.stream().map(DynamicTensor::name).distinct().count() != tensors.size()) {
            throw new IllegalStateException("duplicate " + kind + " names: " + tensors);
        }
    }
}
