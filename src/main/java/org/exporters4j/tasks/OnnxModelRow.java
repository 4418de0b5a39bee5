package org.exporters4j.tasks;

import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import org.exporters4j.checkpoint.ModelConfig;
import org.exporters4j.models.CacheTensor;

/**
 * One model type's ONNX export configuration: the Optimum v1.5.2 class it mirrors (for display), its family, and
 * what sets it apart from the family as data: opset, tolerance, config attribute names, forward signatures and a few
 * switches. {@link #create} builds the {@link ExportConfig} of one task for one model config.
 */
record OnnxModelRow(
        String onnxConfigClass,
        OnnxFamily family,
        int defaultOpset,
        Tolerance tolerance,
        ConfigAttributes attributes,
        ForwardSignature forward,
        Map<Task, ForwardSignature> forwardPerTask,
        TokenTypeIds tokenTypeIds,
        PixelMask pixelMask,
        CacheLayout cacheLayout,
        PadTokenOverride padTokenOverride,
        BoundaryToken boundaryToken,
        Optional<OnnxModelRow> todaysInterface) implements ExportConfigFactory {

    /** Whether a text encoder takes {@code token_type_ids}. */
    enum TokenTypeIds {
        INCLUDED,
        OMITTED,
        /** As DeBERTa in Optimum v1.5.2: dropped when {@code type_vocab_size == 0}. */
        OMITTED_WHEN_TYPE_VOCAB_SIZE_IS_ZERO;

        boolean includedFor(OnnxModelRow row, ModelConfig config) {
            return switch (this) {
                case INCLUDED -> true;
                case OMITTED -> false;
                case OMITTED_WHEN_TYPE_VOCAB_SIZE_IS_ZERO ->
                        row.attributes().intValue(config, ConfigAttribute.TYPE_VOCAB_SIZE) != 0;
            };
        }
    }

    /** Whether a vision model also takes {@code pixel_mask} (DETR). */
    enum PixelMask { OMITTED, INCLUDED }

    /** How a decoder-only cache is shaped, and so what Optimum's names on its axes mean. */
    enum CacheLayout {
        /** {@code (batch, heads, past_sequence, head_dim)} for key and value. */
        BATCH_HEADS_SEQUENCE_HEAD_DIM {
            @Override
            Map<Integer, Axis> axes(CacheTensor.Part part, Axis batch, Axis sequence) {
                return Map.of(0, batch, 2, sequence);
            }
        },
        /**
         * BLOOM: key {@code (batch*heads, head_dim, past)}, value {@code (batch*heads, past, head_dim)}. Optimum
         * v1.5.2 names axis 0 {@code batch_size} and axis 2 the sequence, as for the other layout: axis 0 is
         * batch × heads, and the value's axis 2 is the head width, so those names are labels only. The graph keeps
         * the real sequence axis dynamic, so any cache length runs (Optimum 1.5.2's own BLOOM graph pins it).
         */
        BLOOM_FUSED_BATCH_AND_HEADS {
            @Override
            Map<Integer, Axis> axes(CacheTensor.Part part, Axis batch, Axis sequence) {
                Axis fusedBatchAndHeads = Axis.labelOnly(batch.label().orElseThrow());
                return Map.of(0, fusedBatchAndHeads, 2, part == CacheTensor.Part.KEY ? sequence
                        : Axis.labelOnly(sequence.label().orElseThrow()));
            }
        },
        /**
         * Falcon: {@code (batch, heads, past_sequence, head_dim)}, where the heads are Transformers 4.51's: every
         * query head with the new decoder architecture (it repeats each key/value head to its query heads before
         * caching), one with {@code multi_query}, else {@code num_kv_heads}.
         */
        FALCON_BATCH_HEADS_SEQUENCE_HEAD_DIM {
            @Override
            Map<Integer, Axis> axes(CacheTensor.Part part, Axis batch, Axis sequence) {
                return BATCH_HEADS_SEQUENCE_HEAD_DIM.axes(part, batch, sequence);
            }

            @Override
            OptionalInt heads(ModelConfig config) {
                int queryHeads = config.intValue("num_attention_heads");
                if (config.optionalBoolean("new_decoder_architecture").orElse(false)) {
                    return OptionalInt.of(queryHeads);
                }
                return OptionalInt.of(config.optionalBoolean("multi_query").orElse(true) ? 1
                        : config.optionalInt("num_kv_heads").orElse(queryHeads));
            }
        },
        /**
         * GPT-BigCode: one tensor per layer holding key and value side by side ({@code past_key_values.<i>.key_value},
         * Optimum 1.25.3's {@code GPTBigCodeOnnxConfig.add_past_key_values}), which names axis 0 the batch and axis 1
         * the sequence: with {@code multi_query} (the default) the cache is {@code (batch, past, 2·head_dim)} and
         * the names are right; without, it is {@code (batch, heads, past, 2·head_dim)} and axis 1's name is a label
         * only (the graph keeps the real past axis dynamic).
         */
        GPT_BIGCODE_FUSED_KEY_VALUE {
            @Override
            Map<Integer, Axis> axes(CacheTensor.Part part, Axis batch, Axis sequence) {
                return Map.of(0, batch, 1, sequence);
            }

            @Override
            Map<Integer, Axis> axes(CacheTensor.Part part, Axis batch, Axis sequence, ModelConfig config) {
                return multiQuery(config) ? axes(part, batch, sequence)
                        : Map.of(0, batch, 1, Axis.labelOnly(sequence.label().orElseThrow()));
            }

            @Override
            boolean fusesKeyAndValue() {
                return true;
            }
        };

        /**
         * The axes of one cache tensor, given Optimum's batch axis and the sequence axis the family declares
         * (past or present), with Optimum's labels on the dimensions Optimum puts them on.
         */
        abstract Map<Integer, Axis> axes(CacheTensor.Part part, Axis batch, Axis sequence);

        /** As {@link #axes(CacheTensor.Part, Axis, Axis)}, for a layout whose axes depend on the config. */
        Map<Integer, Axis> axes(CacheTensor.Part part, Axis batch, Axis sequence, ModelConfig config) {
            return axes(part, batch, sequence);
        }

        /** The heads the cache holds where the layout fixes them from the config; empty: the row's attributes. */
        OptionalInt heads(ModelConfig config) {
            return OptionalInt.empty();
        }

        /** Whether a layer's key and value are one tensor ({@link CacheTensor.Part#KEY_VALUE}). */
        boolean fusesKeyAndValue() {
            return false;
        }

        /** GPT-BigCode's {@code multi_query} (true by default): one key/value head, no heads axis in the cache. */
        static boolean multiQuery(ModelConfig config) {
            return config.optionalBoolean("multi_query").orElse(true);
        }
    }

    /** GPT-2, GPT-J and CodeGen also set {@code pad_token_id = 0} when the config's is unset (or 0). */
    enum PadTokenOverride { NONE, ZERO_WHEN_UNSET }

    /**
     * Where dummy ids must carry an end-of-sequence token: BART-style sequence classification pools the hidden state
     * at the EOS token and needs the same number of them in every row.
     */
    enum BoundaryToken { NONE, EOS_ENDS_EACH_ROW_FOR_SEQUENCE_CLASSIFICATION }

    OnnxModelRow {
        if (onnxConfigClass == null || family == null || tolerance == null || attributes == null || forward == null
                || tokenTypeIds == null || pixelMask == null || cacheLayout == null || padTokenOverride == null
                || boundaryToken == null || todaysInterface == null) {
            throw new IllegalArgumentException("incomplete ONNX model row " + onnxConfigClass);
        }
        if (todaysInterface.isPresent() && (family.hasTodaysInterface()
                || !todaysInterface.get().family().hasTodaysInterface())) {
            throw new IllegalArgumentException(onnxConfigClass + ": Optimum 1.25.3's interface is a row of a family "
                    + "with today's interface, beside a row of Optimum v1.5.2's");
        }
        if (defaultOpset < 1) {
            throw new IllegalArgumentException(onnxConfigClass + ": opset must be positive, got " + defaultOpset);
        }
        EnumMap<Task, ForwardSignature> copy = new EnumMap<>(Task.class);
        copy.putAll(forwardPerTask);
        forwardPerTask = java.util.Collections.unmodifiableMap(copy);
    }

    /** A row with Optimum's defaults for the family: opset 11, atol 1e-5, no switches set. */
    static OnnxModelRow of(String onnxConfigClass, OnnxFamily family, ConfigAttributes attributes,
            ForwardSignature forward) {
        return new OnnxModelRow(onnxConfigClass, family, 11, Tolerance.of(1e-5), attributes, forward, Map.of(),
                TokenTypeIds.OMITTED, PixelMask.OMITTED, CacheLayout.BATCH_HEADS_SEQUENCE_HEAD_DIM,
                PadTokenOverride.NONE, BoundaryToken.NONE, Optional.empty());
    }

    OnnxModelRow named(String configClass) {
        return new OnnxModelRow(configClass, family, defaultOpset, tolerance, attributes, forward, forwardPerTask,
                tokenTypeIds, pixelMask, cacheLayout, padTokenOverride, boundaryToken, todaysInterface);
    }

    OnnxModelRow opset(int opset) {
        return new OnnxModelRow(onnxConfigClass, family, opset, tolerance, attributes, forward, forwardPerTask,
                tokenTypeIds, pixelMask, cacheLayout, padTokenOverride, boundaryToken, todaysInterface);
    }

    OnnxModelRow atol(double atol) {
        return new OnnxModelRow(onnxConfigClass, family, defaultOpset, Tolerance.of(atol), attributes, forward,
                forwardPerTask, tokenTypeIds, pixelMask, cacheLayout, padTokenOverride, boundaryToken, todaysInterface);
    }

    OnnxModelRow attributes(ConfigAttributes newAttributes) {
        return new OnnxModelRow(onnxConfigClass, family, defaultOpset, tolerance, newAttributes, forward,
                forwardPerTask, tokenTypeIds, pixelMask, cacheLayout, padTokenOverride, boundaryToken, todaysInterface);
    }

    OnnxModelRow attribute(ConfigAttribute attribute, String... configKeys) {
        return attributes(attributes.with(attribute, configKeys));
    }

    OnnxModelRow forward(ForwardSignature signature) {
        return new OnnxModelRow(onnxConfigClass, family, defaultOpset, tolerance, attributes, signature,
                forwardPerTask, tokenTypeIds, pixelMask, cacheLayout, padTokenOverride, boundaryToken, todaysInterface);
    }

    /** The forward signature of the model class that {@code task} loads, where it differs from the base model's. */
    OnnxModelRow forward(Task task, ForwardSignature signature) {
        Map<Task, ForwardSignature> copy = new LinkedHashMap<>(forwardPerTask);
        copy.put(task, signature);
        return new OnnxModelRow(onnxConfigClass, family, defaultOpset, tolerance, attributes, forward, copy,
                tokenTypeIds, pixelMask, cacheLayout, padTokenOverride, boundaryToken, todaysInterface);
    }

    OnnxModelRow tokenTypeIds(TokenTypeIds value) {
        return new OnnxModelRow(onnxConfigClass, family, defaultOpset, tolerance, attributes, forward,
                forwardPerTask, value, pixelMask, cacheLayout, padTokenOverride, boundaryToken, todaysInterface);
    }

    OnnxModelRow pixelMask(PixelMask value) {
        return new OnnxModelRow(onnxConfigClass, family, defaultOpset, tolerance, attributes, forward,
                forwardPerTask, tokenTypeIds, value, cacheLayout, padTokenOverride, boundaryToken, todaysInterface);
    }

    OnnxModelRow cacheLayout(CacheLayout value) {
        return new OnnxModelRow(onnxConfigClass, family, defaultOpset, tolerance, attributes, forward,
                forwardPerTask, tokenTypeIds, pixelMask, value, padTokenOverride, boundaryToken, todaysInterface);
    }

    OnnxModelRow padTokenOverride(PadTokenOverride value) {
        return new OnnxModelRow(onnxConfigClass, family, defaultOpset, tolerance, attributes, forward,
                forwardPerTask, tokenTypeIds, pixelMask, cacheLayout, value, boundaryToken, todaysInterface);
    }

    OnnxModelRow boundaryToken(BoundaryToken value) {
        return new OnnxModelRow(onnxConfigClass, family, defaultOpset, tolerance, attributes, forward,
                forwardPerTask, tokenTypeIds, pixelMask, cacheLayout, padTokenOverride, value, todaysInterface);
    }

    /**
     * Optimum 1.25.3's configuration of the same model type (its class, family, opset and attributes), written in
     * the layouts {@link Layout#OPTIMUM} and {@link Layout#TRANSFORMERS_JS} beside this row's Optimum v1.5.2 one.
     */
    OnnxModelRow todays(OnnxModelRow todays) {
        return new OnnxModelRow(onnxConfigClass, family, defaultOpset, tolerance, attributes, forward,
                forwardPerTask, tokenTypeIds, pixelMask, cacheLayout, padTokenOverride, boundaryToken,
                Optional.of(todays));
    }

    /**
     * The layouts this configuration is written in, its default first: a row of today's interface has
     * {@code optimum} and {@code transformers.js}; a row of Optimum v1.5.2's has {@code optimum-1.5}, and also
     * today's two where it carries Optimum 1.25.3's configuration ({@link #todays}).
     */
    List<Layout> layouts() {
        if (family.hasTodaysInterface()) {
            return List.of(Layout.OPTIMUM, Layout.TRANSFORMERS_JS);
        }
        return todaysInterface.isPresent() ? List.of(Layout.OPTIMUM_1_5, Layout.OPTIMUM, Layout.TRANSFORMERS_JS)
                : List.of(Layout.OPTIMUM_1_5);
    }

    /** The configuration a layout is written with: Optimum 1.25.3's for today's layouts where this row has it. */
    OnnxModelRow forLayout(Layout layout) {
        if (!layouts().contains(layout)) {
            throw new IllegalArgumentException(onnxConfigClass + " has no layout " + layout + "; it has " + layouts());
        }
        return layout == Layout.OPTIMUM_1_5 ? this : todaysInterface.orElse(this);
    }

    /** Decoder layers: the number of cache entries of a {@code -with-past} export. */
    int layers(ModelConfig config) {
        int layers = attributes.intValue(config, ConfigAttribute.NUM_LAYERS);
        if (layers < 1) {
            throw new org.exporters4j.checkpoint.ModelConfigException(config.source() + ": the layer count ("
                    + String.join(" or ", attributes.keys().get(ConfigAttribute.NUM_LAYERS)) + ") must be positive, got "
                    + layers);
        }
        return layers;
    }

    ForwardSignature forwardFor(Task task) {
        return forwardPerTask.getOrDefault(task, forward);
    }

    @Override
    public String configClassName() {
        return onnxConfigClass;
    }

    /**
     * The export configuration of {@code task} for {@code config}, as Optimum's config class instantiates it: of
     * {@code model.onnx}, or of {@code decoder_model.onnx} where the task splits an encoder-decoder.
     */
    @Override
    public ExportConfig create(String modelType, ExportTask task, ModelConfig config) {
        if (Seq2SeqSplit.files(family, task).contains(OnnxFile.DECODER_MODEL)) {
            // an encoder-decoder split: the main file is decoder_model.onnx, in Optimum's order already
            return createFiles(modelType, task, config).stream()
                    .filter(file -> file.file() == OnnxFile.DECODER_MODEL).findFirst().orElseThrow().config();
        }
        List<DynamicTensor> inputs = forwardFor(task.task()).order(family.inputs(this, task, config));
        List<DynamicTensor> outputs = family.outputs(this, task, config);
        List<ExportConfig.Submodel> submodels = new java.util.ArrayList<>();
        for (OnnxFamily.SplitGraph graph : family.splitGraphs(this, task, config)) {
            submodels.add(new ExportConfig.Submodel(graph.name(), configuration(modelType, task, config,
                    forwardFor(task.task()).order(graph.inputs()), graph.outputs(), OnnxFile.MODEL, List.of())));
        }
        return configuration(modelType, task, config, inputs, outputs, OnnxFile.MODEL, submodels);
    }

    /**
     * The configuration of one graph of {@code task} for {@code config}: this row's class, opset, tolerance and
     * config overrides, with the graph's inputs and outputs.
     */
    private ExportConfig configuration(String modelType, ExportTask task, ModelConfig config,
                                       List<DynamicTensor> inputs, List<DynamicTensor> outputs, OnnxFile file,
                                       List<ExportConfig.Submodel> submodels) {
        return new ExportConfig(modelType, Exporter.ONNX, task, onnxConfigClass, defaultOpset,
                tolerance.forTask(task.task()), inputs, outputs, valuesOverride(task, config), config, this, file,
                submodels);
    }

    /**
     * The configuration of every file {@code task} writes, in Optimum 1.25.3's order
     * ({@link OnnxFamily#files}): one {@code model.onnx} ({@link #create}), or the files of an encoder-decoder split.
     */
    List<ComponentExport> createFiles(String modelType, ExportTask task, ModelConfig config) {
        List<OnnxFile> files = Seq2SeqSplit.files(family, task);
        if (files.equals(List.of(OnnxFile.MODEL))) {
            return List.of(new ComponentExport(OnnxFile.MODEL, create(modelType, task, config)));
        }
        List<ComponentExport> exports = new java.util.ArrayList<>();
        for (OnnxFile file : files) {
            exports.add(new ComponentExport(file, configuration(modelType, task, config,
                    Seq2SeqSplit.inputs(family, this, task, config, file),
                    Seq2SeqSplit.outputs(family, this, task, config, file), file, List.of())));
        }
        return List.copyOf(exports);
    }

    /**
     * The config values set before export, as Optimum v1.5.2's {@code values_override}: {@code use_cache} when the
     * config has it (the variant's cache use for families with a cache, else false), then GPT-2's
     * {@code pad_token_id = 0} when the config's pad token id is unset or 0.
     */
    Map<String, Object> valuesOverride(ExportTask task, ModelConfig config) {
        Map<String, Object> overrides = new LinkedHashMap<>();
        if (config.isSetInFile("use_cache") || config.has("use_cache")) {
            overrides.put("use_cache", family.cacheSupport() != OnnxFamily.CacheSupport.NONE && task.usesPast());
        }
        if (padTokenOverride == PadTokenOverride.ZERO_WHEN_UNSET
                && config.optionalInt("pad_token_id").orElse(0) == 0) {
            overrides.put("pad_token_id", 0);
        }
        return overrides;
    }
}
