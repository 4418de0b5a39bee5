package org.exporters4j.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.exporters4j.models.DecoderRuns;
import org.exporters4j.models.Fixture;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 5's acceptance test: every decoder fixture (gpt2, gpt-neo, gptj, codegen, bloom, llama) exports through the
 * CLI from its checkpoint folder, once with only model.safetensors and once with only pytorch_model.bin, with
 * validation on; the written model's input and output names, order and dynamic axes are the manifest's (Optimum
 * 1.5.2's; llama: 1.10.1's), and its ONNX Runtime outputs on the fixture's inputs (with-past fixtures: the cache of a
 * real prefix) equal PyTorch's within 1e-5, with the documented deviations of {@link #expectedAxes}.
 */
class ExportDecoderFixturesTest {
    private static final List<String> FAMILY = List.of("bloom", "codegen", "gpt-neo", "gpt2", "gptj", "llama");
    private static final double TOLERANCE = 1e-5;

    @TempDir
    Path folder;

    @TestFactory
    Stream<DynamicTest> everyFixtureExportsFromEitherWeightsFile() {
        return Fixture.of(FAMILY).stream().flatMap(fixture -> Stream.of(
                DynamicTest.dynamicTest(fixture + " from model.safetensors",
                        () -> exportAndCompare(fixture, "model.safetensors",
                                fixture.task().endsWith("-with-past") ? fixture.task() : "auto")),
                DynamicTest.dynamicTest(fixture + " from pytorch_model.bin",
                        () -> exportAndCompare(fixture, "pytorch_model.bin", fixture.task()))));
    }

    private void exportAndCompare(Fixture fixture, String weightsFile, String task) throws Exception {
        Path checkpoint = ExportOnnxFixturesTest.copyCheckpoint(fixture, weightsFile,
                folder.resolve(fixture + "-" + weightsFile));
        Path output = folder.resolve(fixture + "-" + weightsFile + "-onnx");
        MainTest.Run run = MainTest.run("export", "onnx", "--model", checkpoint.toString(), "--task", task,
                output.toString());
        assertEquals(0, run.exitCode(), run.err());
        assertTrue(run.err().contains("validation passed"), run.err());
        assertFalse(run.err().contains("[x]"), run.err());
        Path model = output.resolve("model.onnx");
        assertTrue(Files.isRegularFile(output.resolve("config.json")));
        checkInterface(fixture, model);
        Map<String, DecoderRuns.Tensor> outputs;
        try (DecoderRuns.Session session = new DecoderRuns.Session(model)) {
            outputs = session.run(DecoderRuns.read(fixture.inputsFile()));
        }
        Map<String, DecoderRuns.Tensor> expected = DecoderRuns.read(fixture.outputsFile());
        for (Map.Entry<String, String> named : fixture.referenceOutputs().entrySet()) {
            DecoderRuns.Tensor reference = expected.get(named.getValue());
            DecoderRuns.Tensor actual = outputs.get(named.getKey());
            assertArrayEquals(reference.shape(), actual.shape(), fixture + " " + named.getKey());
            double diff = DecoderRuns.maxAbsDiff(reference.floats(), actual.floats());
            assertTrue(diff <= TOLERANCE, fixture + " " + named.getKey() + ": max abs diff " + diff);
        }
    }

    private static void checkInterface(Fixture fixture, Path model) throws Exception {
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions();
             OrtSession session = OrtEnvironment.getEnvironment().createSession(model.toString(), options)) {
            assertEquals(fixture.inputNames(), List.copyOf(session.getInputInfo().keySet()), fixture + " inputs");
            assertEquals(fixture.outputNames(), List.copyOf(session.getOutputInfo().keySet()), fixture + " outputs");
            for (String input : fixture.inputNames()) {
                assertEquals(expectedAxes(fixture, "inputs", input), namedAxes(session.getInputInfo().get(input)),
                        fixture + " input " + input);
            }
            for (String output : fixture.outputNames()) {
                assertEquals(expectedAxes(fixture, "outputs", output), namedAxes(session.getOutputInfo().get(output)),
                        fixture + " output " + output);
            }
        }
    }

    /**
     * The manifest's axes with the documented deviations of Optimum v1.5.2's decoder caches: the past's sequence
     * axis is past_sequence_length (v1.5.2 names it like the longer present); BLOOM's axis 0 is
     * batch_size x num_heads and its value's sequence name sits on axis 1, where the sequence is.
     */
    static Map<Integer, String> expectedAxes(Fixture fixture, String side, String name) {
        Map<Integer, String> axes = new TreeMap<>(fixture.dynamicAxes(side, name));
        boolean optimum152 = !fixture.modelType().equals("llama");
        if (optimum152 && name.startsWith("past_key_values.")) {
            axes.replaceAll((index, axis) -> axis.equals("past_sequence_length + sequence_length")
                    ? "past_sequence_length" : axis);
        }
        if (fixture.modelType().equals("bloom") && (name.startsWith("past_key_values.") || name.startsWith("present."))) {
            axes.put(0, "batch_size x num_heads");
            if (name.endsWith(".value") && axes.containsKey(2)) {
                axes.put(1, axes.remove(2));
            }
        }
        return axes;
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
}
