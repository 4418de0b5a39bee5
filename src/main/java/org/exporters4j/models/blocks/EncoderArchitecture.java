package org.exporters4j.models.blocks;

import java.util.Objects;
import java.util.Set;
import java.util.function.Function;
import org.exporters4j.checkpoint.ModelConfig;
import org.exporters4j.models.Head;
import org.exporters4j.models.Variant;

/**
 * The frame of an encoder family (text, vision, layout): it builds each of its heads without a cache; for each
 * graph it reads the family's options from config.json, finds its {@link BaseModel} in the checkpoint and declares
 * the interface's inputs, in that order, then hands all three to the family's {@link #addOutputs}, which encodes and
 * adds the head's outputs. A family says only what differs: its options, its inputs, its body and its heads.
 *
 * @param <I> the inputs the family reads, e.g. {@link TextInputs} or the {@code pixel_values} {@code Value}
 * @param <O> the family's options, read and checked from config.json
 */
public abstract class EncoderArchitecture<I, O> extends FamilyArchitecture {
    private final BaseModel baseModel;
    private final Function<GraphBuild, I> inputs;
    private final Function<ModelConfig, O> options;

    /**
     * @param heads   the heads the family builds, each without the cache
     * @param inputs  declares the graph's inputs, e.g. {@code PixelInputs::declare}
     * @param options reads the family's options, e.g. {@code ConvNextOptions::read}
     */
    protected EncoderArchitecture(String modelType, String family, Set<Head> heads, BaseModel baseModel,
                                  Function<GraphBuild, I> inputs, Function<ModelConfig, O> options) {
        super(modelType, family, withoutPast(heads));
        this.baseModel = Objects.requireNonNull(baseModel, "baseModel");
        this.inputs = Objects.requireNonNull(inputs, "inputs");
        this.options = Objects.requireNonNull(options, "options");
    }

    @Override
    protected final void addOutputs(ModelConfig config, Variant variant, GraphBuild build) {
        O read = options.apply(config);
        String base = baseModel.in(build.parameters());
        addOutputs(config, build, read, base, inputs.apply(build));
    }

    /**
     * Encodes {@code inputs} and adds the outputs of {@link GraphBuild#head()} the interface asks for.
     *
     * @param base the base model's prefix in this checkpoint, e.g. {@code "bert."}, or empty
     */
    protected abstract void addOutputs(ModelConfig config, GraphBuild build, O options, String base, I inputs);
}
