package org.exporters4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.exporters4j.models.Fixture;
import org.exporters4j.models.OnnxRuntimeRun;
import org.exporters4j.tasks.ModelTypes;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 9's acceptance test: every fixture of fixtures-today (today's model types, Optimum 1.25.3's interface) whose
 * model type is built exports through the CLI from model.safetensors alone and from pytorch_model.bin alone, with the
 * fixture's task named as today's Optimum names it, Optimum 1.25.3's layout and validation on; the model's names,
 * order and dynamic axes are the manifest's, its outputs equal PyTorch's within 1e-5, and a with-past graph fed an
 * empty past (zero-length past axis) on the prefix inputs reproduces the prefix outputs: one file serves the prompt
 * and every later step. A split export (SAM) writes each graph of Optimum's main_export to its own file, each checked
 * against its submodel's interface and outputs.
 */
class ExportTodayFixturesTest {
    private static final double TOLERANCE = 1e-5;
    private static final String FEATURES_WITH_PAST = "feature-extraction-with-past";

    /**
     * The model types of fixtures-today not yet exported with today's interface (issue 9). Each lands off this list
     * with its row; the list must shrink to nothing.
     */
    private static final List<String> NOT_YET_ON_TODAYS_INTERFACE = List.of();

    /**
     * Optimum 1.25.3's layout, which the fixtures record: the default of today's rows, and asked for explicitly so
     * that an Optimum v1.5.2 type with today's interface beside its own (detr) is exported with it too.
     */
    private static final List<String> TODAYS_LAYOUT = List.of("--layout", "optimum");

    @TempDir
    Path folder;

    private static List<String> exportedTypes() {
        return Fixture.todayModelTypes().stream().filter(type -> !NOT_YET_ON_TODAYS_INTERFACE.contains(type))
                .toList();
    }

    @Test
    void theListOfTypesNotYetOnTodaysInterfaceIsExact() {
        assertEquals(28, Fixture.todayModelTypes().size(), "fixtures-today has 28 model types");
        for (String type : NOT_YET_ON_TODAYS_INTERFACE) {
            assertTrue(Fixture.todayModelTypes().contains(type), type + " has no fixtures-today folder");
        }
        for (String type : exportedTypes()) {
            assertTrue(ModelTypes.builtModelTypes().contains(type), type + " is off the not-yet list but not built");
        }
    }

    @TestFactory
    Stream<DynamicTest> everyFixtureExportsFromEitherWeightsFileAndReplaysItsPrefix() {
        List<String> types = exportedTypes();
        if (types.isEmpty()) {
            return Stream.empty();
        }
        return Fixture.ofToday(types).stream().flatMap(fixture -> fixture.task().equals(FEATURES_WITH_PAST)
                ? Stream.of("model.safetensors", "pytorch_model.bin").map(weights -> DynamicTest.dynamicTest(
                        fixture + " from " + weights + " (the prefix: no past inputs)",
                        () -> exportAndComparePrefix(fixture, weights, folder)))
                : Stream.of(
                DynamicTest.dynamicTest(fixture + " from model.safetensors", () -> {
                    Path model = ExportOnnxFixturesTest.exportAndCompare(fixture, "model.safetensors",
                            fixture.task(), folder, TODAYS_LAYOUT);
                    if (fixture.prefix().isPresent()) {
                        assertPrefixFromEmptyPast(fixture, model);
                    }
                }),
                DynamicTest.dynamicTest(fixture + " from pytorch_model.bin",
                        () -> ExportOnnxFixturesTest.exportAndCompare(fixture, "pytorch_model.bin", fixture.task(),
                                folder, TODAYS_LAYOUT))));
    }

    /**
     * A decoder's {@code feature-extraction-with-past} as Optimum 1.25.3's {@code main_export} writes it
     * ({@code use_past_in_inputs=False}: present outputs, no past inputs; fixtures-layout's
     * {@code *--feature-extraction-with-past}): the fixture's step takes the cache (its OnnxConfig was built with
     * the past in the inputs), its prefix run is exactly that interface, so the export is compared with the prefix:
     * names, order and dynamic axes of {@code prefix.onnx_interface}, and its outputs within 1e-5.
     */
    static void exportAndComparePrefix(Fixture fixture, String weightsFile, Path folder) throws Exception {
        Fixture.Prefix prefix = fixture.prefix().orElseThrow(() -> new AssertionError(fixture + " has no prefix"));
        Path checkpoint = ExportOnnxFixturesTest.copyCheckpoint(fixture, weightsFile,
                folder.resolve(fixture + "-" + weightsFile + "-prefix"));
        Path output = folder.resolve(fixture + "-" + weightsFile + "-prefix-onnx");
        MainTest.Run run = MainTest.run("export", "onnx", "--model", checkpoint.toString(), "--task",
                fixture.task(), output.toString());
        assertEquals(0, run.exitCode(), run.err());
        assertTrue(run.err().contains("validation passed"), run.err());
        Path model = output.resolve("model.onnx");
        JsonNode expected = prefix.onnxInterface();
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions();
             OrtSession session = OrtEnvironment.getEnvironment().createSession(model.toString(), options)) {
            assertEquals(texts(expected.get("input_names")), List.copyOf(session.getInputInfo().keySet()),
                    fixture + " inputs");
            assertEquals(texts(expected.get("output_names")), List.copyOf(session.getOutputInfo().keySet()),
                    fixture + " outputs");
            for (String input : texts(expected.get("input_names"))) {
                assertEquals(axes(expected.get("dynamic_axes").get("inputs").get(input)),
                        ExportOnnxFixturesTest.namedAxes(session.getInputInfo().get(input)), fixture + " " + input);
            }
            for (String out : texts(expected.get("output_names"))) {
                assertEquals(axes(expected.get("dynamic_axes").get("outputs").get(out)),
                        ExportOnnxFixturesTest.namedAxes(session.getOutputInfo().get(out)), fixture + " " + out);
            }
        }
        Map<String, OnnxRuntimeRun.Output> outputs = OnnxRuntimeRun.run(model, prefix.inputsFile());
        for (String name : texts(expected.get("output_names"))) {
            OnnxRuntimeRun.Output reference = OnnxRuntimeRun.read(prefix.outputsFile(), name);
            OnnxRuntimeRun.Output actual = outputs.get(name);
            assertEquals(reference.shape(), actual.shape(), fixture + " prefix " + name);
            double diff = OnnxRuntimeRun.maxAbsDiff(reference.values(), actual.values());
            assertTrue(diff <= TOLERANCE, fixture + " prefix " + name + ": max abs diff " + diff);
        }
    }

    private static List<String> texts(JsonNode array) {
        List<String> texts = new ArrayList<>();
        array.forEach(node -> texts.add(node.asText()));
        return texts;
    }

    private static Map<Integer, String> axes(JsonNode declared) {
        Map<Integer, String> axes = new TreeMap<>();
        if (declared != null) {
            declared.fields().forEachRemaining(entry -> axes.put(Integer.parseInt(entry.getKey()),
                    entry.getValue().asText()));
        }
        return axes;
    }

    /**
     * The with-past graph on the prefix inputs with every past input empty (its past-sequence axis 0, the other
     * axes the step's) gives the prefix outputs.
     */
    static void assertPrefixFromEmptyPast(Fixture fixture, Path model) throws Exception {
        Fixture.Prefix prefix = fixture.prefix().orElseThrow();
        Map<String, long[]> emptyPast = new LinkedHashMap<>();
        for (JsonNode input : fixture.manifest().get("inputs")) {
            String name = input.get("name").asText();
            if (!name.startsWith("past_key_values")) {
                continue;
            }
            Map<Integer, String> axes = fixture.dynamicAxes("inputs", name);
            long[] shape = new long[input.get("shape").size()];
            for (int axis = 0; axis < shape.length; axis++) {
                boolean past = "past_sequence_length".equals(axes.get(axis));
                shape[axis] = past ? 0 : input.get("shape").get(axis).asLong();
            }
            assertTrue(Arrays.stream(shape).anyMatch(size -> size == 0), fixture + " " + name + " has no past axis");
            emptyPast.put(name, shape);
        }
        Map<String, OnnxRuntimeRun.Output> outputs = OnnxRuntimeRun.run(model, prefix.inputsFile(), emptyPast);
        for (String name : outputNames(prefix.onnxInterface())) {
            OnnxRuntimeRun.Output expected = OnnxRuntimeRun.read(prefix.outputsFile(), name);
            OnnxRuntimeRun.Output actual = outputs.get(name);
            assertEquals(expected.shape(), actual.shape(), fixture + " prefix " + name);
            double diff = OnnxRuntimeRun.maxAbsDiff(expected.values(), actual.values());
            assertTrue(diff <= TOLERANCE, fixture + " prefix " + name + ": max abs diff " + diff);
        }
    }

    private static List<String> outputNames(JsonNode onnxInterface) {
        List<String> names = new ArrayList<>();
        for (Iterator<JsonNode> it = onnxInterface.get("output_names").elements(); it.hasNext(); ) {
            names.add(it.next().asText());
        }
        return names;
    }
}
