package org.exporters4j.export;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.exporters4j.export.ValidationReport.Kind;
import org.exporters4j.export.ValidationReport.OutputCheck;
import org.exporters4j.export.ValidationReport.Verdict;
import org.exporters4j.models.CacheTensor;
import org.exporters4j.onnx.WrittenModel;
import org.exporters4j.tasks.ComponentExport;
import org.exporters4j.tasks.DummyInputs;
import org.exporters4j.tasks.DummyTensor;
import org.exporters4j.tasks.DynamicTensor;
import org.exporters4j.tasks.ExportConfig;
import org.exporters4j.tasks.OnnxFile;

/**
 * The checks of an encoder-decoder split that need more than one file, beyond each file's own run
 * ({@link OnnxRuntimeValidator}):
 *
 * <ol>
 *   <li>the decoder with past against the decoder without it on the same tokens: {@code decoder_model.onnx} on a
 *       prompt gives the cache, {@code decoder_with_past_model.onnx} on the next token over that cache must give
 *       what {@code decoder_model.onnx} gives for that token on the prompt and the token together (the head's output
 *       at the last position, and the self-attention cache of every layer);</li>
 *   <li>the merged decoder on both branches: with {@code use_cache_branch = false} and a dummy past of length 1
 *       (what {@code ORTModelForSeq2SeqLM} feeds) it must equal {@code decoder_model.onnx}; with {@code true} and
 *       the prompt's cache it must equal {@code decoder_with_past_model.onnx}, its cross-attention cache outputs
 *       empty ({@code (0, heads, 1, head_dim)}, as Optimum's {@code merge_decoders} makes them).</li>
 * </ol>
 *
 * The inputs are the decoder's dummy inputs at Optimum's shapes (the encoder mask with padding, random
 * {@code encoder_hidden_states}, random tokens); values are compared within the export's tolerance.
 */
final class Seq2SeqValidator {
    private static final long SEED = 1;

    private Seq2SeqValidator() {}

    /** A tensor of one run: shape and values (floats, or int64 / bool as longs). */
    private record Tensor(long[] shape, float[] floats, long[] longs) {
        static Tensor ofFloats(long[] shape, float[] values) {
            return new Tensor(shape, values, null);
        }

        static Tensor ofLongs(long[] shape, long[] values) {
            return new Tensor(shape, null, values);
        }

        /** Positions {@code start … end − 1} of axis 1. */
        Tensor slice(long start, long end) {
            long outer = shape[0];
            long length = shape[1];
            long inner = 1;
            for (int i = 2; i < shape.length; i++) {
                inner *= shape[i];
            }
            long[] newShape = shape.clone();
            newShape[1] = end - start;
            int count = Math.toIntExact(outer * (end - start) * inner);
            float[] f = floats == null ? null : new float[count];
            long[] l = longs == null ? null : new long[count];
            int at = 0;
            for (long o = 0; o < outer; o++) {
                for (long p = start; p < end; p++) {
                    for (long i = 0; i < inner; i++) {
                        int from = Math.toIntExact((o * length + p) * inner + i);
                        if (f != null) {
                            f[at] = floats[from];
                        } else {
                            l[at] = longs[from];
                        }
                        at++;
                    }
                }
            }
            return new Tensor(newShape, f, l);
        }
    }

    /** The cross-file checks of {@code files}, one report per file checked; none for a single file. */
    static List<ValidationReport> validate(List<ComponentExport> files, Map<OnnxFile, WrittenModel> written,
                                           double atol) {
        return ExportStop.JVM.during(ExportStop.Step.VALIDATION, () -> validateNow(files, written, atol));
    }

    private static List<ValidationReport> validateNow(List<ComponentExport> files, Map<OnnxFile, WrittenModel> written,
                                                      double atol) {
        Optional<ExportConfig> decoder = files.stream().filter(file -> file.file() == OnnxFile.DECODER_MODEL)
                .map(ComponentExport::config).findFirst();
        if (decoder.isEmpty() || !written.containsKey(OnnxFile.DECODER_WITH_PAST_MODEL)) {
            return List.of();
        }
        List<ValidationReport> reports = new ArrayList<>();
        try (ValidationSession first = ValidationSession.open(written.get(OnnxFile.DECODER_MODEL).modelFile());
             ValidationSession step = ValidationSession.open(
                     written.get(OnnxFile.DECODER_WITH_PAST_MODEL).modelFile())) {
            DummyInputs dummy = decoder.get().generateDummyInputs(SEED);
            Map<String, Tensor> full = new LinkedHashMap<>();
            for (DummyTensor tensor : dummy.tensors()) {
                full.put(tensor.name(), of(tensor));
            }
            Tensor ids = full.get("input_ids");
            long tokens = ids.shape()[1];
            Map<String, Tensor> prompt = new LinkedHashMap<>(full);
            prompt.put("input_ids", ids.slice(0, tokens - 1));
            Map<String, Tensor> fullOutputs = run(first, full);
            Map<String, Tensor> promptOutputs = run(first, prompt);
            ExportStop.JVM.checkpoint();
            Map<String, Tensor> next = new LinkedHashMap<>(full);
            next.put("input_ids", ids.slice(tokens - 1, tokens));
            // the prompt's present cache is the step's past (CacheTensor.opposite names it)
            Map<String, CacheTensor> presents = new LinkedHashMap<>();
            for (DynamicTensor output : decoder.get().outputs()) {
                output.cache().ifPresent(cache -> presents.put(output.name(), cache));
            }
            promptOutputs.forEach((name, value) -> {
                if (presents.containsKey(name)) {
                    next.put(presents.get(name).opposite().name(), value);
                }
            });
            Map<String, Tensor> stepOutputs = run(step, next);
            ExportStop.JVM.checkpoint();
            List<OutputCheck> chain = new ArrayList<>();
            String subject = "the next token over the prompt's cache vs decoder_model.onnx on prompt + token";
            for (Map.Entry<String, Tensor> output : stepOutputs.entrySet()) {
                Tensor reference = fullOutputs.get(output.getKey());
                if (reference == null) {
                    chain.add(new OutputCheck(Kind.COMPARISON, subject, output.getKey(), "an output of decoder_model",
                            "-", Double.NaN, atol, Verdict.MISSING_OUTPUT));
                    continue;
                }
                // the head's output: the last position only; the self-attention cache: all of it
                Tensor expected = presents.containsKey(output.getKey()) ? reference
                        : reference.slice(tokens - 1, tokens);
                chain.add(compare(subject, output.getKey(), expected, output.getValue(), atol));
            }
            reports.add(new ValidationReport(written.get(OnnxFile.DECODER_WITH_PAST_MODEL).modelFile().toString(),
                    chain));
            if (written.containsKey(OnnxFile.DECODER_MODEL_MERGED)) {
                try (ValidationSession merged = ValidationSession.open(
                        written.get(OnnxFile.DECODER_MODEL_MERGED).modelFile())) {
                    reports.add(new ValidationReport(written.get(OnnxFile.DECODER_MODEL_MERGED).modelFile().toString(),
                            mergedChecks(merged, full, fullOutputs, next, stepOutputs,
                                    presents.values().stream().map(CacheTensor::opposite).toList(), atol)));
                }
            }
        } catch (OrtException e) {
            throw new ExportException("ONNX Runtime cannot run the exported decoders together: "
                    + ValidationSession.oneLine(e.getMessage()) + " (this is a bug in the exporter for this "
                    + "model type; please report it with the model's config.json)", e);
        }
        return reports;
    }

    private static List<OutputCheck> mergedChecks(ValidationSession merged,
                                                  Map<String, Tensor> full, Map<String, Tensor> fullOutputs,
                                                  Map<String, Tensor> next, Map<String, Tensor> stepOutputs,
                                                  List<CacheTensor> past, double atol) throws OrtException {
        List<OutputCheck> checks = new ArrayList<>();
        // no cache: a dummy past of length 1, never read
        Map<String, Tensor> noCache = new LinkedHashMap<>(full);
        for (CacheTensor cache : past) {
            long[] shape = next.get(cache.name()).shape().clone();
            shape[2] = 1;
            noCache.put(cache.name(), Tensor.ofFloats(shape, new float[Math.toIntExact(count(shape))]));
        }
        noCache.put(OnnxFile.USE_CACHE_BRANCH, Tensor.ofLongs(new long[] {1}, new long[] {0}));
        String noCacheSubject = "use_cache_branch=false vs decoder_model.onnx";
        Map<String, Tensor> noCacheOutputs = run(merged, noCache);
        for (Map.Entry<String, Tensor> output : fullOutputs.entrySet()) {
            Tensor actual = noCacheOutputs.get(output.getKey());
            checks.add(actual == null ? new OutputCheck(Kind.COMPARISON, noCacheSubject, output.getKey(),
                    Arrays.toString(output.getValue().shape()), "-", Double.NaN, atol, Verdict.MISSING_OUTPUT)
                    : compare(noCacheSubject, output.getKey(), output.getValue(), actual, atol));
        }
        ExportStop.JVM.checkpoint();
        Map<String, Tensor> withCache = new LinkedHashMap<>(next);
        withCache.putIfAbsent("encoder_hidden_states", full.get("encoder_hidden_states"));
        withCache.put(OnnxFile.USE_CACHE_BRANCH, Tensor.ofLongs(new long[] {1}, new long[] {1}));
        String withCacheSubject = "use_cache_branch=true vs decoder_with_past_model.onnx";
        Map<String, Tensor> withCacheOutputs = run(merged, withCache);
        for (Map.Entry<String, Tensor> output : withCacheOutputs.entrySet()) {
            Tensor reference = stepOutputs.get(output.getKey());
            if (reference != null) {
                checks.add(compare(withCacheSubject, output.getKey(), reference, output.getValue(), atol));
            } else {
                // the cross-attention cache the step does not return: Optimum's empty constant
                long[] shape = output.getValue().shape();
                boolean empty = shape.length == 4 && shape[0] == 0 && shape[2] == 1;
                checks.add(new OutputCheck(Kind.RUN, withCacheSubject, output.getKey(), "[0, heads, 1, head_dim]",
                        Arrays.toString(shape), Double.NaN, atol, empty ? Verdict.PASSED : Verdict.SHAPE_MISMATCH));
            }
        }
        return checks;
    }

    private static OutputCheck compare(String subject, String name, Tensor expected, Tensor actual, double atol) {
        if (!Arrays.equals(expected.shape(), actual.shape())) {
            return new OutputCheck(Kind.COMPARISON, subject, name, Arrays.toString(expected.shape()),
                    Arrays.toString(actual.shape()), Double.NaN, atol, Verdict.SHAPE_MISMATCH);
        }
        double diff = ValidationSession.Difference.between(expected.floats(), actual.floats()).maxAbsDiff();
        return new OutputCheck(Kind.COMPARISON, subject, name, "within " + atol, Double.toString(diff), diff, atol,
                diff <= atol ? Verdict.PASSED : Verdict.VALUE_MISMATCH);
    }

    /** Runs {@code session} on the inputs it declares (by name, from {@code inputs}); float outputs by name. */
    private static Map<String, Tensor> run(ValidationSession session, Map<String, Tensor> inputs)
            throws OrtException {
        Map<String, OnnxTensor> feed = new LinkedHashMap<>();
        try {
            for (String name : session.inputInfo().keySet()) {
                Tensor tensor = inputs.get(name);
                if (tensor == null) {
                    throw new ExportException("the validation has no value for the decoder input '" + name + "'");
                }
                feed.put(name, tensorOf(session.environment(), name, tensor));
            }
            Map<String, Tensor> outputs = new LinkedHashMap<>();
            session.run(feed).forEach((name, output) -> {
                if (output.float32()) {
                    outputs.put(name, Tensor.ofFloats(output.shape(), output.values()));
                }
            });
            return outputs;
        } finally {
            feed.values().forEach(OnnxTensor::close);
        }
    }

    private static OnnxTensor tensorOf(OrtEnvironment environment, String name, Tensor tensor) throws OrtException {
        if (tensor.floats() != null) {
            return OnnxTensor.createTensor(environment, FloatBuffer.wrap(tensor.floats()), tensor.shape());
        }
        if (name.equals(OnnxFile.USE_CACHE_BRANCH)) {
            boolean[] flags = new boolean[tensor.longs().length];
            for (int i = 0; i < flags.length; i++) {
                flags[i] = tensor.longs()[i] != 0;
            }
            return OnnxTensor.createTensor(environment, flags);
        }
        return OnnxTensor.createTensor(environment, LongBuffer.wrap(tensor.longs()), tensor.shape());
    }

    private static Tensor of(DummyTensor tensor) {
        long[] shape = tensor.shape().stream().mapToLong(Long::longValue).toArray();
        ByteBuffer data = tensor.data().duplicate().order(ByteOrder.LITTLE_ENDIAN);
        int count = Math.toIntExact(tensor.elementCount());
        return switch (tensor.elementType()) {
            case FLOAT -> {
                float[] values = new float[count];
                data.asFloatBuffer().get(values);
                yield Tensor.ofFloats(shape, values);
            }
            case INT64 -> {
                long[] values = new long[count];
                data.asLongBuffer().get(values);
                yield Tensor.ofLongs(shape, values);
            }
            default -> throw new ExportException("the decoder's dummy input '" + tensor.name() + "' is "
                    + tensor.elementType().onnxName() + ", which the validation does not feed yet");
        };
    }

    private static long count(long[] shape) {
        long count = 1;
        for (long size : shape) {
            count *= size;
        }
        return count;
    }
}
