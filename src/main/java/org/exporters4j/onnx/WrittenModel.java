package org.exporters4j.onnx;

import java.nio.file.Path;
import java.util.Optional;

/** The files {@link ModelWriter} wrote: the model, and its external data file when weights went there. */
public record WrittenModel(Path modelFile, long modelFileBytes, Optional<Path> externalDataFile,
                           long externalDataBytes) {
    public WrittenModel {
        if (modelFile == null || externalDataFile == null) {
            throw new IllegalArgumentException("a written model needs its model file and an optional data file");
        }
    }
}
