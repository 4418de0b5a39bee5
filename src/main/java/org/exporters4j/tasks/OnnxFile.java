package org.exporters4j.tasks;

import java.util.Optional;
import org.exporters4j.models.Component;

/**
 * The ONNX files of an export, named as Optimum 1.25.3 names them ({@code ENCODER_NAME}, {@code DECODER_NAME},
 * {@code DECODER_WITH_PAST_NAME}, {@code DECODER_MERGED_NAME} of {@code optimum/exporters/onnx/constants.py}, each
 * {@code + ".onnx"}), and the part of the model each holds: one graph built from the weights, or the merge of the
 * two decoder files.
 */
public enum OnnxFile {
    /** The whole model: every layout's one file. */
    MODEL("model", Optional.of(Component.MODEL)),
    ENCODER_MODEL("encoder_model", Optional.of(Component.ENCODER)),
    DECODER_MODEL("decoder_model", Optional.of(Component.DECODER)),
    DECODER_WITH_PAST_MODEL("decoder_with_past_model", Optional.of(Component.DECODER_WITH_PAST)),
    /**
     * {@link #DECODER_MODEL} and {@link #DECODER_WITH_PAST_MODEL} in one file, switching on {@code use_cache_branch}
     * ({@code optimum/onnx/graph_transformations.py:merge_decoders}).
     */
    DECODER_MODEL_MERGED("decoder_model_merged", Optional.empty());

    /** The merged decoder's added input: bool {@code [1]}, true on the steps that read the cache. */
    public static final String USE_CACHE_BRANCH = "use_cache_branch";

    private final String stem;
    private final Optional<Component> component;

    OnnxFile(String stem, Optional<Component> component) {
        this.stem = stem;
        this.component = component;
    }

    /** The file name, e.g. {@code decoder_model_merged.onnx}. */
    public String fileName() {
        return stem + ".onnx";
    }

    /** The part of the model the file's graph holds; empty for the merged decoder, which is merged, not built. */
    public Optional<Component> component() {
        return component;
    }

    @Override
    public String toString() {
        return fileName();
    }
}
