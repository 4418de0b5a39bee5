package org.exporters4j.tasks;

import java.util.Objects;

/**
 * One file of an export and the configuration of the graph it holds (its interface, opset and tolerance), as
 * Optimum 1.25.3's {@code _get_submodels_and_export_configs} pairs each sub-model with its OnnxConfig.
 */
public record ComponentExport(OnnxFile file, ExportConfig config) {
    public ComponentExport {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(config, "config");
    }
}
