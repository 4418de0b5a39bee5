package org.exporters4j;

import java.util.List;

/**
 * The weight file formats a checkpoint folder or a Hub repository can hold, with the file names Transformers'
 * {@code save_pretrained} gives them ({@code SAFE_WEIGHTS_NAME}, {@code WEIGHTS_NAME}, {@code TF2_WEIGHTS_NAME} and
 * their {@code *_INDEX_NAME} for sharded checkpoints: the file name and {@link #INDEX_SUFFIX}, e.g.
 * {@code model.safetensors.index.json}), in the order Transformers prefers them.
 *
 * <p>In the root package because both {@code checkpoint} (which reads the files) and {@code hub} (which fetches
 * them) name the same files, and those two may not import each other.
 */
public enum WeightsFormat {
    /** Hugging Face safetensors: a JSON header and raw little-endian data; as Transformers' SAFE_WEIGHTS_NAME. */
    SAFETENSORS("model.safetensors"),
    /** {@code torch.save} of a state dict: the zip format (torch 1.6 and later) or the legacy pickle stream. */
    PYTORCH("pytorch_model.bin"),
    /**
     * Keras HDF5 weights of a Transformers TF model (TF2_WEIGHTS_NAME), read as the PyTorch state dict Transformers
     * builds from them with {@code from_tf=True}; the last choice, as Transformers' PyTorch {@code from_pretrained}.
     */
    TF_H5("tf_model.h5");

    /** The order exporters4j prefers when a repository has several formats: safetensors, then .bin, then .h5. */
    public static final List<WeightsFormat> DEFAULT_PREFERENCE = List.of(values());

    /** How the index of a sharded checkpoint is named after the single file's name, as every {@code *_INDEX_NAME}. */
    public static final String INDEX_SUFFIX = ".index.json";

    private final String fileName;

    WeightsFormat(String fileName) {
        this.fileName = fileName;
    }

    /** The single-file name, e.g. {@code model.safetensors}. */
    public String fileName() {
        return fileName;
    }

    /** The index of a sharded checkpoint, e.g. {@code model.safetensors.index.json}. */
    public String indexFileName() {
        return fileName + INDEX_SUFFIX;
    }

    /** Both names, single file first. */
    public List<String> fileNames() {
        return List.of(fileName, indexFileName());
    }
}
