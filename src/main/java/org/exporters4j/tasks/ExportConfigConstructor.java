package org.exporters4j.tasks;

import org.exporters4j.checkpoint.ModelConfig;

/**
 * Makes the export configuration of one (model type, exporter, task) for a model config: the counterpart of the
 * {@code partial(OnnxConfigClass, task=...)} values of Optimum v1.5.2's registry.
 */
@FunctionalInterface
public interface ExportConfigConstructor {
    /**
     * The export configuration for {@code config}.
     *
     * @throws org.exporters4j.checkpoint.ModelConfigException when the config lacks a value the configuration needs
     *     (e.g. the layer count of a {@code -with-past} export)
     */
    ExportConfig create(ModelConfig config);
}
