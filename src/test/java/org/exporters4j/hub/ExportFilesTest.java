package org.exporters4j.hub;

import org.exporters4j.WeightsFormat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which files of a repository an export fetches. */
class ExportFilesTest {
    private static final String WHERE = "repository x at revision main";

    @TempDir
    Path temp;

    @Test
    void safetensorsArePreferredThenPytorchThenTensorflow() {
        List<String> all = List.of("config.json", "tf_model.h5", "pytorch_model.bin", "model.safetensors",
                "flax_model.msgpack", "README.md", ".gitattributes");
        assertEquals("model.safetensors", select(all).weights());
        assertEquals("pytorch_model.bin", select(List.of("config.json", "tf_model.h5", "pytorch_model.bin")).weights());
        assertEquals("tf_model.h5", select(List.of("config.json", "tf_model.h5")).weights());
        ExportFiles tf = ExportFiles.select(all, "", List.of(WeightsFormat.TF_H5, WeightsFormat.PYTORCH), WHERE);
        assertEquals(WeightsFormat.TF_H5, tf.format());
        assertEquals(List.of(WeightsFormat.SAFETENSORS, WeightsFormat.PYTORCH, WeightsFormat.TF_H5),
                ExportFiles.availableFormats(all, ""));
    }

    @Test
    void aSingleFileWinsOverAnIndexOfTheSameFormatButAnIndexOfABetterFormatWins() {
        ExportFiles single = select(List.of("config.json", "model.safetensors", "model.safetensors.index.json"));
        assertEquals(ExportFiles.Sharding.SINGLE_FILE, single.sharding());
        ExportFiles index = select(List.of("config.json", "pytorch_model.bin", "model.safetensors.index.json",
                "model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors"));
        assertEquals("model.safetensors.index.json", index.weights());
        assertEquals(ExportFiles.Sharding.INDEXED_SHARDS, index.sharding());
    }

    @Test
    void companionsAreTheTokenizerProcessorAndGenerationFilesPresent() {
        ExportFiles files = select(List.of("config.json", "model.safetensors", "vocab.json", "merges.txt",
                "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "spiece.model",
                "preprocessor_config.json", "generation_config.json", "training_args.bin", "README.md",
                "onnx/model.onnx", "sub/vocab.txt"));
        assertEquals(List.of("config.json", "generation_config.json", "merges.txt", "preprocessor_config.json",
                "special_tokens_map.json", "spiece.model", "tokenizer.json", "tokenizer_config.json", "vocab.json"),
                files.companions());
        assertEquals("model.safetensors", files.files().get(files.files().size() - 1));
    }

    @Test
    void aSubfolderSelectsItsOwnFiles() {
        ExportFiles files = ExportFiles.select(List.of("config.json", "model.safetensors", "text_encoder/config.json",
                "text_encoder/pytorch_model.bin", "text_encoder/vocab.json"), "text_encoder",
                WeightsFormat.DEFAULT_PREFERENCE, WHERE);
        assertEquals(List.of("text_encoder/config.json", "text_encoder/vocab.json", "text_encoder/pytorch_model.bin"),
                files.files());
    }

    @Test
    void missingConfigOrWeightsSayWhatWasLookedFor() {
        HubException noConfig = assertThrows(HubException.class,
                () -> select(List.of("model.safetensors", "README.md")));
        assertEquals("repository x at revision main has no config.json, so it is not a Transformers checkpoint; "
                + "files there: README.md, model.safetensors. Check the model id, revision and subfolder",
                noConfig.getMessage());
        HubException noWeights = assertThrows(HubException.class,
                () -> select(List.of("config.json", "flax_model.msgpack")));
        assertEquals(HubException.Kind.FILE_NOT_FOUND, noWeights.kind());
        assertTrue(noWeights.getMessage().startsWith("repository x at revision main has no weights exporters4j can "
                + "read: looked for [model.safetensors, model.safetensors.index.json, pytorch_model.bin, "
                + "pytorch_model.bin.index.json, tf_model.h5, tf_model.h5.index.json], found config.json, "
                + "flax_model.msgpack."), noWeights.getMessage());
    }

    @Test
    void shardsComeFromTheIndexWeightMap() throws IOException {
        ExportFiles files = ExportFiles.select(List.of("m/config.json", "m/pytorch_model.bin.index.json"), "m",
                WeightsFormat.DEFAULT_PREFERENCE, WHERE);
        Path index = temp.resolve("index.json");
        Files.writeString(index, "{\"metadata\": {}, \"weight_map\": {\"b\": \"pytorch_model-00002-of-00002.bin\", "
                + "\"a\": \"pytorch_model-00001-of-00002.bin\", \"c\": \"pytorch_model-00002-of-00002.bin\"}}");
        assertEquals(List.of("m/pytorch_model-00001-of-00002.bin", "m/pytorch_model-00002-of-00002.bin"),
                files.shards(index));

        Files.writeString(index, "{\"weight_map\": {\"a\": \"../../escape.bin\"}}");
        HubException escape = assertThrows(HubException.class, () -> files.shards(index));
        assertTrue(escape.getMessage().contains("shard name '../../escape.bin' is not a plain relative path"),
                escape.getMessage());
        Files.writeString(index, "not json");
        assertTrue(assertThrows(HubException.class, () -> files.shards(index)).getMessage().contains("not JSON"));
        Files.writeString(index, "{\"metadata\": {}}");
        assertTrue(assertThrows(HubException.class, () -> files.shards(index)).getMessage()
                .contains("no \"weight_map\""));
    }

    @Test
    void anIndexNamingAnyIndexAsAShardIsRefused() throws IOException {
        ExportFiles files = ExportFiles.select(List.of("config.json", "model.safetensors.index.json"), "",
                WeightsFormat.DEFAULT_PREFERENCE, WHERE);
        Path index = temp.resolve("loop.json");
        for (WeightsFormat format : WeightsFormat.values()) {
            Files.writeString(index, "{\"weight_map\": {\"a\": \"" + format.indexFileName() + "\"}}");
            HubException e = assertThrows(HubException.class, () -> files.shards(index), format.name());
            assertTrue(e.getMessage().contains(format == WeightsFormat.SAFETENSORS ? "it names itself as a shard"
                    : "it names another index, '" + format.indexFileName() + "', as a shard"), e.getMessage());
        }
        Files.writeString(index, "{\"weight_map\": {\"a\": \"model-00001-of-00001.safetensors\"}}");
        assertEquals(List.of("model-00001-of-00001.safetensors"), files.shards(index));
    }

    @Test
    void theCompanionTableIsSortedAndUnique() {
        List<String> rows = List.copyOf(ExportFiles.COMPANION_FILES);
        assertEquals(rows.stream().sorted().distinct().toList(), rows);
    }

    private static ExportFiles select(List<String> files) {
        return ExportFiles.select(files, "", WeightsFormat.DEFAULT_PREFERENCE, WHERE);
    }
}
