package org.exporters4j.onnx;

import java.nio.file.Path;
import java.util.Optional;

/**
 * The files {@link ModelWriter} wrote: the model, and its external data file when weights went there.
 *
 * @param modelFile the {@code .onnx} file
 * @param modelFileBytes its size
 * @param externalDataFile the external data file, when the weights went to one
 * @param externalDataBytes its size; 0 without one
 */
public record WrittenModel(Path modelFile, long modelFileBytes, Optional<Path> externalDataFile,
                           long externalDataBytes) {
    public WrittenModel {
        if (modelFile == null || externalDataFile == null) {
            throw new IllegalArgumentException("a written model needs its model file and an optional data file");
        }
        if (modelFileBytes < 0 || externalDataBytes < 0
                || (externalDataFile.isEmpty() && externalDataBytes != 0)) {
            throw new IllegalArgumentException("a written model has sizes of at least 0, and external data bytes only"
                    + " with an external data file: " + modelFileBytes + ", " + externalDataFile + ", "
                    + externalDataBytes);
        }
    }
}
