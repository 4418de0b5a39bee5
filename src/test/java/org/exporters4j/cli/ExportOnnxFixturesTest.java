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
import org.exporters4j.models.Architectures;
import org.exporters4j.models.Fixture;
import org.exporters4j.models.OnnxRuntimeRun;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * The acceptance test: every fixture of the BERT encoder family exports through the CLI from its checkpoint
 * folder — once with only model.safetensors (task {@code auto}, inferred from config.json) and once with only
 * pytorch_model.bin (the fixture's task named) — with validation on; the written model's input and output names,
 * order and dynamic axes are Optimum's (the manifest), and its ONNX Runtime outputs on the fixture's inputs equal
 * PyTorch's within 1e-5.
 */
class ExportOnnxFixturesTest {
    /** Every model type with a graph builder: a new architecture row is covered by this test as soon as it lands. */
    private static final List<String> FAMILY = Architectures.modelTypes();
    private static final double TOLERANCE = 1e-5;

    @TempDir
    Path folder;

    @TestFactory
    Stream<DynamicTest> everyFixtureExportsFromEitherWeightsFile() {
        return Fixture.of(FAMILY).stream().flatMap(fixture -> Stream.of(
                DynamicTest.dynamicTest(fixture + " from model.safetensors, task " + inferableTask(fixture),
                        () -> exportAndCompare(fixture, "model.safetensors", inferableTask(fixture))),
                DynamicTest.dynamicTest(fixture + " from pytorch_model.bin",
                        () -> exportAndCompare(fixture, "pytorch_model.bin", fixture.task()))));
    }

    /**
     * {@code auto} where config.json's architecture names the fixture's task; a {@code -with-past} variant cannot be
     * inferred from a checkpoint (Optimum cannot either), so it is named.
     */
    private static String inferableTask(Fixture fixture) {
        return fixture.task().endsWith("-with-past") ? fixture.task() : "auto";
    }

    @TestFactory
    Stream<DynamicTest> everyArchitectureHasFixtures() {
        return FAMILY.stream().map(modelType -> DynamicTest.dynamicTest(modelType,
                () -> assertFalse(Fixture.of(List.of(modelType)).isEmpty(), modelType)));
    }

    private void exportAndCompare(Fixture fixture, String weightsFile, String task) throws Exception {
        Path checkpoint = copyCheckpoint(fixture, weightsFile, folder.resolve(fixture + "-" + weightsFile));
        Path output = folder.resolve(fixture + "-" + weightsFile + "-onnx");
        MainTest.Run run = MainTest.run("export", "onnx", "--model", checkpoint.toString(), "--task", task,
                output.toString());
        assertEquals(0, run.exitCode(), run.err());
        assertTrue(run.err().contains("validation passed"), run.err());
        assertFalse(run.err().contains("[x]"), run.err());
        Path model = output.resolve("model.onnx");
        assertTrue(Files.isRegularFile(output.resolve("config.json")));
        checkInterface(fixture, model);
        Map<String, OnnxRuntimeRun.Output> outputs = OnnxRuntimeRun.run(model, fixture.inputsFile());
        for (Map.Entry<String, String> named : fixture.referenceOutputs().entrySet()) {
            OnnxRuntimeRun.Output expected = OnnxRuntimeRun.read(fixture.outputsFile(), named.getValue());
            OnnxRuntimeRun.Output actual = outputs.get(named.getKey());
            assertEquals(expected.shape(), actual.shape(), fixture + " " + named.getKey());
            double diff = OnnxRuntimeRun.maxAbsDiff(expected.values(), actual.values());
            assertTrue(diff <= TOLERANCE, fixture + " " + named.getKey() + ": max abs diff " + diff);
        }
    }

    /** Input and output names in order, and each one's named dimensions, equal the manifest's Optimum interface. */
    private static void checkInterface(Fixture fixture, Path model) throws Exception {
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions();
             OrtSession session = OrtEnvironment.getEnvironment().createSession(model.toString(), options)) {
            assertEquals(fixture.inputNames(), List.copyOf(session.getInputInfo().keySet()), fixture + " inputs");
            assertEquals(fixture.outputNames(), List.copyOf(session.getOutputInfo().keySet()), fixture + " outputs");
            for (String input : fixture.inputNames()) {
                assertEquals(fixture.dynamicAxes("inputs", input), namedAxes(session.getInputInfo().get(input)),
                        fixture + " input " + input);
            }
            for (String output : fixture.outputNames()) {
                assertEquals(fixture.dynamicAxes("outputs", output), namedAxes(session.getOutputInfo().get(output)),
                        fixture + " output " + output);
            }
        }
    }

    private static Map<Integer, String> namedAxes(NodeInfo info) {
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
        Files.copy(fixture.checkpoint().resolve(weightsFile), target.resolve(weightsFile));
        return target;
    }
}
