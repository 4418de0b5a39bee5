package org.exporters4j.export;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.TensorInfo;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.exporters4j.export.ValidationReport.Kind;
import org.exporters4j.export.ValidationReport.OutputCheck;
import org.exporters4j.export.ValidationReport.Verdict;
import org.exporters4j.export.ValidationSession.Difference;
import org.exporters4j.export.ValidationSession.Output;
import org.exporters4j.onnx.Dim;
import org.exporters4j.onnx.OnnxModel;
import org.exporters4j.onnx.TensorSpec;
import org.exporters4j.tasks.Axis;
import org.exporters4j.tasks.Dimension;
import org.exporters4j.tasks.DummyInputs;
import org.exporters4j.tasks.DummyShapes;
import org.exporters4j.tasks.DummyTensor;
import org.exporters4j.tasks.DynamicTensor;
import org.exporters4j.tasks.ExportConfig;

/**
 * Runs a written model in ONNX Runtime and checks it against its export configuration, collecting every failure
 * (as Optimum v1.5.2's {@code validate_model_outputs} collects shape and value failures before it raises):
 *
 * <ol>
 *   <li>the graph's input and output names, order and dynamic axes are the export configuration's;</li>
 *   <li>on the configuration's dummy inputs at Optimum's shapes (batch 2, sequence 16, 4 choices), every output
 *       exists, has the shape the inputs imply and holds only finite values. One rule sizes every axis: the
 *       configuration types each axis ({@link Axis}), the inputs' axes bound to a {@link Dimension} set its size,
 *       and every axis whose size that determines (bound, summed, fixed) must have it, inputs and outputs alike;
 *       an axis the configuration does not type has the size the model file declares, if any. Labels are
 *       compared with the file's names in step 1 and read for nothing else;</li>
 *   <li>the first example of that batch run alone gives the same outputs as its row of the batch, within the
 *       tolerance (Optimum compares with the PyTorch model here; without PyTorch, this proves that padding, masks
 *       and batching do not leak between examples); an output that pairs examples, such as CLIP's
 *       {@code logits_per_image [images, texts]}, is compared on its leading corner (the first image with the first
 *       text);</li>
 *   <li>another (batch, sequence) pair (3, 9, with 3 choices) runs with the right shapes and finite values,
 *       proving the dynamic axes.</li>
 * </ol>
 */
final class OnnxRuntimeValidator {
    /** The second input set: another batch size, sequence length and choice count than Optimum's. */
    static final DummyShapes OTHER_SHAPES = DummyShapes.OPTIMUM_DEFAULTS.withBatchSize(3).withSequenceLength(9)
            .withNumChoices(3);
    static final long SEED = 0;

    private OnnxRuntimeValidator() {}

    /**
     * Validates as an {@link ExportStop} step: a stop (SIGTERM, Ctrl-C) requested meanwhile waits for ONNX Runtime's
     * call under way (the session creation or a run), then this throws {@link ExportInterruptedException} after
     * closing the session. ONNX Runtime's own shutdown hook frees its environment, so the JVM must not exit while a
     * thread is inside it.
     */
    static ValidationReport validate(Path modelFile, String displayName, ExportConfig exportConfig, double atol) {
        return validate(modelFile, displayName, exportConfig, atol, Optional.empty());
    }

    /**
     * As {@link #validate(Path, String, ExportConfig, double)}, knowing the graph written: where ONNX Runtime's
     * shape inference reports a fixed size on an axis the file declares by name (a Whisper encoder's output over
     * fixed frames, as in Optimum 1.25.3's own file), the file's name is the one compared.
     */
    static ValidationReport validate(Path modelFile, String displayName, ExportConfig exportConfig, double atol,
                                     Optional<OnnxModel> written) {
        return validate(modelFile, displayName, exportConfig, atol, written, ValueCheck.FIRST_EXAMPLE_ALONE);
    }

    /** Which comparison of values a validation makes besides the runs' interface, shapes and finiteness. */
    enum ValueCheck {
        /** The first example alone against its row of the batch, within the tolerance (a float export). */
        FIRST_EXAMPLE_ALONE,
        /**
         * None here: weights rounded to 8 or 4 bits (and int8 activations quantized over the whole batch) cannot
         * hold a float tolerance; the export is compared with its float32 graph instead ({@link QuantizedAgreement}).
         */
        AGAINST_FLOAT32_GRAPH
    }

    /** As {@link #validate(Path, String, ExportConfig, double, Optional)}, comparing values as {@code valueCheck} asks. */
    static ValidationReport validate(Path modelFile, String displayName, ExportConfig exportConfig, double atol,
                                     Optional<OnnxModel> written, ValueCheck valueCheck) {
        return ExportStop.JVM.during(ExportStop.Step.VALIDATION,
                () -> validateNow(modelFile, displayName, exportConfig, atol, written, valueCheck));
    }

    private static ValidationReport validateNow(Path modelFile, String displayName, ExportConfig exportConfig,
                                                double atol, Optional<OnnxModel> written, ValueCheck valueCheck) {
        List<OutputCheck> checks = new ArrayList<>();
        try (ValidationSession session = ValidationSession.open(modelFile)) {
            ExportStop.JVM.checkpoint();
            checkInterface(session, exportConfig, atol, written, checks);
            DummyInputs inputs = exportConfig.generateDummyInputs(DummyShapes.OPTIMUM_DEFAULTS, SEED);
            Map<String, Output> batch = run(session, exportConfig, inputs, atol, checks);
            ExportStop.JVM.checkpoint();
            Optional<DummyInputs> first = valueCheck == ValueCheck.FIRST_EXAMPLE_ALONE
                    ? firstExample(exportConfig, inputs) : Optional.empty();
            if (first.isPresent()) {
                Map<String, Output> alone = run(session, exportConfig, first.get(), atol, checks);
                ExportStop.JVM.checkpoint();
                compareFirstRow(exportConfig, batch, alone, atol, checks);
            }
            run(session, exportConfig, exportConfig.generateDummyInputs(OTHER_SHAPES, SEED), atol, checks);
        } catch (OrtException e) {
            throw new ExportException("ONNX Runtime cannot run the exported model " + modelFile + ": "
                    + ValidationSession.oneLine(e.getMessage()) + " (this is a bug in the exporter for this model "
                    + "type; please report it with the model's config.json)", e);
        }
        return new ValidationReport(displayName, checks);
    }

    /**
     * The exported graph against the plain form of the same weights ({@code plainFile}, built in the same process),
     * on the validation's two input sets: every float output within {@code atol}, one comparison check each, named
     * {@code "<form> vs. plain graph (sizes)"}. A stop requested meanwhile is handled as in {@link #validate}.
     */
    static List<OutputCheck> compareWithPlain(Path modelFile, Path plainFile, String form, ExportConfig exportConfig,
                                              double atol) {
        return ValidationSession.compare(modelFile, plainFile, exportConfig, "the exported model " + modelFile
                + " or its plain reference " + plainFile, " (this is a bug in the exporter for this model type; please "
                + "report it with the model's config.json, or export without the form options)",
                (inputs, name, reference, given) -> given.map(mine -> {
                    String label = form + " vs. plain graph (" + label(exportConfig, inputs) + ")";
                    if (!Arrays.equals(mine.shape(), reference.shape())) {
                        return new OutputCheck(Kind.COMPARISON, label, name, Arrays.toString(reference.shape()),
                                Arrays.toString(mine.shape()), Double.NaN, atol, Verdict.SHAPE_MISMATCH);
                    }
                    double maxDiff = Difference.between(reference.values(), mine.values()).maxAbsDiff();
                    return new OutputCheck(Kind.COMPARISON, label, name, mine.values().length + " values",
                            mine.values().length + " values", maxDiff, atol,
                            maxDiff <= atol ? Verdict.PASSED : Verdict.VALUE_MISMATCH);
                })); // a missing output is the run checks' finding
    }

    /** Names, order and dynamic axis names of the graph against the export configuration. */
    private static void checkInterface(ValidationSession session, ExportConfig exportConfig, double atol,
                                       Optional<OnnxModel> written, List<OutputCheck> checks) throws OrtException {
        compareInterface("inputs", session.inputInfo(), exportConfig.inputs(), atol,
                written.map(OnnxModel::inputs).orElse(List.of()), checks);
        compareInterface("outputs", session.outputInfo(), exportConfig.outputs(), atol,
                written.map(OnnxModel::outputs).orElse(List.of()), checks);
    }

    private static void compareInterface(String side, Map<String, NodeInfo> actual, List<DynamicTensor> expected,
                                         double atol, List<TensorSpec> declaredSpecs, List<OutputCheck> checks) {
        List<String> expectedNames = expected.stream().map(DynamicTensor::name).toList();
        List<String> actualNames = List.copyOf(actual.keySet());
        boolean sameNames = expectedNames.equals(actualNames);
        checks.add(new OutputCheck(Kind.INTERFACE, "graph", side, expectedNames.toString(), actualNames.toString(),
                Double.NaN, atol, sameNames ? Verdict.PASSED : Verdict.INTERFACE_MISMATCH));
        for (DynamicTensor tensor : expected) {
            NodeInfo info = actual.get(tensor.name());
            if (info == null || !(info.getInfo() instanceof TensorInfo tensorInfo)) {
                continue;
            }
            String[] names = tensorInfo.getDimensionNames();
            Map<Integer, String> declared = new java.util.TreeMap<>();
            for (int index = 0; index < names.length; index++) {
                if (names[index] != null && !names[index].isEmpty()) {
                    declared.put(index, names[index]);
                } else if (tensorInfo.getShape()[index] >= 0) {
                    // a fixed size where the file may declare a name: ONNX Runtime's inference replaced it
                    int at = index;
                    declaredSpecs.stream().filter(spec -> spec.name().equals(tensor.name())).findFirst()
                            .map(spec -> spec.shape().dims())
                            .filter(dims -> at < dims.size() && dims.get(at) instanceof Dim.Symbolic)
                            .ifPresent(dims -> declared.put(at, ((Dim.Symbolic) dims.get(at)).name()));
                }
            }
            Map<Integer, String> wanted = new java.util.TreeMap<>(tensor.dynamicAxes());
            checks.add(new OutputCheck(Kind.INTERFACE, tensor.name(), "dynamic axes", wanted.toString(),
                    declared.toString(), Double.NaN, atol,
                    declared.equals(wanted) ? Verdict.PASSED : Verdict.INTERFACE_MISMATCH));
        }
    }

    /**
     * Runs one input set; checks every input's typed axes against the sizes the inputs set, and every configured
     * output's presence, shape and finiteness.
     */
    private static Map<String, Output> run(ValidationSession session, ExportConfig exportConfig,
                                           DummyInputs inputs, double atol, List<OutputCheck> checks)
            throws OrtException {
        String label = label(exportConfig, inputs);
        Map<Dimension, Long> dimensions = dimensions(exportConfig, inputs);
        checkInputs(exportConfig, inputs, dimensions, label, atol, checks);
        Map<String, Output> outputs = session.run(exportConfig, inputs);
        for (DynamicTensor output : exportConfig.outputs()) {
            NodeInfo declared = session.outputInfo().get(output.name());
            String expected = expectedShape(declared, output, dimensions);
            Output value = outputs.get(output.name());
            if (value == null) {
                checks.add(new OutputCheck(Kind.RUN, label, output.name(), expected, "-", Double.NaN, atol,
                        Verdict.MISSING_OUTPUT));
                continue;
            }
            Verdict verdict;
            if (!shapeMatches(declared, output, dimensions, value.shape())) {
                verdict = Verdict.SHAPE_MISMATCH;
            } else if (!allFinite(value.values())) {
                verdict = Verdict.NOT_FINITE;
            } else {
                verdict = Verdict.PASSED;
            }
            checks.add(new OutputCheck(Kind.RUN, label, output.name(), expected, Arrays.toString(value.shape()),
                    Double.NaN, atol, verdict));
        }
        return outputs;
    }

    /**
     * The first example of the batch alone, when every input has the batch on axis 0 (BLOOM's cache has batch ×
     * heads there, under Optimum's {@code batch_size} label: no single example can be cut from it).
     */
    private static Optional<DummyInputs> firstExample(ExportConfig exportConfig, DummyInputs inputs) {
        List<DummyTensor> tensors = new ArrayList<>();
        for (DummyTensor tensor : inputs.tensors()) {
            Optional<DynamicTensor> config = exportConfig.input(tensor.name());
            if (config.isEmpty() || !isBatch(config.get(), 0) || tensor.shape().isEmpty()) {
                return Optional.empty();
            }
            long batch = tensor.shape().get(0);
            if (batch < 2) {
                return Optional.empty();
            }
            ByteBuffer data = tensor.data();
            int rowBytes = Math.toIntExact(data.remaining() / batch);
            ByteBuffer row = data.slice(0, rowBytes).order(ByteOrder.LITTLE_ENDIAN);
            List<Long> shape = new ArrayList<>(tensor.shape());
            shape.set(0, 1L);
            tensors.add(new DummyTensor(tensor.name(), tensor.elementType(), shape, row));
        }
        return Optional.of(new DummyInputs(tensors));
    }

    private static void compareFirstRow(ExportConfig exportConfig, Map<String, Output> batch,
                                        Map<String, Output> alone, double atol, List<OutputCheck> checks) {
        for (DynamicTensor output : exportConfig.outputs()) {
            Output all = batch.get(output.name());
            Output first = alone.get(output.name());
            if (all == null || first == null || !isBatch(output, 0)) {
                continue;
            }
            String label = "first example alone vs. its row of the batch";
            Optional<float[]> corner = leadingCorner(all, first.shape());
            if (corner.isEmpty()) {
                checks.add(new OutputCheck(Kind.COMPARISON, label, output.name(), Arrays.toString(first.shape())
                        + " within " + Arrays.toString(all.shape()), Arrays.toString(first.shape()), Double.NaN,
                        atol, Verdict.SHAPE_MISMATCH));
                continue;
            }
            float[] expected = corner.get();
            double maxDiff = Difference.between(expected, first.values()).maxAbsDiff();
            boolean close = maxDiff <= atol;
            checks.add(new OutputCheck(Kind.COMPARISON, label, output.name(), expected.length + " values",
                    first.values().length + " values", maxDiff, atol, close ? Verdict.PASSED : Verdict.VALUE_MISMATCH));
        }
    }

    /**
     * The block of {@code all} at index 0 of every axis with the extents of {@code shape}: the first example's row
     * of a batched output ({@code [1, …]} of {@code [batch, …]}), or the first-with-first corner of an output that
     * pairs examples ({@code [1, 1]} of {@code [batch, batch]}). Empty when {@code shape} does not fit inside.
     */
    private static Optional<float[]> leadingCorner(Output all, long[] shape) {
        long[] outer = all.shape();
        if (outer.length != shape.length) {
            return Optional.empty();
        }
        long count = 1;
        for (int axis = 0; axis < shape.length; axis++) {
            if (shape[axis] > outer[axis]) {
                return Optional.empty();
            }
            count *= shape[axis];
        }
        float[] corner = new float[Math.toIntExact(count)];
        long[] index = new long[shape.length];
        for (int i = 0; i < corner.length; i++) {
            long offset = 0;
            for (int axis = 0; axis < shape.length; axis++) {
                offset = offset * outer[axis] + index[axis];
            }
            corner[i] = all.values()[Math.toIntExact(offset)];
            for (int axis = shape.length - 1; axis >= 0; axis--) {
                if (++index[axis] < shape[axis]) {
                    break;
                }
                index[axis] = 0;
            }
        }
        return Optional.of(corner);
    }

    /** Whether axis {@code index} of {@code tensor} is the batch. */
    private static boolean isBatch(DynamicTensor tensor, int index) {
        Axis axis = tensor.axes().get(index);
        return axis != null && axis.sets().equals(Optional.of(Dimension.BATCH));
    }

    /**
     * The sizes the inputs set: each input axis bound to a dimension sets it to that axis's size in this run. Where
     * two inputs give one dimension different sizes the first is kept, and {@link #checkInputs} reports the other.
     */
    private static Map<Dimension, Long> dimensions(ExportConfig exportConfig, DummyInputs inputs) {
        Map<Dimension, Long> sizes = new EnumMap<>(Dimension.class);
        for (DummyTensor tensor : inputs.tensors()) {
            exportConfig.input(tensor.name()).ifPresent(config -> config.axes().forEach((index, axis) -> {
                if (index < tensor.shape().size()) {
                    axis.sets().ifPresent(dimension -> sizes.putIfAbsent(dimension, tensor.shape().get(index)));
                }
            }));
        }
        return sizes;
    }

    /** Every input axis whose size the inputs determine has it (dummy inputs and their declaration agree). */
    private static void checkInputs(ExportConfig exportConfig, DummyInputs inputs, Map<Dimension, Long> dimensions,
                                    String label, double atol, List<OutputCheck> checks) {
        for (DummyTensor tensor : inputs.tensors()) {
            Optional<DynamicTensor> config = exportConfig.input(tensor.name());
            if (config.isEmpty()) {
                continue;
            }
            long[] actual = tensor.shape().stream().mapToLong(Long::longValue).toArray();
            List<String> expected = new ArrayList<>();
            boolean matches = true;
            for (int index = 0; index < actual.length; index++) {
                Optional<Long> size = Optional.ofNullable(config.get().axes().get(index))
                        .flatMap(axis -> axis.expected(dimensions));
                expected.add(size.map(String::valueOf).orElse("?"));
                matches &= size.isEmpty() || size.get() == actual[index];
            }
            matches &= config.get().axes().isEmpty() || config.get().axes().lastKey() < actual.length;
            if (!matches) {
                checks.add(new OutputCheck(Kind.RUN, label, "input " + tensor.name(), expected.toString(),
                        Arrays.toString(actual), Double.NaN, atol, Verdict.SHAPE_MISMATCH));
            }
        }
    }

    /** The run's sizes for the report, under the inputs' labels, e.g. {@code batch_size=2, sequence_length=16}. */
    static String label(ExportConfig exportConfig, DummyInputs inputs) {
        Map<String, Long> sizes = new LinkedHashMap<>();
        for (DummyTensor tensor : inputs.tensors()) {
            exportConfig.input(tensor.name()).ifPresent(config -> config.axes().forEach((index, axis) -> {
                if (index < tensor.shape().size() && axis.sets().isPresent() && axis.label().isPresent()) {
                    sizes.putIfAbsent(axis.label().get(), tensor.shape().get(index));
                }
            }));
        }
        return sizes.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(", "));
    }

    /** The size axis {@code index} of an output must have: its typed axis's, else the model file's fixed size. */
    private static Optional<Long> expectedSize(DynamicTensor output, long[] declaredShape, int index,
                                               Map<Dimension, Long> dimensions) {
        Axis axis = output.axes().get(index);
        if (axis != null) {
            return axis.expected(dimensions);
        }
        return declaredShape[index] >= 0 ? Optional.of(declaredShape[index]) : Optional.empty();
    }

    /** The shape an output must have ({@code ?} where nothing determines a size). */
    private static String expectedShape(NodeInfo declared, DynamicTensor output, Map<Dimension, Long> dimensions) {
        if (declared == null || !(declared.getInfo() instanceof TensorInfo info)) {
            return "?";
        }
        long[] shape = info.getShape();
        List<String> dims = new ArrayList<>();
        for (int i = 0; i < shape.length; i++) {
            dims.add(expectedSize(output, shape, i, dimensions).map(String::valueOf).orElse("?"));
        }
        return dims.toString();
    }

    /**
     * Whether {@code actual} has the model file's rank and, on every axis whose size is determined
     * ({@link #expectedSize}), that size. The batch is an axis like any other: bound to the inputs' batch, exactly.
     */
    private static boolean shapeMatches(NodeInfo declared, DynamicTensor output, Map<Dimension, Long> dimensions,
                                        long[] actual) {
        if (declared == null || !(declared.getInfo() instanceof TensorInfo info)) {
            return false;
        }
        long[] shape = info.getShape();
        if (shape.length != actual.length) {
            return false;
        }
        for (int i = 0; i < shape.length; i++) {
            Optional<Long> expected = expectedSize(output, shape, i, dimensions);
            if (expected.isPresent() && expected.get() != actual[i]) {
                return false;
            }
        }
        return true;
    }

    private static boolean allFinite(float[] values) {
        for (float value : values) {
            if (!Float.isFinite(value)) {
                return false;
            }
        }
        return true;
    }
}
