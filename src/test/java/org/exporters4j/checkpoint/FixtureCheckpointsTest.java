package org.exporters4j.checkpoint;

import org.exporters4j.WeightsFormat;
import static org.exporters4j.checkpoint.WeightBytes.streamed;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.exporters4j.SharedFiles;
import org.exporters4j.checkpoint.folder.Checkpoints;
import org.junit.jupiter.api.Test;

/**
 * Every fixture checkpoint (written by the real Transformers and PyTorch) whose {@code pytorch_model.bin} is at hand
 * (vendored for one fixture per model type; all with ../shared): the safetensors and the PyTorch reader give the
 * same names, types, shapes and bytes, bit for bit, and the counts match {@code manifest.json}.
 */
class FixtureCheckpointsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * Model types whose Transformers modules keep no floating-point buffer in the state dict and save every
     * parameter, so that the manifest's {@code parameters} (the model's {@code num_parameters()}) is exactly the
     * number of floating-point elements with shared storages counted once. The others hold buffers
     * (BatchNorm running statistics, GPT-2's {@code masked_bias}, rotary {@code inv_freq}, BART's
     * {@code final_logits_bias}, I-BERT's quantisation state) or, like Marian, leave parameters out on save.
     */
    private static final Set<String> ONLY_PARAMETERS = Set.of(
            "albert", "beit", "bert", "big_bird", "bloom", "camembert", "clip", "codegen", "convbert", "convnext",
            "data2vec-text", "data2vec-vision", "deberta", "deberta-v2", "deit", "distilbert", "electra",
            "flaubert", "layoutlm", "layoutlmv3", "longt5", "mobilebert", "mt5", "owlvit", "perceiver", "roberta",
            "roformer", "squeezebert", "t5", "vit", "whisper", "xlm", "xlm-roberta", "yolos");

    @Test
    void bothReadersAgreeBitForBitOnEveryFixtureAndMatchTheManifest() throws IOException {
        List<Path> folders;
        try (Stream<Path> children = Files.list(SharedFiles.fixtures())) {
            folders = children.filter(p -> Files.isDirectory(p.resolve("checkpoint"))).sorted().toList();
        }
        assertTrue(folders.size() >= 235, "expected the 239 fixture folders, found " + folders.size());
        int tiedGroups = 0;
        int parameterChecks = 0;
        Set<String> compared = new HashSet<>();
        for (Path folder : folders) {
            JsonNode manifest = JSON.readTree(folder.resolve("manifest.json").toFile());
            JsonNode checkpoint = manifest.get("checkpoint");
            // both files side by side: the vendored folder where it holds the .bin, else ../shared's copy
            Optional<Path> bin = SharedFiles.locate(folder.resolve("checkpoint").resolve("pytorch_model.bin"));
            if (bin.isEmpty()) {
                continue; // a fresh clone keeps pytorch_model.bin for one fixture per model type
            }
            Path dir = bin.get().getParent();
            String where = folder.getFileName().toString();
            compared.add(manifest.get("model_type").asText());
            try (Weights safetensors = Checkpoints.openWeights(dir, WeightsFormat.SAFETENSORS);
                 Weights pytorch = Checkpoints.openWeights(dir, WeightsFormat.PYTORCH)) {
                assertEquals(WeightsFormat.SAFETENSORS, safetensors.format());
                assertEquals(WeightsFormat.PYTORCH, pytorch.format());
                assertEquals(checkpoint.get("state_dict_keys").asInt(), safetensors.names().size(), where);
                assertEquals(safetensors.names(), pytorch.names(), where);

                Set<Object> storages = new HashSet<>();
                long floatingElements = 0;
                for (String name : pytorch.names()) {
                    TensorInfo info = pytorch.info(name);
                    assertEquals(safetensors.info(name), info, where + " " + name);
                    assertEquals(safetensors.bytes(name), pytorch.bytes(name), where + " " + name);
                    assertEquals(info.byteSize(), pytorch.bytes(name).remaining(), where + " " + name);
                    boolean floating = info.dtype() == DType.F32 || info.dtype() == DType.F16
                            || info.dtype() == DType.BF16 || info.dtype() == DType.F64;
                    if (floating && storages.add(pytorch.storageIdentity(name))) {
                        floatingElements += info.elementCount();
                    }
                }
                if (ONLY_PARAMETERS.contains(manifest.get("model_type").asText())) {
                    assertEquals(checkpoint.get("parameters").asLong(), floatingElements, where + " parameters");
                    parameterChecks++;
                }

                for (JsonNode group : checkpoint.get("tied_parameters")) {
                    List<String> names = new ArrayList<>();
                    group.forEach(n -> names.add(n.asText()));
                    List<String> saved = names.stream().filter(pytorch::contains).toList();
                    for (String other : saved.subList(1, saved.size())) {
                        assertEquals(pytorch.storageIdentity(saved.get(0)), pytorch.storageIdentity(other),
                                where + ": tied " + saved);
                        // the safetensors file stores tied tensors once per key: same values, different bytes
                        assertNotEquals(safetensors.storageIdentity(saved.get(0)), safetensors.storageIdentity(other));
                        assertEquals(safetensors.bytes(saved.get(0)), safetensors.bytes(other));
                        tiedGroups++;
                    }
                }

                String first = pytorch.names().get(0);
                assertEquals(pytorch.bytes(first), java.nio.ByteBuffer.wrap(streamed(pytorch, first)), where);
                assertEquals(safetensors.bytes(first), java.nio.ByteBuffer.wrap(streamed(safetensors, first)), where);
            }
        }
        // Optimum v1.5.2's model types but detr (no fixture) and llama (its fixtures retired for fixtures-today's)
        assertTrue(compared.size() >= 50, "model types compared: " + compared);
        // every fixture's .bin with ../shared; one per model type (and those tests name) in a fresh clone
        boolean all = SharedFiles.shared().isPresent();
        assertTrue(tiedGroups > (all ? 90 : 40), "tied parameter groups checked: " + tiedGroups);
        assertTrue(parameterChecks > (all ? 150 : 35), "parameter counts checked: " + parameterChecks);
    }
}
