package org.exporters4j.checkpoint.h5;

import static org.exporters4j.checkpoint.WeightBytes.toArray;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.exporters4j.SharedFiles;
import org.exporters4j.checkpoint.DType;
import org.exporters4j.checkpoint.ModelConfig;
import org.exporters4j.checkpoint.TensorInfo;
import org.exporters4j.checkpoint.h5.KerasWeightsWriter.TensorFlowWeight;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Round trip through the fixtures (real Transformers checkpoints): each fixture's PyTorch tensors are written the way
 * the TF twin of its architecture stores them (TF names, TF layouts, tied weights once, no PyTorch buffers), then read
 * back through {@link TensorFlowWeights}, which must present exactly the fixture's state-dict keys, types, shapes and
 * bytes, with tied keys sharing storage.
 *
 * <p>The TF side is written from the TF classes' naming, literally, per family (see {@link #tensorFlowName}), not by
 * inverting the reader's rules.
 */
class FixtureRoundTripTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern LIST_INDEX = Pattern.compile("/(\\d+)(?=/|$)");

    @TempDir
    Path folder;

    /** A tensor of the fixture's safetensors file. */
    private record Tensor(TensorInfo info, ByteBuffer data) {}

    @ParameterizedTest
    @ValueSource(strings = {
        "bert--default", "bert--masked-lm", "bert--causal-lm", "bert--sequence-classification",
        "gpt2--default", "gpt2--causal-lm", "gpt2--sequence-classification",
        "roberta--masked-lm", "xlm-roberta--default", "camembert--masked-lm", "electra--masked-lm",
        "albert--masked-lm", "distilbert--masked-lm", "distilbert--question-answering",
        "gptj--causal-lm", "gptj--default", "t5--default", "t5--seq2seq-lm", "mt5--seq2seq-lm",
        "bart--default", "bart--seq2seq-lm", "bart--sequence-classification", "vit--default",
        "vit--image-classification"})
    void aTensorFlowCopyOfTheFixtureReadsBackAsItsPyTorchStateDict(String fixture) throws IOException {
        Path checkpoint = SharedFiles.fixtures().resolve(fixture).resolve("checkpoint");
        Path manifestFile = SharedFiles.fixtures().resolve(fixture).resolve("manifest.json");
        assertTrue(Files.isDirectory(checkpoint), "missing fixture " + checkpoint);
        JsonNode manifest = JSON.readTree(manifestFile.toFile());
        ModelConfig config = ModelConfig.read(checkpoint.resolve("config.json"));
        Map<String, Tensor> pytorch = readSafetensors(checkpoint.resolve("model.safetensors"));

        Set<String> notStoredByTensorFlow = new HashSet<>();
        Map<String, String> tiedTo = new TreeMap<>();
        for (JsonNode group : manifest.get("checkpoint").get("tied_parameters")) {
            for (int i = 1; i < group.size(); i++) {
                notStoredByTensorFlow.add(group.get(i).asText());
                if (pytorch.containsKey(group.get(i).asText())) { // save_pretrained may leave a tied key out
                    tiedTo.put(group.get(i).asText(), group.get(0).asText());
                }
            }
        }
        for (String key : pytorch.keySet()) {
            if (isPyTorchBuffer(key)) {
                notStoredByTensorFlow.add(key);
            }
        }

        String architecture = config.architectures().get(0);
        String modelType = config.modelType();
        Map<String, List<TensorFlowWeight>> layers = new LinkedHashMap<>();
        for (Tensor tensor : pytorch.values()) {
            if (notStoredByTensorFlow.contains(tensor.info().name())) {
                continue;
            }
            TensorFlowWeight weight = tensorFlowWeight(modelType, architecture, tensor);
            String layer = layerOf(weight.name());
            layers.computeIfAbsent(layer, ignored -> new ArrayList<>()).add(weight);
        }
        KerasWeightsWriter writer = new KerasWeightsWriter();
        layers.forEach(writer::layer);
        Path file = folder.resolve("tf_model.h5");
        writer.write(file);

        try (TensorFlowWeights weights = TensorFlowWeights.open(file, config)) {
            Set<String> missing = new java.util.TreeSet<>(pytorch.keySet());
            missing.removeAll(weights.names());
            Set<String> extra = new java.util.TreeSet<>(weights.names());
            extra.removeAll(pytorch.keySet());
            assertEquals(List.copyOf(pytorch.keySet()), weights.names(),
                    fixture + ": the PyTorch key set; missing " + missing + ", extra " + extra);
            for (Tensor expected : pytorch.values()) {
                String name = expected.info().name();
                assertEquals(expected.info(), weights.info(name), fixture + ": " + name);
                assertTrue(Arrays.equals(toArray(expected.data()), toArray(weights.bytes(name))),
                        fixture + ": bytes of " + name);
            }
            tiedTo.forEach((key, source) -> assertEquals(weights.storageIdentity(source), weights.storageIdentity(key),
                    fixture + ": " + key + " is tied to " + source));
            assertEquals(manifest.get("checkpoint").get("state_dict_keys").asInt(), weights.names().size(), fixture);
        }
    }

    /** Buffers PyTorch registers and saves, which a TF model does not store. */
    private static boolean isPyTorchBuffer(String key) {
        return key.endsWith("embeddings.position_ids") || key.endsWith(".attn.bias") || key.endsWith(".attn.masked_bias")
                || key.equals("final_logits_bias");
    }

    /** The top-level Keras layer of a full TF weight name: its second level (the first is the model's scope). */
    private static String layerOf(String tensorFlowName) {
        String[] levels = tensorFlowName.split("/");
        return levels.length > 2 ? levels[1] : levels[0];
    }

    /** The PyTorch tensor as its TF twin stores it: TF name, TF shape and layout. */
    private static TensorFlowWeight tensorFlowWeight(String modelType, String architecture, Tensor tensor) {
        String key = tensor.info().name();
        List<Long> shape = tensor.info().shape();
        String name = tensorFlowName(modelType, architecture, key, shape);
        String leaf = name.substring(name.lastIndexOf('/') + 1);
        if (leaf.equals("kernel:0") && shape.size() == 2) {
            return new TensorFlowWeight(name, DType.F32, List.of(shape.get(1), shape.get(0)),
                    permute(tensor.data(), shape, new int[] {1, 0}));
        }
        if (leaf.equals("kernel:0") && shape.size() == 4) {
            // PyTorch Conv2d [out, in, kh, kw] → Keras Conv2D [kh, kw, in, out]
            return new TensorFlowWeight(name, DType.F32, List.of(shape.get(2), shape.get(3), shape.get(1), shape.get(0)),
                    permute(tensor.data(), shape, new int[] {2, 3, 1, 0}));
        }
        if (isGpt2Conv1D(modelType, key) && key.endsWith(".bias")) {
            return new TensorFlowWeight(name, DType.F32, List.of(1L, shape.get(0)), tensor.data()); // TFConv1D bias
        }
        return new TensorFlowWeight(name, tensor.info().dtype(), shape, tensor.data());
    }

    private static boolean isGpt2Conv1D(String modelType, String key) {
        return modelType.equals("gpt2") && (key.contains(".c_attn.") || key.contains(".c_proj.") || key.contains(".c_fc."));
    }

    /**
     * The TF weight name the TF class of {@code architecture} gives the parameter {@code key} (Transformers 4.25's TF
     * modeling files): the Keras model scope, the main layer (present in TF even for the bare base model), list
     * indices as {@code _._N}, Keras leaf names ({@code kernel}, {@code gamma}/{@code beta}, {@code embeddings}), and
     * the layers TF names differently ({@code mlm___cls}) or in an absolute scope (T5 and BART shared embeddings).
     */
    static String tensorFlowName(String modelType, String architecture, String key, List<Long> shape) {
        String scope = "tf_" + architecture.toLowerCase() + "/";
        // shared token embeddings live in an absolute variable scope
        if (modelType.equals("t5") || modelType.equals("mt5")) {
            if (key.equals("shared.weight")) {
                return "shared/shared/weight:0";
            }
        }
        if (modelType.equals("bart") && (key.equals("shared.weight") || key.equals("model.shared.weight"))) {
            return "model.shared/model.shared/weight:0";
        }
        String mainLayer = switch (modelType) {
            case "bert" -> "bert";
            case "roberta", "xlm-roberta", "camembert" -> "roberta";
            case "electra" -> "electra";
            case "albert" -> "albert";
            case "distilbert" -> "distilbert";
            case "gpt2", "gptj" -> "transformer";
            case "bart" -> "model";
            case "vit" -> "vit";
            default -> null; // T5: encoder and decoder sit directly in the model
        };
        String path = key;
        boolean bareBaseModel = architecture.endsWith("Model") && !architecture.contains("For")
                && !architecture.contains("LMHead");
        if (mainLayer != null && bareBaseModel) {
            path = mainLayer + "." + path;
        }
        if (path.startsWith("cls.")) {
            path = "mlm___" + path; // TFBert*: the prediction head is the layer "mlm___cls" (or "nsp___cls")
        }
        int cut = path.lastIndexOf('.');
        String module = path.substring(0, cut);
        String leaf = path.substring(cut + 1);
        String lastModule = module.substring(module.lastIndexOf('.') + 1);
        boolean norm = !modelType.equals("t5") && !modelType.equals("mt5")
                && (lastModule.toLowerCase().contains("norm") || lastModule.startsWith("ln_"));
        boolean embedding = lastModule.endsWith("embeddings") || lastModule.equals("wte") || lastModule.equals("wpe")
                || lastModule.equals("embed_positions") || lastModule.equals("relative_attention_bias");
        if (leaf.equals("weight")) {
            if (norm) {
                leaf = "gamma";
            } else if (embedding) {
                leaf = lastModule.equals("word_embeddings") || lastModule.equals("wte")
                        || lastModule.equals("embed_positions") ? "weight" : "embeddings";
            } else if ((shape.size() == 2 || shape.size() == 4) && !isGpt2Conv1D(modelType, key)) {
                leaf = "kernel";
            }
        } else if (leaf.equals("bias") && norm) {
            leaf = "beta";
        }
        String tensorFlowPath = LIST_INDEX.matcher(module.replace('.', '/')).replaceAll("_._$1");
        return scope + tensorFlowPath + "/" + leaf + ":0";
    }

    private static ByteBuffer permute(ByteBuffer data, List<Long> shape, int[] axes) {
        int rank = shape.size();
        int[] dims = shape.stream().mapToInt(Long::intValue).toArray();
        int[] sourceStrides = new int[rank];
        int stride = 1;
        for (int axis = rank - 1; axis >= 0; axis--) {
            sourceStrides[axis] = stride;
            stride *= dims[axis];
        }
        int count = stride;
        int[] outDims = new int[rank];
        for (int axis = 0; axis < rank; axis++) {
            outDims[axis] = dims[axes[axis]];
        }
        ByteBuffer source = data.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        ByteBuffer out = ByteBuffer.allocate(count * 4).order(ByteOrder.LITTLE_ENDIAN);
        int[] index = new int[rank];
        for (int element = 0; element < count; element++) {
            int from = 0;
            for (int axis = 0; axis < rank; axis++) {
                from += index[axis] * sourceStrides[axes[axis]];
            }
            out.putFloat(source.getFloat(from * 4));
            for (int axis = rank - 1; axis >= 0; axis--) {
                if (++index[axis] < outDims[axis]) {
                    break;
                }
                index[axis] = 0;
            }
        }
        return out.flip();
    }

    /** A minimal safetensors reader for the fixtures (the product's reader lives in checkpoint.safetensors). */
    private static Map<String, Tensor> readSafetensors(Path file) throws IOException {
        byte[] all = Files.readAllBytes(file);
        ByteBuffer buffer = ByteBuffer.wrap(all).order(ByteOrder.LITTLE_ENDIAN);
        int headerLength = (int) buffer.getLong(0);
        JsonNode header = JSON.readTree(new String(all, 8, headerLength, StandardCharsets.UTF_8));
        Map<String, Tensor> tensors = new TreeMap<>();
        header.properties().forEach(field -> {
            if (field.getKey().equals("__metadata__")) {
                return;
            }
            JsonNode entry = field.getValue();
            DType dtype = DType.fromSafetensorsName(entry.get("dtype").asText()).orElseThrow();
            List<Long> shape = new ArrayList<>();
            entry.get("shape").forEach(dimension -> shape.add(dimension.asLong()));
            int begin = 8 + headerLength + entry.get("data_offsets").get(0).asInt();
            int end = 8 + headerLength + entry.get("data_offsets").get(1).asInt();
            ByteBuffer data = ByteBuffer.wrap(Arrays.copyOfRange(all, begin, end)).order(ByteOrder.LITTLE_ENDIAN);
            tensors.put(field.getKey(), new Tensor(new TensorInfo(field.getKey(), dtype, shape), data));
        });
        return tensors;
    }
}
