package org.exporters4j.tasks;

import org.exporters4j.checkpoint.ModelConfig;

/** What a registry row needs from one backend's configuration of a model type (e.g. an {@link OnnxModelRow}). */
interface ExportConfigFactory {
    /** The export configuration of {@code task} for {@code config}; {@code modelType} is the registry key. */
    ExportConfig create(String modelType, ExportTask task, ModelConfig config);

    /** The name of the configuration class it mirrors, for display (e.g. {@code BertOnnxConfig}). */
    String configClassName();
}
