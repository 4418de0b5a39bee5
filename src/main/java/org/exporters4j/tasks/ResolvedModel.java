package org.exporters4j.tasks;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.exporters4j.checkpoint.ModelConfig;
import org.exporters4j.checkpoint.Weights;

/**
 * What {@link TasksManager#getModelFromTask} hands the exporter, the counterpart of the Transformers model Optimum
 * v1.5.2's {@code get_model_from_task} returns: a resolved checkpoint with its config and opened weights, the task
 * to export and the classes Transformers would load for it.
 *
 * <p>Owns {@link #weights()}: close this value (try-with-resources) when the export is written; {@code close()} is
 * idempotent. The weights always use PyTorch state-dict names, also when they were read from TensorFlow files
 * (as {@code from_tf=True} loads them into the PyTorch model).
 *
 * @param source       where the model came from (the user's folder or Hub repository)
 * @param folder       the local folder holding the files: the user's folder, or the Hub snapshot in the cache
 * @param commit       the Hub commit the files belong to; empty for a local folder
 * @param config       {@code config.json}, with the model type's Transformers defaults
 * @param task         the canonical task (inferred when {@code auto} was asked), with its variant
 * @param framework    the framework whose model class loads the checkpoint (the user's, or the one determined)
 * @param modelClass   the Transformers auto class for the task and framework, e.g. {@code AutoModelForMaskedLM}
 * @param architecture the concrete class the auto class builds for the model type, e.g. {@code BertForMaskedLM}
 * @param weights      the opened weights (owned)
 * @param weightFiles  the weight files read, relative to {@code folder} ('/'-separated; an index first, then shards)
 */
public record ResolvedModel(ModelSource source, Path folder, Optional<String> commit, ModelConfig config,
                            ExportTask task, Framework framework, String modelClass, String architecture,
                            Weights weights, List<String> weightFiles) implements AutoCloseable {
    public ResolvedModel {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(folder, "folder");
        Objects.requireNonNull(commit, "commit");
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(task, "task");
        Objects.requireNonNull(framework, "framework");
        Objects.requireNonNull(modelClass, "modelClass");
        Objects.requireNonNull(architecture, "architecture");
        Objects.requireNonNull(weights, "weights");
        weightFiles = List.copyOf(weightFiles);
        if (weightFiles.isEmpty()) {
            throw new IllegalArgumentException("a resolved model reads at least one weight file");
        }
    }

    /** {@code model_type} as config.json spells it (Transformers' spelling, e.g. {@code gpt_neo}). */
    public String modelType() {
        return config.modelType();
    }

    /** Closes the weights; idempotent. */
    @Override
    public void close() {
        weights.close();
    }
}
