package org.exporters4j.cli;

import java.io.PrintWriter;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.exporters4j.export.AgreementTolerance;
import org.exporters4j.export.ExportRequest;
import org.exporters4j.export.ExportResult;
import org.exporters4j.export.Exporter;
import org.exporters4j.export.ValidationFailedException;
import org.exporters4j.export.ValidationReport;
import org.exporters4j.models.ModelForm;
import org.exporters4j.models.WeightQuantization;
import org.exporters4j.onnx.Opset;
import org.exporters4j.onnx.WeightsLocation;
import org.exporters4j.tasks.Framework;
import org.exporters4j.tasks.Layout;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code exporters4j export onnx}: Optimum v1.5.2's {@code python -m optimum.exporters.onnx} options (its
 * underscore spellings too), plus {@code --revision}, {@code --no-validate} and {@code --external-data}. Prints where
 * the model went on stdout; the validation report and errors go to stderr.
 */
@Command(name = "onnx", mixinStandardHelpOptions = true,
        description = {"Export a Transformers checkpoint to ONNX with Optimum v1.5.2's interface, built from the "
                + "weights, then validate it in ONNX Runtime.",
                "Writes OUTPUT_DIR/model.onnx (+ model.onnx_data for large or --external-data models), config.json "
                        + "and the checkpoint's tokenizer and preprocessor files; --layout transformers.js puts the "
                        + "ONNX files under OUTPUT_DIR/onnx/."})
final class ExportOnnxCommand implements Callable<Integer> {
    /** How many unused tensor names the note shows before "...". */
    private static final int UNUSED_SHOWN = 8;

    @Spec
    CommandSpec spec;

    @Option(names = {"-m", "--model"}, required = true, paramLabel = "MODEL",
            description = "A checkpoint folder (config.json and model.safetensors, pytorch_model.bin or tf_model.h5) "
                    + "or a Hugging Face Hub model id.")
    String model;

    @Option(names = "--task", defaultValue = ExportRequest.AUTO_TASK, converter = OptionValues.TaskNameOrAuto.class,
            description = "The task to export (e.g. sequence-classification, fill-mask); default ${DEFAULT-VALUE}: "
                    + "inferred (the Hub's model info, or config.json's architectures).")
    String task;

    @Option(names = "--framework", paramLabel = "pt|tf", converter = OptionValues.FrameworkName.class,
            description = "The framework whose weights to read (default: the checkpoint's).")
    String framework;

    @Option(names = "--opset", description = "The ONNX opset (default: the model type's, as Optimum).")
    Integer opset;

    @Option(names = "--atol", description = "The validation tolerance (default: the export configuration's).")
    Double atol;

    @Option(names = "--layout", paramLabel = "LAYOUT",
            description = {"The files to write, for the runtime that loads them: optimum-1.5 (Optimum v1.5.2's "
                    + "model.onnx and interface; the default for the model types Optimum v1.5.2 registers), optimum "
                    + "(Optimum 1.25.3's files and interface, for ONNX Runtime and optimum.onnxruntime; the default "
                    + "and only interface of the types added since), transformers.js (optimum's files under onnx/, "
                    + "config and tokenizer files at the top).",
                    "Today a model type has either optimum-1.5, or optimum and transformers.js: "
                            + "`./exporters4j tasks --model-type TYPE` names its tasks; an unavailable layout is "
                            + "refused naming the ones it has."})
    String layout;

    @Mixin
    HubOptions hubOptions;

    @Option(names = {"--no-validate", "--no_validate"}, description = "Skip the validation in ONNX Runtime.")
    boolean noValidate;

    @Option(names = {"--external-data", "--external_data"},
            description = "Write the weights to model.onnx_data even when model.onnx could hold them.")
    boolean externalData;

    @Option(names = "--optimize",
            description = {"Write the graph with ONNX Runtime's fused com.microsoft operators (fused attention, "
                    + "skip and simplified layer norms, fused GELU) where the model's family has them, standard "
                    + "operators elsewhere; same inputs and outputs as the plain export. Runs only in ONNX Runtime "
                    + "(its contrib operators; 1.22 or later for the Llama family's grouped-query graphs without a "
                    + "past); validation also compares it with the plain graph. Combines with "
                    + "--quantize int8|int4 (the fused graph's dense layers quantized as the plain graph's, "
                    + "validated against the plain float32 graph)."})
    boolean optimize;

    @Option(names = "--dtype", paramLabel = "fp32|fp16|bf16", defaultValue = "fp32",
            converter = OptionValues.DtypeName.class,
            description = {"The floating-point type of the weights and activations (default ${DEFAULT-VALUE}). fp16: "
                    + "half the size; Softmax, norm statistics, masks, positions and their sines stay float32 as "
                    + "ONNX Runtime's float16 converter keeps them, inputs and outputs stay float32 (Optimum's "
                    + "interface); runs in ONNX Runtime on CPU (which computes the float16 operators it has no "
                    + "kernel for in float32) and GPU. Validation also compares it with the float32 graph, atol "
                    + Exporter.HALF_PRECISION_ATOL_TEXT + " unless --atol is given. bf16 is refused: ONNX Runtime's "
                    + "CPU provider has no bfloat16 arithmetic kernels."})
    ModelForm.Precision dtype;

    @Option(names = "--quantize", paramLabel = "int8|int4",
            description = {"Store the weights of the dense layers (every MatMul/Gemm of a checkpoint weight) in fewer "
                    + "bits, quantized while they are written: int8 per output channel (ONNX Runtime's "
                    + "DynamicQuantizeMatMul, as its dynamic quantizer quantize_dynamic(per_channel=True) writes "
                    + "them; activations quantized at run time) or int4 in blocks along the input features (ONNX "
                    + "Runtime's MatMulNBits, round to nearest, as its MatMul4BitsQuantizer and the "
                    + "onnxruntime-genai builder). Embedding tables stay float32 unless --quantize-embeddings "
                    + "(int4, Llama family). Runs only in ONNX Runtime (its com.microsoft contrib operators). "
                    + "Validation compares the model with the float32 graph of the same weights (--min-cosine, "
                    + "--min-top1-agreement) instead of --atol. With --optimize (gpt2, Llama family): fused "
                    + "operators and quantized weights together."})
    String quantize;

    @Option(names = "--quantize-block-size", paramLabel = "N",
            description = "int4: input features per block, a power of two from 16 to 256 (default "
                    + WeightQuantization.DEFAULT_INT4_BLOCK_SIZE + ").")
    Integer quantizeBlockSize;

    @Option(names = "--quantize-zero-points",
            description = "Store a zero point per scale (the range spans each channel's or block's minimum to "
                    + "maximum) instead of a range symmetric around zero (the default, as ONNX Runtime's quantizers "
                    + "and the onnxruntime-genai builder).")
    boolean quantizeZeroPoints;

    @Option(names = "--no-quantize-lm-head",
            description = "Keep the LM head (the projection onto the vocabulary) in float32; by default it is "
                    + "quantized with the other dense layers, as ONNX Runtime's quantizers do.")
    boolean floatLanguageModelHead;

    @Option(names = "--quantize-embeddings",
            description = "int4: quantize the token embedding table too, in symmetric blocks read by ONNX Runtime's "
                    + "GatherBlockQuantized (the Llama family: llama, mistral, qwen2, ...; other families keep it "
                    + "float32); by default it stays float32.")
    boolean quantizeEmbeddings;

    @Option(names = "--int4-accuracy-level", paramLabel = "0-4",
            description = "int4: MatMulNBits' accuracy_level: 4 (default) lets ONNX Runtime's CPU quantize the "
                    + "activations to int8 per block and multiply in integers (fastest); 0 multiplies in float32.")
    Integer accuracyLevel;

    @Option(names = "--min-cosine", paramLabel = "C",
            description = "With --quantize: the smallest cosine of each output with the float32 graph's that "
                    + "validation accepts (default " + AgreementTolerance.INT8_MIN_COSINE + " for int8, "
                    + AgreementTolerance.INT4_MIN_COSINE + " for int4).")
    Double minCosine;

    @Option(names = "--min-top1-agreement", paramLabel = "A",
            description = "With --quantize: the smallest share of positions whose most likely token agrees with the "
                    + "float32 graph's, for LM heads (default " + AgreementTolerance.INT8_MIN_TOP_ONE_AGREEMENT
                    + " for int8; for int4 " + AgreementTolerance.INT4_MIN_TOP_ONE_AGREEMENT + ": reported, not "
                    + "bounded).")
    Double minTopOneAgreement;

    @Parameters(index = "0", paramLabel = "OUTPUT_DIR", description = "The folder to write the model into.")
    Path output;

    @Override
    public Integer call() {
        requireNotBlank("--model", model);
        requireNotBlank("OUTPUT_DIR", output.toString());
        // --task, --revision and --cache-dir: their converters refuse an empty value (OptionValues)
        if (opset != null && opset < 1) {
            throw new ParameterException(spec.commandLine(), "--opset must be a positive number, got " + opset);
        }
        if (opset != null && opset > Opset.MAX_VERSION) {
            // a usage error whatever the model: no opset above the newest exporters4j writes can be built
            throw new ParameterException(spec.commandLine(), "--opset must be at most " + Opset.MAX_VERSION
                    + " (the newest opset exporters4j writes), got " + opset);
        }
        if (atol != null && !(atol > 0 && !atol.isInfinite())) {
            throw new ParameterException(spec.commandLine(), "--atol must be a positive number, got " + atol);
        }
        ExportRequest request = ExportRequest.of(model, output).withTask(task);
        if (framework != null) {
            request = request.withFramework(parseFramework());
        }
        if (opset != null) {
            request = request.withOpset(opset);
        }
        if (atol != null) {
            request = request.withAtol(atol);
        }
        if (hubOptions.cacheDir != null) {
            request = request.withCacheDir(hubOptions.cacheDir);
        }
        if (hubOptions.revision != null) {
            request = request.withRevision(hubOptions.revision);
        }
        if (layout != null) {
            request = request.withLayout(parseLayout());
        }
        if (noValidate) {
            request = request.withValidation(ExportRequest.Validation.SKIP);
        }
        if (externalData) {
            request = request.withWeightsLocation(WeightsLocation.EXTERNAL_DATA);
        }
        if (optimize) {
            request = request.withForm(request.form().withOperators(ModelForm.Operators.FUSED));
        }
        request = request.withForm(request.form().withPrecision(dtype));
        request = withQuantization(request);
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        ExportResult result;
        try {
            result = Exporter.export(request);
        } catch (ValidationFailedException e) {
            err.println(e.report().format());
            err.flush();
            throw e;
        }
        result.validation().ifPresent(report -> {
            err.println(report.format());
            err.flush();
        });
        // an encoder-decoder in today's layouts writes several files: the first, then the others' names
        String others = result.modelFiles().stream().skip(1).map(file -> ", " + file.getFileName())
                .collect(java.util.stream.Collectors.joining());
        out.println("exported " + result.modelType() + " " + result.task().name() + " (opset " + result.opset() + ") to "
                + result.modelFile() + others + result.externalDataFile().map(file -> " + " + file.getFileName()).orElse("")
                + (result.validation().isEmpty() ? ", not validated"
                        : request.form().quantization().quantized() && comparedWithFloat32(result.validation().get())
                                ? ", validated in ONNX Runtime against its "
                                + request.form().float32ReferenceLabel() + " graph ("
                                + (request.form().fused() ? "fused operators, " : "")
                                + request.form().quantization() + " weights; cosine >= "
                                + plain(request.agreementTolerance().minCosine()) + ", LM top-1 agreement >= "
                                + plain(request.agreementTolerance().minTopOneAgreement()) + ")"
                        : request.form().quantization().quantized()
                                ? ", validated in ONNX Runtime without its float32 graph (see the note)"
                        : ", validated in ONNX Runtime (atol " + plain(result.atol()) + ")"));
        out.println("copied beside it: " + String.join(", ", result.copiedFiles()));
        out.flush();
        if (!result.removedFiles().isEmpty()) {
            err.println("note: removed " + String.join(", ", result.removedFiles()) + " from " + result.outputFolder()
                    + ": written by an earlier export, not by this one");
        }
        if (!result.removedStagingFolders().isEmpty()) {
            err.println("note: removed the staging folder" + (result.removedStagingFolders().size() == 1 ? " " : "s ")
                    + result.removedStagingFolders().stream().map(Path::toString)
                            .collect(java.util.stream.Collectors.joining(", "))
                    + " of killed exports (their process is gone)");
        }
        for (String note : result.notes()) {
            err.println("note: " + note);
        }
        err.flush();
        if (!result.unusedTensors().isEmpty()) {
            List<String> unused = result.unusedTensors();
            err.println("note: " + unused.size() + " checkpoint tensor" + (unused.size() == 1 ? " is" : "s are")
                    + " not part of the " + result.task().name() + " graph (another head's weights or buffers the graph "
                    + "computes itself): " + String.join(", ", unused.subList(0, Math.min(UNUSED_SHOWN, unused.size())))
                    + (unused.size() > UNUSED_SHOWN ? ", ..." : ""));
            err.flush();
        }
        return 0;
    }

    /**
     * {@code --quantize} and the options that shape it, into the request's form and agreement tolerance. An option
     * that only means something with another one is refused naming both and the fix.
     */
    private ExportRequest withQuantization(ExportRequest request) {
        if (quantize == null) {
            List<String> orphans = new java.util.ArrayList<>();
            if (quantizeBlockSize != null) {
                orphans.add("--quantize-block-size");
            }
            if (quantizeZeroPoints) {
                orphans.add("--quantize-zero-points");
            }
            if (floatLanguageModelHead) {
                orphans.add("--no-quantize-lm-head");
            }
            if (quantizeEmbeddings) {
                orphans.add("--quantize-embeddings");
            }
            if (accuracyLevel != null) {
                orphans.add("--int4-accuracy-level");
            }
            if (minCosine != null) {
                orphans.add("--min-cosine");
            }
            if (minTopOneAgreement != null) {
                orphans.add("--min-top1-agreement");
            }
            if (!orphans.isEmpty()) {
                throw new ParameterException(spec.commandLine(), String.join(", ", orphans)
                        + (orphans.size() == 1 ? " only applies" : " only apply") + " to quantized weights; add "
                        + "--quantize int8 or --quantize int4, or leave " + (orphans.size() == 1 ? "it" : "them")
                        + " out");
            }
            return request;
        }
        WeightQuantization.Scheme scheme = switch (quantize.strip().toLowerCase(java.util.Locale.ROOT)) {
            case "int8" -> WeightQuantization.Scheme.INT8;
            case "int4" -> WeightQuantization.Scheme.INT4;
            default -> throw new ParameterException(spec.commandLine(), "--quantize takes int8 or int4, got '"
                    + quantize + "'");
        };
        if (atol != null) {
            // the validator holds a quantized model to its float32 graph's outputs by cosine and top-1, never by atol
            throw new ParameterException(spec.commandLine(), "--atol does not apply to --quantize: a quantized "
                    + "model is checked against its float32 graph with --min-cosine and --min-top1-agreement; use "
                    + "those, or leave --atol out");
        }
        WeightQuantization.Symmetry symmetry = quantizeZeroPoints ? WeightQuantization.Symmetry.ASYMMETRIC
                : WeightQuantization.Symmetry.SYMMETRIC;
        WeightQuantization quantization;
        if (scheme == WeightQuantization.Scheme.INT8) {
            if (quantizeBlockSize != null || accuracyLevel != null) {
                throw new ParameterException(spec.commandLine(), (quantizeBlockSize != null ? "--quantize-block-size"
                        : "--int4-accuracy-level") + " applies to --quantize int4 (MatMulNBits' blocks); int8 "
                        + "weights have one scale per output channel: use --quantize int4 or leave it out");
            }
            quantization = WeightQuantization.int8(symmetry);
        } else {
            try {
                quantization = WeightQuantization.int4(quantizeBlockSize == null
                        ? WeightQuantization.DEFAULT_INT4_BLOCK_SIZE : quantizeBlockSize, symmetry);
                if (accuracyLevel != null) {
                    quantization = quantization.withAccuracyLevel(accuracyLevel);
                }
            } catch (IllegalArgumentException e) {
                throw new ParameterException(spec.commandLine(), (e.getMessage().contains("block size")
                        ? "--quantize-block-size: " : "--int4-accuracy-level: ") + e.getMessage());
            }
        }
        if (floatLanguageModelHead) {
            quantization = quantization.withLanguageModelHead(WeightQuantization.Storage.FLOAT);
        }
        if (quantizeEmbeddings) {
            try {
                quantization = quantization.withEmbeddings(WeightQuantization.Storage.QUANTIZED);
            } catch (IllegalArgumentException e) {
                throw new ParameterException(spec.commandLine(), "--quantize-embeddings: " + e.getMessage());
            }
        }
        request = request.withForm(request.form().withQuantization(quantization));
        if (minCosine == null && minTopOneAgreement == null) {
            return request;
        }
        AgreementTolerance defaults = AgreementTolerance.defaultFor(scheme);
        try {
            return request.withAgreement(new AgreementTolerance(
                    minCosine == null ? defaults.minCosine() : minCosine,
                    minTopOneAgreement == null ? defaults.minTopOneAgreement() : minTopOneAgreement));
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
    }

    /** {@code value} without trailing zeros ({@code 1e-05} → {@code 0.00001}). */
    private static String plain(double value) {
        return new BigDecimal(Double.toString(value)).stripTrailingZeros().toPlainString();
    }

    /** Whether the report holds the quantized model's agreement with its float32 graph (too large a graph has none). */
    private static boolean comparedWithFloat32(ValidationReport report) {
        return report.checks().stream().anyMatch(check -> check.kind() == ValidationReport.Kind.AGREEMENT);
    }

    /** An empty value would silently mean "the current folder" or "nothing": a usage error instead. */
    private void requireNotBlank(String option, String value) {
        if (value.isBlank()) {
            throw new ParameterException(spec.commandLine(), option + " must not be empty");
        }
    }

    private Layout parseLayout() {
        try {
            return Layout.parse(layout);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
    }

    private Framework parseFramework() {
        try {
            return Framework.parse(framework);
        } catch (RuntimeException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
    }
}
