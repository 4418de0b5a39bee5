package org.exporters4j.models;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.exporters4j.SharedFiles;
import org.exporters4j.onnx.ElementType;
import org.exporters4j.onnx.Opset;

/**
 * One reference fixture (vendored from ../shared/fixtures, see its README): a checkpoint, fixed inputs, PyTorch's outputs and
 * Optimum's ONNX interface, read from {@code manifest.json}.
 */
public record Fixture(Path folder, String modelType, String task, JsonNode manifest) {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Every fixture folder whose model type (Optimum's spelling, the folder prefix) is one of {@code modelTypes}. */
    public static List<Fixture> of(List<String> modelTypes) {
        return under(SharedFiles.fixtures(), modelTypes);
    }

    /** Every fixture of ../shared/fixtures-options (config options beyond the dev sizes) of {@code modelTypes}. */
    public static List<Fixture> ofOptions(List<String> modelTypes) {
        return under(SharedFiles.fixturesOptions(), modelTypes);
    }

    /** Every fixture of ../shared/fixtures-today (today's model types, Optimum 1.25.3's interface) of {@code modelTypes}. */
    public static List<Fixture> ofToday(List<String> modelTypes) {
        return under(SharedFiles.fixturesToday(), modelTypes);
    }

    /** Whether fixtures/ or fixtures-today/ has a fixture of {@code modelType}. */
    public static boolean hasAny(String modelType) {
        return folderNames(SharedFiles.fixtures()).anyMatch(name -> name.startsWith(modelType + "--"))
                || folderNames(SharedFiles.fixturesToday()).anyMatch(name -> name.startsWith(modelType + "--"));
    }

    /** The model types fixtures-today has fixtures of (the folder prefixes), sorted. */
    public static List<String> todayModelTypes() {
        return folderNames(SharedFiles.fixturesToday()).filter(name -> name.contains("--"))
                .map(name -> name.substring(0, name.indexOf("--"))).distinct().sorted().toList();
    }

    private static Stream<String> folderNames(Path root) {
        try (Stream<Path> folders = Files.list(root)) {
            return folders.filter(Files::isDirectory).map(folder -> folder.getFileName().toString()).toList()
                    .stream();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<Fixture> under(Path root, List<String> modelTypes) {
        List<Fixture> fixtures = new ArrayList<>();
        try (Stream<Path> folders = Files.list(root)) {
            for (Path folder : folders.filter(Files::isDirectory).sorted().toList()) {
                String name = folder.getFileName().toString();
                int separator = name.indexOf("--");
                if (separator > 0 && modelTypes.contains(name.substring(0, separator))) {
                    fixtures.add(read(folder));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (fixtures.isEmpty()) {
            throw new AssertionError("no fixtures of " + modelTypes + " under " + root);
        }
        return List.copyOf(fixtures);
    }

    public static Fixture read(Path folder) {
        try {
            JsonNode manifest = JSON.readTree(folder.resolve("manifest.json").toFile());
            String name = folder.getFileName().toString();
            return new Fixture(folder, name.substring(0, name.indexOf("--")), manifest.get("task").asText(), manifest);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public Path checkpoint() {
        return folder.resolve("checkpoint");
    }

    /**
     * A file of the checkpoint: the vendored one, else ../shared's; empty where neither has it (the repository keeps
     * {@code pytorch_model.bin} for one fixture per model type, see {@link SharedFiles}).
     */
    public Optional<Path> checkpointFile(String fileName) {
        return SharedFiles.locate(checkpoint().resolve(fileName));
    }

    public Path inputsFile() {
        return folder.resolve(manifest.get("inputs_file").asText());
    }

    public Path outputsFile() {
        return folder.resolve(manifest.get("outputs_file").asText());
    }

    /**
     * A with-past fixture of fixtures-today: the prefix forward whose {@code present.*} outputs are the step's past,
     * as inputs and outputs files and the interface Optimum declares for it (no past among the inputs).
     */
    public record Prefix(Path inputsFile, Path outputsFile, JsonNode onnxInterface) {}

    /** The prefix of a fixtures-today with-past fixture; empty for every other fixture. */
    public Optional<Prefix> prefix() {
        JsonNode prefix = manifest.get("prefix");
        if (prefix == null || prefix.isNull()) {
            return Optional.empty();
        }
        return Optional.of(new Prefix(folder.resolve(prefix.get("inputs_file").asText()),
                folder.resolve(prefix.get("outputs_file").asText()), prefix.get("onnx_interface")));
    }

    public JsonNode onnx() {
        return manifest.get("onnx");
    }

    public int defaultOpset() {
        return onnx().get("default_opset").asInt();
    }

    /** Optimum's {@code values_override}, as {@code ModelConfig.withOverrides} takes it. */
    public Map<String, Object> valuesOverride() {
        return JSON.convertValue(onnx().get("values_override"), JSON.getTypeFactory()
                .constructMapType(LinkedHashMap.class, String.class, Object.class));
    }

    public List<String> inputNames() {
        return strings(onnx().get("input_names"));
    }

    public List<String> outputNames() {
        return strings(onnx().get("output_names"));
    }

    /**
     * One graph of a split export as Optimum's {@code main_export} writes it ({@code onnx.main_export.submodels}:
     * SAM's {@code vision_encoder} and {@code prompt_encoder_mask_decoder}), with its interface.
     */
    public record Submodel(String name, List<String> inputNames, List<String> outputNames, JsonNode dynamicAxes) {
        /** The submodel's interface, inputs typed as inputs.safetensors holds them. */
        public GraphInterface graphInterface(Fixture fixture, int opset) {
            List<InterfaceTensor> inputs = inputNames.stream().map(input -> InterfaceTensor.of(input,
                    fixture.inputElementType(input), axes("inputs", input))).toList();
            List<InterfaceTensor> outputs = outputNames.stream().map(output -> InterfaceTensor.of(output,
                    ElementType.FLOAT, axes("outputs", output))).toList();
            return new GraphInterface(inputs, outputs, Opset.of(opset));
        }

        /** Dynamic axes of one of its inputs or outputs ({@code side} = inputs / outputs), index → name. */
        public Map<Integer, String> axes(String side, String tensor) {
            Map<Integer, String> axes = new TreeMap<>();
            JsonNode node = dynamicAxes.get(side).get(tensor);
            if (node != null) {
                node.fields().forEachRemaining(axis -> axes.put(Integer.parseInt(axis.getKey()),
                        axis.getValue().asText()));
            }
            return axes;
        }
    }

    /** The graphs of a split export, each with its interface (SAM); empty for a one-graph export. */
    public List<Submodel> submodels() {
        JsonNode mainExport = onnx().get("main_export");
        List<Submodel> submodels = new ArrayList<>();
        if (mainExport == null || mainExport.get("submodels") == null) {
            return submodels;
        }
        mainExport.get("submodels").fields().forEachRemaining(entry -> {
            JsonNode submodel = entry.getValue();
            if (submodel.has("input_names")) {
                submodels.add(new Submodel(entry.getKey(), strings(submodel.get("input_names")),
                        strings(submodel.get("output_names")), submodel.get("dynamic_axes")));
            }
        });
        // one submodel is main_export's own interface of a one-graph export (feature-extraction-with-past's), no split
        return submodels.size() > 1 ? List.copyOf(submodels) : List.of();
    }

    /** Dynamic axes of an input or output ({@code side} = inputs / outputs), index → name. */
    public Map<Integer, String> dynamicAxes(String side, String name) {
        Map<Integer, String> axes = new TreeMap<>();
        JsonNode node = onnx().get("dynamic_axes").get(side).get(name);
        if (node != null) {
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> axis = it.next();
                axes.put(Integer.parseInt(axis.getKey()), axis.getValue().asText());
            }
        }
        return axes;
    }

    /**
     * Output name in outputs.safetensors for each output of the fixture's interface ({@link #outputNames()}), by its
     * ONNX output name. SAM's file also holds the vision encoder's outputs, the other graph of its split export
     * (see {@link #submodels()}).
     */
    public Map<String, String> referenceOutputs() {
        Map<String, String> names = new LinkedHashMap<>();
        List<String> interfaceOutputs = outputNames();
        for (JsonNode output : manifest.get("outputs")) {
            JsonNode optimum = output.get("optimum_onnx_name");
            if (optimum != null && !optimum.isNull() && interfaceOutputs.contains(optimum.asText())) {
                names.put(optimum.asText(), output.get("name").asText());
            }
        }
        return names;
    }

    /**
     * An interface tensor named as Optimum names it: a cache tensor when {@code name} is the name of one (found by
     * rendering every cache tensor's name, never by reading the name apart), else a plain tensor.
     */
    public static InterfaceTensor interfaceTensor(String name, ElementType type, Map<Integer, String> axes) {
        for (CacheTensor.Direction direction : CacheTensor.Direction.values()) {
            List<CacheTensor> caches = new ArrayList<>(CacheTensor.layers(direction, MAX_CACHE_LAYERS,
                    List.of(CacheTensor.Attention.values())));
            caches.addAll(CacheTensor.fusedLayers(direction, MAX_CACHE_LAYERS));
            for (CacheTensor cache : caches) {
                if (cache.name().equals(name)) {
                    return InterfaceTensor.of(cache, type, axes);
                }
            }
        }
        return InterfaceTensor.of(name, type, axes);
    }

    /** More decoder layers than any fixture or test graph has. */
    private static final int MAX_CACHE_LAYERS = 64;

    /** Optimum's interface as a request to an architecture (inputs typed as the fixture's, outputs float32). */
    public GraphInterface graphInterface(int opset) {
        List<InterfaceTensor> inputs = inputNames().stream()
                .map(name -> InterfaceTensor.of(name, inputElementType(name), dynamicAxes("inputs", name))).toList();
        List<InterfaceTensor> outputs = outputNames().stream()
                .map(name -> InterfaceTensor.of(name, ElementType.FLOAT, dynamicAxes("outputs", name))).toList();
        return new GraphInterface(inputs, outputs, Opset.of(opset));
    }

    /** The element type of input {@code name} in inputs.safetensors: F32 is float, anything else int64. */
    public ElementType inputElementType(String name) {
        for (JsonNode input : manifest.get("inputs")) {
            if (input.get("name").asText().equals(name)) {
                return input.get("dtype").asText().equals("F32") ? ElementType.FLOAT : ElementType.INT64;
            }
        }
        throw new AssertionError(this + " has no input " + name);
    }

    /**
     * The variant of the fixture's task (Optimum v1.5.2's task names, and today's for fixtures-today;
     * {@code -with-past} takes the cache).
     */
    public Variant variant() {
        String base = task.endsWith("-with-past") ? task.substring(0, task.length() - "-with-past".length()) : task;
        Head head = switch (base) {
            case "default", "feature-extraction" -> Head.BASE;
            case "masked-lm", "fill-mask" -> Head.MASKED_LM;
            case "causal-lm", "text-generation" -> Head.CAUSAL_LM;
            case "sequence-classification", "text-classification" -> Head.SEQUENCE_CLASSIFICATION;
            case "multiple-choice" -> Head.MULTIPLE_CHOICE;
            case "token-classification" -> Head.TOKEN_CLASSIFICATION;
            case "question-answering" -> Head.QUESTION_ANSWERING;
            case "image-classification" -> Head.IMAGE_CLASSIFICATION;
            case "masked-im" -> Head.MASKED_IM;
            case "object-detection" -> Head.OBJECT_DETECTION;
            case "image-segmentation" -> Head.IMAGE_SEGMENTATION;
            case "semantic-segmentation" -> Head.SEMANTIC_SEGMENTATION;
            case "seq2seq-lm" -> Head.SEQ2SEQ_LM;
            case "speech2seq-lm" -> Head.SPEECH2SEQ_LM;
            case "zero-shot-image-classification" -> Head.ZERO_SHOT_IMAGE_CLASSIFICATION;
            // fixtures-today's audio encoders: Optimum's automatic-speech-recognition is their CTC head
            case "automatic-speech-recognition" -> Head.CTC;
            case "audio-classification" -> Head.AUDIO_CLASSIFICATION;
            case "audio-frame-classification" -> Head.AUDIO_FRAME_CLASSIFICATION;
            case "audio-xvector" -> Head.AUDIO_XVECTOR;
            default -> throw new AssertionError("no head for fixture task " + task);
        };
        return task.endsWith("-with-past") ? Variant.withPast(head) : Variant.of(head);
    }

    @Override
    public String toString() {
        return folder.getFileName().toString();
    }

    private static List<String> strings(JsonNode array) {
        List<String> values = new ArrayList<>();
        array.forEach(node -> values.add(node.asText()));
        return List.copyOf(values);
    }
}
