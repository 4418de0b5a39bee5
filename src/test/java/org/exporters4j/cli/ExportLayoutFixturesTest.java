package org.exporters4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.exporters4j.SharedFiles;
import org.exporters4j.models.OnnxRuntimeRun;
import org.exporters4j.onnx.proto.OnnxProto;
import org.exporters4j.tasks.Layout;
import org.exporters4j.tasks.ModelTypes;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 10's layouts against fixtures-layout (Optimum 1.25.3's {@code main_export} on tiny checkpoints, with
 * every component's PyTorch runs): each vendored fixture exports through the CLI with {@code --layout
 * optimum} and {@code --layout transformers.js} and the fixture's task as Optimum 1.25.3 names it, validation on;
 * the files are the manifest's ({@code layout.onnx_files} at the top, or under {@code onnx/} with config.json and
 * generation_config.json at the top), every file's input and output names, order and dynamic axes are the
 * manifest's, and every recorded run equals PyTorch's outputs within 1e-5: a decoder-only with-past
 * {@code model.onnx} on an empty past, then one cached step; an encoder-decoder's {@code encoder_model.onnx},
 * {@code decoder_model.onnx} on the prompt, {@code decoder_with_past_model.onnx} on the next token over the
 * prompt's cache, and {@code decoder_model_merged.onnx} on both branches.
 */
class ExportLayoutFixturesTest {
    private static final double TOLERANCE = 1e-5;
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The vendored types of fixtures-layout: decoder-only, then encoder-decoders. */
    private static final List<String> TYPES = List.of("bloom", "codegen", "gpt-neo", "gpt2", "gptj", "llama", "mt5",
            "t5", "bart", "marian", "mbart", "whisper");

    @TempDir
    Path folder;

    @Test
    void everyVendoredTypeHasTodaysLayouts() {
        for (String type : TYPES) {
            List<Layout> layouts = ModelTypes.find(type).orElseThrow().layouts();
            List<Layout> expected = type.equals("llama") ? List.of(Layout.OPTIMUM, Layout.TRANSFORMERS_JS)
                    : List.of(Layout.OPTIMUM_1_5, Layout.OPTIMUM, Layout.TRANSFORMERS_JS);
            assertEquals(expected, layouts, type);
        }
    }

    @TestFactory
    Stream<DynamicTest> everyFixtureExportsInBothLayoutsAndReproducesEveryRun() throws IOException {
        List<Path> fixtures = new ArrayList<>();
        try (Stream<Path> folders = Files.list(SharedFiles.require("fixtures-layout"))) {
            folders.filter(Files::isDirectory).sorted().forEach(fixtures::add);
        }
        assertEquals(67, fixtures.size(), "the vendored fixtures of fixtures-layout");
        return fixtures.stream().filter(fixture -> ModelTypes.find(fixture.getFileName().toString().split("--")[0])
                .orElseThrow().layouts().contains(Layout.OPTIMUM))
                .flatMap(fixture -> Stream.of(Layout.OPTIMUM, Layout.TRANSFORMERS_JS).map(layout ->
                DynamicTest.dynamicTest(fixture.getFileName() + " --layout " + layout.id(),
                        () -> exportAndCompare(fixture, layout))));
    }

    private void exportAndCompare(Path fixture, Layout layout) throws Exception {
        JsonNode manifest = JSON.readTree(fixture.resolve("manifest.json").toFile());
        Path output = folder.resolve(fixture.getFileName() + "-" + layout.id());
        MainTest.Run run = MainTest.run("export", "onnx", "--model", fixture.resolve("checkpoint").toString(),
                "--task", manifest.get("task").asText(), "--layout", layout.id(), output.toString());
        assertEquals(0, run.exitCode(), run.err());
        assertTrue(run.err().contains("validation passed"), run.err());
        assertFalse(run.err().contains("[x]"), run.err());
        Path modelFolder = layout == Layout.TRANSFORMERS_JS ? output.resolve("onnx") : output;
        TreeSet<String> expected = new TreeSet<>();
        manifest.get("layout").get("onnx_files").forEach(file -> expected.add(file.asText()));
        assertEquals(expected, names(modelFolder, ".onnx"), fixture + " ONNX files");
        TreeSet<String> top = new TreeSet<>();
        manifest.get("layout").get("other_files").forEach(file -> top.add(file.asText()));
        if (layout == Layout.TRANSFORMERS_JS) {
            top.add("onnx");
        } else {
            top.addAll(expected);
        }
        assertEquals(top, names(output, ""), fixture + " files at the top");
        if (layout == Layout.TRANSFORMERS_JS) {
            // the fixtures' checkpoints hold no tokenizer: the export says so, naming the file and its consumer
            assertTrue(run.err().contains("note: the checkpoint has no tokenizer.json: transformers.js"), run.err());
        }
        for (JsonNode component : manifest.get("components")) {
            Path model = modelFolder.resolve(component.get("file").asText());
            checkInterface(fixture, component, model);
            for (JsonNode recorded : component.get("runs")) {
                Path runFolder = fixture.resolve(recorded.get("dir").asText());
                Map<String, OnnxRuntimeRun.Output> outputs = OnnxRuntimeRun.run(model,
                        runFolder.resolve("inputs.safetensors"));
                for (JsonNode out : recorded.get("outputs")) {
                    String name = out.get("name").asText();
                    OnnxRuntimeRun.Output reference = OnnxRuntimeRun.read(runFolder.resolve("outputs.safetensors"),
                            name);
                    OnnxRuntimeRun.Output actual = outputs.get(name);
                    assertEquals(reference.shape(), actual.shape(), runFolder + " " + name);
                    double diff = OnnxRuntimeRun.maxAbsDiff(reference.values(), actual.values());
                    assertTrue(diff <= TOLERANCE, runFolder + " " + name + ": max abs diff " + diff);
                }
            }
        }
    }

    private static TreeSet<String> names(Path folder, String suffix) throws IOException {
        TreeSet<String> names = new TreeSet<>();
        try (Stream<Path> files = Files.list(folder)) {
            files.map(file -> file.getFileName().toString()).filter(name -> name.endsWith(suffix))
                    .forEach(names::add);
        }
        return names;
    }

    /**
     * Names and order of the inputs and outputs as ONNX Runtime reads them, and each one's named axes as the file
     * declares them, as the manifest's component (ONNX Runtime reports a fixed size where its shape inference finds
     * one, e.g. on a Whisper encoder's output over fixed frames, Optimum's own file included).
     */
    private static void checkInterface(Path fixture, JsonNode component, Path model) throws Exception {
        List<String> inputs = texts(component.get("inputs"));
        List<String> outputs = texts(component.get("outputs"));
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions();
             OrtSession session = OrtEnvironment.getEnvironment().createSession(model.toString(), options)) {
            assertEquals(inputs, List.copyOf(session.getInputInfo().keySet()), fixture + " inputs");
            assertEquals(outputs, List.copyOf(session.getOutputInfo().keySet()), fixture + " outputs");
        }
        OnnxProto.GraphProto graph;
        try (var in = Files.newInputStream(model)) {
            graph = OnnxProto.ModelProto.parseFrom(in).getGraph();
        }
        for (OnnxProto.ValueInfoProto input : graph.getInputList()) {
            assertEquals(axes(component.get("dynamic_axes").get("inputs").get(input.getName())),
                    namedAxes(input), fixture + " input " + input.getName());
        }
        for (OnnxProto.ValueInfoProto output : graph.getOutputList()) {
            assertEquals(axes(component.get("dynamic_axes").get("outputs").get(output.getName())),
                    namedAxes(output), fixture + " output " + output.getName());
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
            for (Iterator<Map.Entry<String, JsonNode>> it = declared.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> entry = it.next();
                axes.put(Integer.parseInt(entry.getKey()), entry.getValue().asText());
            }
        }
        return axes;
    }

    private static Map<Integer, String> namedAxes(OnnxProto.ValueInfoProto info) {
        Map<Integer, String> axes = new TreeMap<>();
        List<OnnxProto.TensorShapeProto.Dimension> dims = info.getType().getTensorType().getShape().getDimList();
        for (int i = 0; i < dims.size(); i++) {
            if (dims.get(i).hasDimParam() && !dims.get(i).getDimParam().isEmpty()) {
                axes.put(i, dims.get(i).getDimParam());
            }
        }
        return axes;
    }
}
