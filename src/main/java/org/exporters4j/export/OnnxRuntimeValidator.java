package org.exporters4j.export;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.exporters4j.export.ValidationReport.Kind;
import org.exporters4j.export.ValidationReport.OutputCheck;
import org.exporters4j.export.ValidationReport.Verdict;
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
 *       exists, has the shape the inputs imply and holds only finite values; an output axis named after an input
 *       axis has that axis's size, or exceeds it by the same number in every run, or keeps one size in every run
 *       (Optimum's interfaces use input axis names as labels: LayoutLMv3's output {@code sequence_length} also
 *       counts the image's tokens, Perceiver's masked-lm logits always have {@code max_position_embeddings});</li>
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
    /** Input axes whose names an output may reuse without having their size. */
    private static final Set<String> IMAGE_AXES = Set.of("height", "width");

    /** The second input set: another batch size, sequence length and choice count than Optimum's. */
    static final DummyShapes OTHER_SHAPES = DummyShapes.OPTIMUM_DEFAULTS.withBatchSize(3).withSequenceLength(9)
            .withNumChoices(3);
    private static final long SEED = 0;
    private static final String BATCH = "batch_size";
    /** What joins the parts of a sum-form axis name ({@code past_sequence_length + sequence_length}). */
    private static final String SUM = " + ";

    private OnnxRuntimeValidator() {}

    static ValidationReport validate(Path modelFile, String displayName, ExportConfig exportConfig, double atol) {
        List<OutputCheck> checks = new ArrayList<>();
        OrtEnvironment environment = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions options = validationOptions();
             OrtSession session = environment.createSession(modelFile.toString(), options)) {
            checkInterface(session, exportConfig, atol, checks);
            Map<String, AxisSizes> offsets = new HashMap<>();
            DummyInputs inputs = exportConfig.generateDummyInputs(DummyShapes.OPTIMUM_DEFAULTS, SEED);
            Map<String, RunOutput> batch = run(environment, session, exportConfig, inputs, offsets, atol, checks);
            Optional<DummyInputs> first = firstExample(exportConfig, inputs);
            if (first.isPresent()) {
                Map<String, RunOutput> alone = run(environment, session, exportConfig, first.get(), offsets, atol, checks);
                compareFirstRow(exportConfig, batch, alone, atol, checks);
            }
            run(environment, session, exportConfig, exportConfig.generateDummyInputs(OTHER_SHAPES, SEED), offsets,
                    atol, checks);
        } catch (OrtException e) {
            throw new ExportException("ONNX Runtime cannot run the exported model " + modelFile + ": "
                    + oneLine(e.getMessage()) + " (this is a bug in the exporter for this model type; please report "
                    + "it with the model's config.json)", e);
        }
        return new ValidationReport(displayName, checks);
    }

    /**
     * A session for a few small runs: no pre-packed copies of the weights (ONNX Runtime otherwise keeps a second,
     * re-laid-out copy of every Gemm/MatMul weight, doubling the memory of a large model for no gain here) and no
     * memory-pattern planning.
     */
    private static OrtSession.SessionOptions validationOptions() throws OrtException {
        OrtSession.SessionOptions options = new OrtSession.SessionOptions();
        try {
            options.addConfigEntry("session.disable_prepacking", "1");
            options.setMemoryPatternOptimization(false);
            return options;
        } catch (OrtException | RuntimeException e) {
            options.close();
            throw e;
        }
    }

    /** Names, order and dynamic axis names of the graph against the export configuration. */
    private static void checkInterface(OrtSession session, ExportConfig exportConfig, double atol,
                                       List<OutputCheck> checks) throws OrtException {
        compareInterface("inputs", session.getInputInfo(), exportConfig.inputs(), atol, checks);
        compareInterface("outputs", session.getOutputInfo(), exportConfig.outputs(), atol, checks);
    }

    private static void compareInterface(String side, Map<String, NodeInfo> actual, List<DynamicTensor> expected,
                                         double atol, List<OutputCheck> checks) {
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
                }
            }
            Map<Integer, String> wanted = new java.util.TreeMap<>(tensor.dynamicAxes());
            checks.add(new OutputCheck(Kind.INTERFACE, tensor.name(), "dynamic axes", wanted.toString(),
                    declared.toString(), Double.NaN, atol,
                    declared.equals(wanted) ? Verdict.PASSED : Verdict.INTERFACE_MISMATCH));
        }
    }

    /** A float output of one run: its shape and values (row-major). */
    private record RunOutput(long[] shape, float[] values) {}

    /**
     * Runs one input set; checks every configured output's presence, shape and finiteness. {@code offsets} holds, per
     * output axis named after an input axis, the sizes it had in earlier runs.
     */
    private static Map<String, RunOutput> run(OrtEnvironment environment, OrtSession session, ExportConfig exportConfig,
                                            DummyInputs inputs, Map<String, AxisSizes> offsets, double atol,
                                            List<OutputCheck> checks)
            throws OrtException {
        String label = label(exportConfig, inputs);
        Map<String, Long> axisSizes = axisSizes(exportConfig, inputs);
        // Optimum v1.5.2 names semantic-segmentation logits' axes height and width, as the input's, although a
        // model may predict at another resolution (SegFormer: a quarter); those names do not bind output sizes
        axisSizes.keySet().removeAll(IMAGE_AXES);
        Map<String, RunOutput> values = new LinkedHashMap<>();
        Map<String, OnnxTensor> feed = new LinkedHashMap<>();
        try {
            for (DummyTensor tensor : inputs.tensors()) {
                if (session.getInputInfo().containsKey(tensor.name())) {
                    feed.put(tensor.name(), tensorOf(environment, tensor));
                }
            }
            try (OrtSession.Result result = session.run(feed)) {
                for (DynamicTensor output : exportConfig.outputs()) {
                    Optional<OnnxValue> value = result.get(output.name());
                    NodeInfo declared = session.getOutputInfo().get(output.name());
                    String expected = expectedShape(declared, axisSizes);
                    if (value.isEmpty() || !(value.get() instanceof OnnxTensor tensor)) {
                        checks.add(new OutputCheck(Kind.RUN, label, output.name(), expected, "-", Double.NaN, atol,
                                Verdict.MISSING_OUTPUT));
                        continue;
                    }
                    long[] shape = tensor.getInfo().getShape();
                    String actual = Arrays.toString(shape);
                    float[] data = floats(tensor);
                    values.put(output.name(), new RunOutput(shape, data));
                    Verdict verdict;
                    if (!shapeMatches(output.name(), declared, axisSizes, shape, offsets)) {
                        verdict = Verdict.SHAPE_MISMATCH;
                    } else if (!allFinite(data)) {
                        verdict = Verdict.NOT_FINITE;
                    } else {
                        verdict = Verdict.PASSED;
                    }
                    checks.add(new OutputCheck(Kind.RUN, label, output.name(), expected, actual, Double.NaN, atol, verdict));
                }
            }
        } finally {
            for (OnnxTensor tensor : feed.values()) {
                tensor.close();
            }
        }
        return values;
    }

    /**
     * The first example of the batch alone, when every input has the batch on axis 0 and the inputs agree on its size
     * (BLOOM's cache calls its batch × heads axis {@code batch_size} too: no single example can be cut from it).
     */
    private static Optional<DummyInputs> firstExample(ExportConfig exportConfig, DummyInputs inputs) {
        if (!axisSizes(exportConfig, inputs).containsKey("batch_size")) {
            return Optional.empty();
        }
        List<DummyTensor> tensors = new ArrayList<>();
        for (DummyTensor tensor : inputs.tensors()) {
            Optional<DynamicTensor> config = exportConfig.input(tensor.name());
            if (config.isEmpty() || !"batch_size".equals(config.get().dynamicAxes().get(0)) || tensor.shape().isEmpty()) {
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

    private static void compareFirstRow(ExportConfig exportConfig, Map<String, RunOutput> batch,
                                        Map<String, RunOutput> alone, double atol, List<OutputCheck> checks) {
        for (DynamicTensor output : exportConfig.outputs()) {
            RunOutput all = batch.get(output.name());
            RunOutput first = alone.get(output.name());
            if (all == null || first == null || !"batch_size".equals(output.dynamicAxes().get(0))) {
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
            double maxDiff = 0;
            for (int i = 0; i < expected.length; i++) {
                maxDiff = Math.max(maxDiff, Math.abs((double) expected[i] - first.values()[i]));
            }
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
    private static Optional<float[]> leadingCorner(RunOutput all, long[] shape) {
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

    /**
     * Axis name → size, from the configuration's input axes and the inputs' shapes. The names are the interface;
     * the sizes come from the graph, so two kinds of name bind nothing from an input: a sum-form name such as
     * {@code past_sequence_length + sequence_length} states a size computed from its parts (Optimum v1.5.2 gives
     * it to the past of decoder caches too, which is shorter than the present named alike) and is bound to the sum
     * of its parts where the inputs bind every part; and a name the inputs give two different sizes (BLOOM's
     * batch × heads cache axis is named {@code batch_size}) constrains nothing.
     */
    private static Map<String, Long> axisSizes(ExportConfig exportConfig, DummyInputs inputs) {
        Map<String, Long> sizes = new HashMap<>();
        Set<String> ambiguous = new HashSet<>();
        for (DummyTensor tensor : inputs.tensors()) {
            exportConfig.input(tensor.name()).ifPresent(config -> config.dynamicAxes().forEach((index, axis) -> {
                if (index < tensor.shape().size() && !axis.contains(SUM)) {
                    Long previous = sizes.putIfAbsent(axis, tensor.shape().get(index));
                    if (previous != null && !previous.equals(tensor.shape().get(index))) {
                        ambiguous.add(axis);
                    }
                }
            }));
        }
        sizes.keySet().removeAll(ambiguous);
        Map<String, Long> sums = new HashMap<>();
        for (List<DynamicTensor> side : List.of(exportConfig.inputs(), exportConfig.outputs())) {
            for (DynamicTensor tensor : side) {
                for (String axis : tensor.dynamicAxes().values()) {
                    if (axis.contains(SUM)) {
                        sumOf(axis, sizes).ifPresent(total -> sums.put(axis, total));
                    }
                }
            }
        }
        sizes.putAll(sums);
        return sizes;
    }

    /** The size of {@code a + b + …} when every part is bound. */
    private static Optional<Long> sumOf(String axis, Map<String, Long> sizes) {
        long total = 0;
        for (String part : axis.split(" \\+ ")) {
            Long size = sizes.get(part.strip());
            if (size == null) {
                return Optional.empty();
            }
            total += size;
        }
        return Optional.of(total);
    }

    private static String label(ExportConfig exportConfig, DummyInputs inputs) {
        Map<String, Long> sizes = new LinkedHashMap<>();
        for (DummyTensor tensor : inputs.tensors()) {
            exportConfig.input(tensor.name()).ifPresent(config -> config.dynamicAxes().forEach((index, axis) -> {
                if (index < tensor.shape().size() && !axis.contains(SUM)) {
                    sizes.putIfAbsent(axis, tensor.shape().get(index));
                }
            }));
        }
        return sizes.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(", "));
    }

    /** The shape the model declares, with named axes bound to the inputs' sizes ({@code ?} where unconstrained). */
    private static String expectedShape(NodeInfo declared, Map<String, Long> axisSizes) {
        if (declared == null || !(declared.getInfo() instanceof TensorInfo info)) {
            return "?";
        }
        long[] shape = info.getShape();
        String[] names = info.getDimensionNames();
        List<String> dims = new ArrayList<>();
        for (int i = 0; i < shape.length; i++) {
            Long bound = names[i] != null && !names[i].isEmpty() ? axisSizes.get(names[i]) : null;
            dims.add(bound != null ? bound.toString() : shape[i] >= 0 ? Long.toString(shape[i]) : "?");
        }
        return dims.toString();
    }

    /**
     * The sizes of one output axis named after an input axis, over the runs so far: whether every run's size was
     * the input axis's size plus one constant, and whether it was one constant size.
     */
    private record AxisSizes(long firstInput, long firstActual, boolean followsInput, boolean fixed) {
        static AxisSizes first(long input, long actual) {
            return new AxisSizes(input, actual, actual >= input, true);
        }

        AxisSizes next(long input, long actual) {
            return new AxisSizes(firstInput, firstActual,
                    followsInput && actual - input == firstActual - firstInput, fixed && actual == firstActual);
        }

        boolean consistent() {
            return followsInput || fixed;
        }
    }

    /**
     * Whether {@code actual} has the declared fixed sizes, the inputs' batch size on a {@code batch_size} axis, and on
     * each other axis named after an input axis a size consistent with the earlier runs recorded in {@code axes} (see
     * {@link AxisSizes}): Optimum names some outputs' axes after an input's though the model adds to them
     * (LayoutLMv3's text plus image tokens are "sequence_length") or fixes them (Perceiver's latent positions).
     */
    private static boolean shapeMatches(String output, NodeInfo declared, Map<String, Long> axisSizes, long[] actual,
                                        Map<String, AxisSizes> axes) {
        if (declared == null || !(declared.getInfo() instanceof TensorInfo info)) {
            return false;
        }
        long[] shape = info.getShape();
        String[] names = info.getDimensionNames();
        if (shape.length != actual.length) {
            return false;
        }
        boolean matches = true;
        for (int i = 0; i < shape.length; i++) {
            Long bound = names[i] != null && !names[i].isEmpty() ? axisSizes.get(names[i]) : null;
            if (bound != null && BATCH.equals(names[i])) {
                // the batch is never re-sized by a model: an output's batch axis equals the inputs' exactly
                matches &= actual[i] == bound;
            } else if (bound != null) {
                long input = bound;
                long size = actual[i];
                AxisSizes sizes = axes.merge(output + "/" + i, AxisSizes.first(input, size),
                        (previous, ignored) -> previous.next(input, size));
                matches &= sizes.consistent();
            } else if (shape[i] >= 0 && shape[i] != actual[i]) {
                matches = false;
            }
        }
        return matches;
    }

    private static OnnxTensor tensorOf(OrtEnvironment environment, DummyTensor tensor) throws OrtException {
        long[] shape = tensor.shape().stream().mapToLong(Long::longValue).toArray();
        ByteBuffer direct = ByteBuffer.allocateDirect(tensor.data().remaining()).order(ByteOrder.nativeOrder());
        ByteBuffer source = tensor.data();
        switch (tensor.elementType()) {
            case INT64 -> {
                while (source.hasRemaining()) {
                    direct.putLong(source.getLong());
                }
                direct.flip();
                return OnnxTensor.createTensor(environment, direct.asLongBuffer(), shape);
            }
            case FLOAT -> {
                while (source.hasRemaining()) {
                    direct.putFloat(source.getFloat());
                }
                direct.flip();
                return OnnxTensor.createTensor(environment, direct.asFloatBuffer(), shape);
            }
            default -> throw new ExportException("dummy input '" + tensor.name() + "' is "
                    + tensor.elementType().onnxName() + ", which the validator does not feed yet");
        }
    }

    private static float[] floats(OnnxTensor tensor) {
        if (tensor.getInfo().type != OnnxJavaType.FLOAT) {
            return new float[0];
        }
        FloatBuffer buffer = tensor.getFloatBuffer();
        float[] values = new float[buffer.remaining()];
        buffer.get(values);
        return values;
    }

    private static boolean allFinite(float[] values) {
        for (float value : values) {
            if (!Float.isFinite(value)) {
                return false;
            }
        }
        return true;
    }

    private static String oneLine(String message) {
        return message == null ? "" : message.replaceAll("\\s+", " ").strip();
    }
}
