package org.exporters4j.hub;

import java.util.Objects;
import java.util.Optional;

/**
 * The {@code transformersInfo} block of the Hub's model info: the auto class that loads the model (e.g.
 * {@code AutoModelForMaskedLM}), the pipeline tag and the processor class the Hub derived from the repository.
 */
public record TransformersInfo(Optional<String> autoModel, Optional<String> pipelineTag, Optional<String> processor) {
    public TransformersInfo {
        Objects.requireNonNull(autoModel, "autoModel");
        Objects.requireNonNull(pipelineTag, "pipelineTag");
        Objects.requireNonNull(processor, "processor");
    }
}
