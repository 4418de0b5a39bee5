package org.exporters4j.hub;

import java.util.List;

/**
 * The weight files a Transformers checkpoint may carry, with the names {@code save_pretrained} gives them
 * (Transformers' {@code SAFE_WEIGHTS_NAME}, {@code WEIGHTS_NAME}, {@code TF2_WEIGHTS_NAME} and their
 * {@code *_INDEX_NAME} for sharded checkpoints).
 */
public enum WeightsFormat {
    SAFETENSORS("model.safetensors", "model.safetensors.index.json"),
    PYTORCH("pytorch_model.bin", "pytorch_model.bin.index.json"),
    TENSORFLOW("tf_model.h5", "tf_model.h5.index.json");

    /** The order exporters4j prefers when a repository has several formats: safetensors, then .bin, then .h5. */
    public static final List<WeightsFormat> DEFAULT_PREFERENCE = List.of(SAFETENSORS, PYTORCH, TENSORFLOW);

    private final String singleFile;
    private final String indexFile;

    WeightsFormat(String singleFile, String indexFile) {
        this.singleFile = singleFile;
        this.indexFile = indexFile;
    }

    /** The file name of an unsharded checkpoint, e.g. {@code model.safetensors}. */
    public String singleFile() {
        return singleFile;
    }

    /** The index of a sharded checkpoint, e.g. {@code model.safetensors.index.json}, whose weight_map names the shards. */
    public String indexFile() {
        return indexFile;
    }
}
