package org.exporters4j.export;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.exporters4j.tasks.ExportTask;
import org.exporters4j.tasks.Layout;

/**
 * A published export.
 *
 * @param outputFolder the folder holding the model and the copied files
 * @param modelFile {@code model.onnx}
 * @param externalDataFile {@code model.onnx_data} when the weights are external
 * @param modelType the model type (Optimum's spelling)
 * @param task the task exported, with its variant (its canonical name: {@code task().name()})
 * @param opset the opset the graph was built for
 * @param atol the validation tolerance
 * @param copiedFiles the files written beside the model (config.json, tokenizer and preprocessor files), by name
 * @param validation the validation report, when validation ran
 * @param unusedTensors the checkpoint's tensors the graph does not read, sorted: weights of another head (what
 *     Transformers reports as unexpected keys when loading the task's class) and buffers the graph computes itself
 * @param removedFiles files an earlier export had written into the output folder that this one does not write
 *     (say its tokenizer.json), removed so they cannot be taken for the new model's, sorted
 * @param removedStagingFolders staging folders ({@code .<name>.partial-*}) of exports that were killed, removed
 *     because their owner record proves their process gone
 * @param layout the file layout written ({@code model.onnx} at the top, or under {@code onnx/})
 * @param notes what the export's consumer may miss (transformers.js without the checkpoint's tokenizer.json), one
 *     sentence each; the export is complete all the same
 * @param modelFiles every ONNX file written, in Optimum's order ({@code model.onnx}, or an encoder-decoder's
 *     {@code encoder_model.onnx}, {@code decoder_model.onnx}, ...); {@code modelFile} is the first
 */
public record ExportResult(Path outputFolder, Path modelFile, Optional<Path> externalDataFile, String modelType,
                           ExportTask task, int opset, double atol, List<String> copiedFiles,
                           Optional<ValidationReport> validation, List<String> unusedTensors,
                           List<String> removedFiles, List<Path> removedStagingFolders, Layout layout,
                           List<String> notes, List<Path> modelFiles) {
    public ExportResult {
        Objects.requireNonNull(outputFolder, "outputFolder");
        Objects.requireNonNull(modelFile, "modelFile");
        Objects.requireNonNull(externalDataFile, "externalDataFile");
        Objects.requireNonNull(modelType, "modelType");
        Objects.requireNonNull(task, "task");
        copiedFiles = List.copyOf(copiedFiles);
        Objects.requireNonNull(validation, "validation");
        unusedTensors = List.copyOf(unusedTensors);
        removedFiles = List.copyOf(removedFiles);
        removedStagingFolders = List.copyOf(removedStagingFolders);
        Objects.requireNonNull(layout, "layout");
        notes = List.copyOf(notes);
        modelFiles = List.copyOf(modelFiles);
    }
}
