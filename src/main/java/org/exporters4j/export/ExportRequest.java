package org.exporters4j.export;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;
import org.exporters4j.models.ModelForm;
import org.exporters4j.onnx.WeightsLocation;
import org.exporters4j.tasks.Framework;
import org.exporters4j.tasks.Layout;

/**
 * What to export, as {@code optimum-cli export onnx} takes it: the model (a local checkpoint folder or a Hub model
 * id), the task ({@code auto} infers it), the framework, opset and tolerance (determined, or the export
 * configuration's defaults, when empty), the output folder, whether to validate in ONNX Runtime, and where the
 * weights go.
 *
 * @param model a checkpoint folder (config.json + weights) or a Hub model id
 * @param task a task name or synonym, or {@code auto}
 * @param framework {@code pt} or {@code tf}: whose weight files to read; empty: the checkpoint's own
 * @param opset the ONNX opset; empty: the model type's default, as Optimum
 * @param atol the validation tolerance; empty: the export configuration's
 * @param output the folder to write {@code model.onnx} and the copied files into
 * @param validation whether to run the written model in ONNX Runtime before publishing it
 * @param weightsLocation inside model.onnx when it fits (AUTOMATIC), or always in model.onnx_data (EXTERNAL_DATA)
 * @param cacheDir the Hugging Face cache folder for Hub ids
 * @param revision the Hub revision (branch, tag or commit) for Hub ids
 * @param layout the file layout; empty: the model type's default ({@link org.exporters4j.tasks.ModelTypeRow#defaultLayout})
 * @param form the graph's form beside its interface ({@link ModelForm#PLAIN}: Optimum's standard operators, float32)
 * @param agreement how close a quantized export must stay to its float32 graph (used when the form quantizes weights);
 *     empty: the defaults of its scheme ({@link AgreementTolerance#defaultFor})
 */
public record ExportRequest(String model, String task, Optional<Framework> framework, Optional<Integer> opset,
                            Optional<Double> atol, Path output, Validation validation,
                            WeightsLocation weightsLocation, Optional<Path> cacheDir, Optional<String> revision,
                            Optional<Layout> layout, ModelForm form, Optional<AgreementTolerance> agreement) {

    /** The task value that asks the exporter to infer the task, as Optimum's {@code --task auto}. */
    public static final String AUTO_TASK = "auto";

    /** Whether the written model is run in ONNX Runtime before it is published. */
    public enum Validation {
        VALIDATE,
        SKIP
    }

    public ExportRequest {
        if (model == null || model.isBlank()) {
            throw new IllegalArgumentException("the model to export is required: a checkpoint folder or a Hub id");
        }
        if (task == null || task.isBlank()) {
            throw new IllegalArgumentException("the task is required (\"auto\" infers it)");
        }
        Objects.requireNonNull(framework, "framework");
        Objects.requireNonNull(opset, "opset");
        Objects.requireNonNull(atol, "atol");
        Objects.requireNonNull(output, "output");
        Objects.requireNonNull(validation, "validation");
        Objects.requireNonNull(weightsLocation, "weightsLocation");
        Objects.requireNonNull(cacheDir, "cacheDir");
        Objects.requireNonNull(revision, "revision");
        Objects.requireNonNull(layout, "layout");
        Objects.requireNonNull(form, "form");
        Objects.requireNonNull(agreement, "agreement");
        if (weightsLocation == WeightsLocation.EMBEDDED) {
            throw new IllegalArgumentException("weights go inside model.onnx when they fit (AUTOMATIC) or to "
                    + "model.onnx_data (EXTERNAL_DATA); EMBEDDED would fail beyond protobuf's 2 GiB");
        }
        atol.ifPresent(value -> {
            if (!(value > 0) || value.isInfinite()) {
                throw new IllegalArgumentException("--atol must be a positive number, got " + value);
            }
        });
    }

    /** Task auto, the checkpoint's framework, default opset and tolerance, validation on, weights inside if they fit. */
    public static ExportRequest of(String model, Path output) {
        return new ExportRequest(model, AUTO_TASK, Optional.empty(), Optional.empty(), Optional.empty(), output,
                Validation.VALIDATE, WeightsLocation.AUTOMATIC, Optional.empty(), Optional.empty(), Optional.empty(),
                ModelForm.PLAIN, Optional.empty());
    }

    public ExportRequest withTask(String newTask) {
        return new ExportRequest(model, newTask, framework, opset, atol, output, validation, weightsLocation, cacheDir,
                revision, layout, form, agreement);
    }

    public ExportRequest withFramework(Framework newFramework) {
        return new ExportRequest(model, task, Optional.of(newFramework), opset, atol, output, validation,
                weightsLocation, cacheDir, revision, layout, form, agreement);
    }

    public ExportRequest withOpset(int newOpset) {
        return new ExportRequest(model, task, framework, Optional.of(newOpset), atol, output, validation,
                weightsLocation, cacheDir, revision, layout, form, agreement);
    }

    public ExportRequest withAtol(double newAtol) {
        return new ExportRequest(model, task, framework, opset, Optional.of(newAtol), output, validation,
                weightsLocation, cacheDir, revision, layout, form, agreement);
    }

    public ExportRequest withValidation(Validation newValidation) {
        return new ExportRequest(model, task, framework, opset, atol, output, newValidation, weightsLocation, cacheDir,
                revision, layout, form, agreement);
    }

    public ExportRequest withWeightsLocation(WeightsLocation newLocation) {
        return new ExportRequest(model, task, framework, opset, atol, output, validation, newLocation, cacheDir,
                revision, layout, form, agreement);
    }

    public ExportRequest withCacheDir(Path newCacheDir) {
        return new ExportRequest(model, task, framework, opset, atol, output, validation, weightsLocation,
                Optional.of(newCacheDir), revision, layout, form, agreement);
    }

    public ExportRequest withRevision(String newRevision) {
        return new ExportRequest(model, task, framework, opset, atol, output, validation, weightsLocation, cacheDir,
                Optional.of(newRevision), layout, form, agreement);
    }

    public ExportRequest withLayout(Layout newLayout) {
        return new ExportRequest(model, task, framework, opset, atol, output, validation, weightsLocation, cacheDir,
                revision, Optional.of(newLayout), form, agreement);
    }

    /** The graph in {@code newForm} (operators, precision, weight quantization), its interface unchanged. */
    public ExportRequest withForm(ModelForm newForm) {
        return new ExportRequest(model, task, framework, opset, atol, output, validation, weightsLocation, cacheDir,
                revision, layout, newForm, agreement);
    }

    /** The bounds a quantized export is held to: those asked for, or its scheme's defaults. */
    public AgreementTolerance agreementTolerance() {
        return agreement.orElseGet(() -> AgreementTolerance.defaultFor(form.quantization().scheme()));
    }

    /** A quantized export held to {@code newAgreement} against its float32 graph. */
    public ExportRequest withAgreement(AgreementTolerance newAgreement) {
        return new ExportRequest(model, task, framework, opset, atol, output, validation, weightsLocation, cacheDir,
                revision, layout, form, Optional.of(newAgreement));
    }
}
