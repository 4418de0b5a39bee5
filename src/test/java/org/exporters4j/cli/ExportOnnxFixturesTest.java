package org.exporters4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.exporters4j.tasks.ModelTypes;
import org.exporters4j.models.Fixture;
import org.exporters4j.models.OnnxRuntimeRun;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * The issues' acceptance test: every fixture of every model type with an architecture (the encoders of issue 4, the
 * decoders of issue 5) exports through the CLI from its checkpoint folder — once with only model.safetensors (task
 * {@code auto}, inferred from config.json, or the {@code -with-past} task named) and once with only
 * pytorch_model.bin (the fixture's task named) — with validation on; the written model's input and output names,
 * order and dynamic axes are exactly Optimum's (the manifest), and its ONNX Runtime outputs on the fixture's inputs (a with-past fixture's cache
 * included) equal PyTorch's within 1e-5.
 */
class ExportOnnxFixturesTest {
    /** Every model type with a graph builder: a new architecture row is covered by this test as soon as it lands. */
    private static final List<String> FAMILY = ModelTypes.builtModelTypes();
    static final double TOLERANCE = 1e-5;

    @TempDir
    Path folder;

    @TestFactory
    Stream<DynamicTest> everyFixtureExportsFromEitherWeightsFile() {
        // pytorch_model.bin where it is at hand: one fixture per model type in a fresh clone, all with ../shared
        return Fixture.of(FAMILY).stream().flatMap(fixture -> Stream.concat(Stream.of(
                DynamicTest.dynamicTest(fixture + " from model.safetensors, task " + inferableTask(fixture),
                        () -> exportAndCompare(fixture, "model.safetensors", inferableTask(fixture), folder))),
                fixture.checkpointFile("pytorch_model.bin").stream().map(weights -> DynamicTest.dynamicTest(
                        fixture + " from pytorch_model.bin",
                        () -> exportAndCompare(fixture, "pytorch_model.bin", fixture.task(), folder)))));
    }

    /**
     * {@code auto} where config.json's architecture names the fixture's task; a {@code -with-past} variant cannot be
     * inferred from a checkpoint (Optimum cannot either), nor can the task of a model class that serves several
     * tasks (XLMWithLMHeadModel: masked-lm and causal-lm), so those are named.
     */
    static String inferableTask(Fixture fixture) {
        return fixture.task().endsWith("-with-past") || sharesItsModelClass(fixture) ? fixture.task() : "auto";
    }

    /**
     * Whether another fixture of the same model type was made with the same model class for another base task (a
     * {@code -with-past} variant and its base task share their class by design, and are told apart by naming).
     */
    private static boolean sharesItsModelClass(Fixture fixture) {
        return !fixture.task().endsWith("-with-past")
                && Fixture.of(List.of(fixture.modelType())).stream().anyMatch(other -> !other.task().equals(fixture.task())
                && !other.task().endsWith("-with-past")
                && other.manifest().get("model_class").equals(fixture.manifest().get("model_class")));
    }

    @TestFactory
    Stream<DynamicTest> aModelClassOfSeveralTasksNeedsTheTaskNamed() {
        return Fixture.of(FAMILY).stream().filter(ExportOnnxFixturesTest::sharesItsModelClass)
                .map(fixture -> DynamicTest.dynamicTest(fixture.toString(), () -> {
                    Path checkpoint = copyCheckpoint(fixture, "model.safetensors",
                            folder.resolve(fixture + "-ambiguous"));
                    MainTest.Run run = MainTest.run("export", "onnx", "--model", checkpoint.toString(), "--task",
                            "auto", folder.resolve(fixture + "-ambiguous-onnx").toString());
                    assertEquals(1, run.exitCode(), run.err());
                    assertTrue(run.err().contains("is ambiguous") && run.err().contains(fixture.task())
                            && run.err().contains("pass --task"), run.err());
                }));
    }

    /** Every built type has fixtures here or in fixtures-today ({@link ExportTodayFixturesTest}). */
    @TestFactory
    Stream<DynamicTest> everyArchitectureHasFixtures() {
        return FAMILY.stream().map(modelType -> DynamicTest.dynamicTest(modelType, () -> assertTrue(
                        Fixture.hasAny(modelType), modelType + " has no fixture in fixtures/ nor fixtures-today/")));
    }

    /**
     * Exports {@code fixture}'s checkpoint (config.json and {@code weightsFile} only, copied under {@code folder})
     * through the CLI with {@code task} and validation on, and checks Optimum's interface and PyTorch's outputs;
     * returns the written model.onnx.
     */
    static Path exportAndCompare(Fixture fixture, String weightsFile, String task, Path folder) throws Exception {
        return exportAndCompare(fixture, weightsFile, task, folder, List.of());
    }

    /** As {@link #exportAndCompare(Fixture, String, String, Path)} with more {@code export onnx} options. */
    static Path exportAndCompare(Fixture fixture, String weightsFile, String task, Path folder, List<String> options)
            throws Exception {
        Path checkpoint = copyCheckpoint(fixture, weightsFile, folder.resolve(fixture + "-" + weightsFile));
        Path output = folder.resolve(fixture + "-" + weightsFile + "-onnx");
        List<String> arguments = new java.util.ArrayList<>(List.of("export", "onnx", "--model",
                checkpoint.toString(), "--task", task));
        arguments.addAll(options);
        arguments.add(output.toString());
        MainTest.Run run = MainTest.run(arguments.toArray(String[]::new));
        assertEquals(0, run.exitCode(), run.err());
        assertTrue(run.err().contains("validation passed"), run.err());
        assertFalse(run.err().contains("[x]"), run.err());
        assertTrue(Files.isRegularFile(output.resolve("config.json")));
        if (!fixture.submodels().isEmpty()) {
            return compareSubmodels(fixture, output);
        }
        Path model = output.resolve("model.onnx");
        checkInterface(fixture, model);
        Map<String, OnnxRuntimeRun.Output> outputs = OnnxRuntimeRun.run(model, fixture.inputsFile());
        for (Map.Entry<String, String> named : fixture.referenceOutputs().entrySet()) {
            OnnxRuntimeRun.Output expected = OnnxRuntimeRun.read(fixture.outputsFile(), named.getValue());
            OnnxRuntimeRun.Output actual = outputs.get(named.getKey());
            assertEquals(expected.shape(), actual.shape(), fixture + " " + named.getKey());
            double diff = OnnxRuntimeRun.maxAbsDiff(expected.values(), actual.values());
            assertTrue(diff <= TOLERANCE, fixture + " " + named.getKey() + ": max abs diff " + diff);
        }
        return model;
    }

    /**
     * A split export (SAM): no model.onnx, but each graph of Optimum's main_export in its own file, each with its
     * submodel's names, order and named dimensions, and outputs equal to PyTorch's within the tolerance.
     *
     * @return the last graph's file
     */
    private static Path compareSubmodels(Fixture fixture, Path output) throws Exception {
        assertFalse(Files.exists(output.resolve("model.onnx")), fixture + ": a split export writes no model.onnx");
        Path last = null;
        for (Fixture.Submodel submodel : fixture.submodels()) {
            Path file = output.resolve(submodel.name() + ".onnx");
            assertTrue(Files.isRegularFile(file), fixture + ": " + file.getFileName() + " is missing");
            try (OrtSession.SessionOptions options = new OrtSession.SessionOptions();
                 OrtSession session = OrtEnvironment.getEnvironment().createSession(file.toString(), options)) {
                assertEquals(submodel.inputNames(), List.copyOf(session.getInputInfo().keySet()), file + " inputs");
                assertEquals(submodel.outputNames(), List.copyOf(session.getOutputInfo().keySet()),
                        file + " outputs");
                for (String input : submodel.inputNames()) {
                    assertEquals(submodel.axes("inputs", input), namedAxes(session.getInputInfo().get(input)),
                            file + " input " + input);
                }
                for (String name : submodel.outputNames()) {
                    assertEquals(submodel.axes("outputs", name), namedAxes(session.getOutputInfo().get(name)),
                            file + " output " + name);
                }
            }
            Map<String, OnnxRuntimeRun.Output> outputs = OnnxRuntimeRun.run(file, fixture.inputsFile());
            for (String name : submodel.outputNames()) {
                OnnxRuntimeRun.Output expected = OnnxRuntimeRun.read(fixture.outputsFile(), name);
                OnnxRuntimeRun.Output actual = outputs.get(name);
                assertEquals(expected.shape(), actual.shape(), file + " " + name);
                double diff = OnnxRuntimeRun.maxAbsDiff(expected.values(), actual.values());
                assertTrue(diff <= TOLERANCE, file + " " + name + ": max abs diff " + diff);
            }
            last = file;
        }
        return last;
    }

    /** Input and output names in order, and each one's named dimensions, equal the manifest's Optimum interface. */
    private static void checkInterface(Fixture fixture, Path model) throws Exception {
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions();
             OrtSession session = OrtEnvironment.getEnvironment().createSession(model.toString(), options)) {
            assertEquals(fixture.inputNames(), List.copyOf(session.getInputInfo().keySet()), fixture + " inputs");
            assertEquals(fixture.outputNames(), List.copyOf(session.getOutputInfo().keySet()), fixture + " outputs");
            for (String input : fixture.inputNames()) {
                assertEquals(fixture.dynamicAxes("inputs", input),
                        namedAxes(session.getInputInfo().get(input)), fixture + " input " + input);
            }
            for (String output : fixture.outputNames()) {
                assertEquals(fixture.dynamicAxes("outputs", output),
                        namedAxes(session.getOutputInfo().get(output)), fixture + " output " + output);
            }
        }
    }

    static Map<Integer, String> namedAxes(NodeInfo info) {
        String[] names = ((TensorInfo) info.getInfo()).getDimensionNames();
        Map<Integer, String> axes = new TreeMap<>();
        for (int i = 0; i < names.length; i++) {
            if (names[i] != null && !names[i].isEmpty()) {
                axes.put(i, names[i]);
            }
        }
        return axes;
    }

    /** config.json and one weights file of the fixture's checkpoint, in a folder of their own. */
    static Path copyCheckpoint(Fixture fixture, String weightsFile, Path target) throws IOException {
        Files.createDirectories(target);
        Files.copy(fixture.checkpoint().resolve("config.json"), target.resolve("config.json"));
        Files.copy(fixture.checkpointFile(weightsFile).orElseThrow(), target.resolve(weightsFile));
        return target;
    }
}
