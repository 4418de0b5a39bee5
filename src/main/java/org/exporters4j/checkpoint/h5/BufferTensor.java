package org.exporters4j.checkpoint.h5;

import java.util.Objects;
import org.exporters4j.checkpoint.TensorInfo;

/** A registered PyTorch buffer: its key, type and shape, and how its values are computed. */
record BufferTensor(TensorInfo info, BufferValues values) {
    BufferTensor {
        Objects.requireNonNull(info, "info");
        Objects.requireNonNull(values, "values");
        if (values instanceof BufferValues.LowerTriangle && info.rank() < 2) {
            throw new IllegalArgumentException("a lower-triangle buffer needs two dimensions: " + info);
        }
    }
}
