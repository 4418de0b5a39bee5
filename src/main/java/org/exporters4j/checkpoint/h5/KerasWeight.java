package org.exporters4j.checkpoint.h5;

import java.nio.ByteOrder;
import java.util.Objects;
import org.exporters4j.checkpoint.TensorInfo;

/**
 * One weight of a Keras HDF5 weights file, in TensorFlow's terms.
 *
 * @param info the TF weight name (as the layer's {@code weight_names} attribute lists it), element type and TF shape
 * @param datasetPath the HDF5 path of its dataset, e.g. {@code /bert/tf_bert_model/bert/pooler/dense/kernel:0}
 * @param fileOffset where its contiguous data start in the file, or -1 when the dataset is not stored contiguously
 *     (chunked or compact: read through the HDF5 library) or holds no elements
 * @param byteOrder the byte order of its elements in the file
 */
record KerasWeight(TensorInfo info, String datasetPath, long fileOffset, ByteOrder byteOrder) {
    KerasWeight {
        Objects.requireNonNull(info, "info");
        Objects.requireNonNull(datasetPath, "datasetPath");
        Objects.requireNonNull(byteOrder, "byteOrder");
        if (fileOffset < -1) {
            throw new IllegalArgumentException("file offset must be -1 (not contiguous) or at least 0: " + fileOffset);
        }
    }

    /** Whether the file holds the data as one contiguous byte range at {@link #fileOffset}. */
    boolean contiguous() {
        return fileOffset >= 0;
    }
}
