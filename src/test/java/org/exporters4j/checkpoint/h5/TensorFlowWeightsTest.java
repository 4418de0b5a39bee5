package org.exporters4j.checkpoint.h5;

import static org.exporters4j.checkpoint.WeightBytes.streamed;
import static org.exporters4j.checkpoint.WeightBytes.toArray;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.exporters4j.checkpoint.CheckpointException;
import org.exporters4j.checkpoint.CorruptCheckpointException;
import org.exporters4j.checkpoint.DType;
import org.exporters4j.checkpoint.MissingTensorException;
import org.exporters4j.checkpoint.ModelConfig;
import org.exporters4j.checkpoint.TensorInfo;
import org.exporters4j.WeightsFormat;
import org.exporters4j.checkpoint.h5.KerasWeightsWriter.TensorFlowWeight;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TensorFlowWeightsTest {
    @TempDir
    Path folder;

    /** F32 values {@code start, start + 1, ...} in row-major order. */
    private static TensorFlowWeight floats(String name, float start, long... shape) {
        long count = 1;
        List<Long> dimensions = new ArrayList<>();
        for (long dimension : shape) {
            count *= dimension;
            dimensions.add(dimension);
        }
        ByteBuffer data = ByteBuffer.allocate((int) count * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < count; i++) {
            data.putFloat(start + i);
        }
        return new TensorFlowWeight(name, DType.F32, dimensions, data.flip());
    }

    private static float[] values(ByteBuffer bytes) {
        ByteBuffer little = bytes.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        float[] values = new float[little.remaining() / 4];
        little.asFloatBuffer().get(values);
        return values;
    }

    private static ModelConfig config(String json) {
        return ModelConfig.parse(json, "test config.json");
    }

    private Path bertForMaskedLm() {
        String scope = "tf_bert_for_masked_lm/";
        Path file = folder.resolve("tf_model.h5");
        new KerasWeightsWriter()
                .layer("bert", List.of(
                        floats(scope + "bert/embeddings/word_embeddings/weight:0", 0, 10, 4),
                        floats(scope + "bert/embeddings/position_embeddings/embeddings:0", 100, 8, 4),
                        floats(scope + "bert/embeddings/LayerNorm/gamma:0", 200, 4),
                        floats(scope + "bert/embeddings/LayerNorm/beta:0", 300, 4),
                        floats(scope + "bert/encoder/layer_._0/attention/self/query/kernel:0", 400, 4, 6),
                        floats(scope + "bert/encoder/layer_._0/attention/self/query/bias:0", 500, 6),
                        // 192 bytes: beyond a whole mapping with 64-byte windows, so read piece by piece there
                        floats(scope + "bert/encoder/layer_._0/intermediate/dense/kernel:0", 800, 4, 12)))
                .layer("mlm___cls", List.of(
                        floats(scope + "mlm___cls/predictions/bias:0", 600, 10),
                        floats(scope + "mlm___cls/predictions/transform/dense/kernel:0", 700, 4, 4)))
                .write(file);
        return file;
    }

    private static final String BERT_MLM_CONFIG = """
            {"model_type": "bert", "architectures": ["BertForMaskedLM"], "vocab_size": 10,
             "max_position_embeddings": 8, "hidden_size": 4}""";

    @Test
    void readsKerasWeightsAsThePyTorchStateDictOfTheArchitecture() throws IOException {
        try (TensorFlowWeights weights = TensorFlowWeights.open(bertForMaskedLm(), config(BERT_MLM_CONFIG))) {
            assertEquals(List.of(
                    "bert.embeddings.LayerNorm.bias",
                    "bert.embeddings.LayerNorm.weight",
                    "bert.embeddings.position_embeddings.weight",
                    "bert.embeddings.position_ids",
                    "bert.embeddings.word_embeddings.weight",
                    "bert.encoder.layer.0.attention.self.query.bias",
                    "bert.encoder.layer.0.attention.self.query.weight",
                    "bert.encoder.layer.0.intermediate.dense.weight",
                    "cls.predictions.bias",
                    "cls.predictions.decoder.bias",
                    "cls.predictions.decoder.weight",
                    "cls.predictions.transform.dense.weight"), weights.names());
            assertEquals(WeightsFormat.TF_H5, weights.format());
            assertEquals(List.of(folder.resolve("tf_model.h5")), weights.files());

            // a dense kernel [in=4, out=6] is PyTorch's Linear weight [out, in]: weight[o][i] == kernel[i][o]
            TensorInfo query = weights.info("bert.encoder.layer.0.attention.self.query.weight");
            assertEquals(new TensorInfo("bert.encoder.layer.0.attention.self.query.weight", DType.F32, List.of(6L, 4L)),
                    query);
            float[] transposed = values(weights.bytes(query.name()));
            for (int o = 0; o < 6; o++) {
                for (int i = 0; i < 4; i++) {
                    assertEquals(400 + i * 6 + o, transposed[o * 4 + i], "weight[" + o + "][" + i + "]");
                }
            }
            assertEquals(query.byteSize(), weights.bytes(query.name()).remaining());
            assertTrue(java.util.Arrays.equals(toArray(weights.bytes(query.name())), streamed(weights, query.name())));

            // stored in PyTorch's layout: a zero-copy, read-only slice of the mapped file
            ByteBuffer words = weights.bytes("bert.embeddings.word_embeddings.weight");
            assertTrue(words.isDirect() && words.isReadOnly());
            assertEquals(ByteOrder.LITTLE_ENDIAN, words.order());
            assertEquals(0f, values(words)[0]);
            assertEquals(39f, values(words)[39]);
            assertEquals(Optional.of("tf_bert_for_masked_lm/bert/embeddings/word_embeddings/weight:0"),
                    weights.tensorFlowName("bert.embeddings.word_embeddings.weight"));

            // tied: the decoder is the word embeddings, its bias the prediction bias
            assertEquals(weights.info("bert.embeddings.word_embeddings.weight").shape(),
                    weights.info("cls.predictions.decoder.weight").shape());
            assertTrue(java.util.Arrays.equals(toArray(words), toArray(weights.bytes("cls.predictions.decoder.weight"))));
            assertEquals(weights.storageIdentity("bert.embeddings.word_embeddings.weight"),
                    weights.storageIdentity("cls.predictions.decoder.weight"));
            assertEquals(weights.storageIdentity("cls.predictions.bias"),
                    weights.storageIdentity("cls.predictions.decoder.bias"));
            assertNotEquals(weights.storageIdentity("cls.predictions.bias"),
                    weights.storageIdentity("bert.embeddings.LayerNorm.bias"));
            assertEquals(600f, values(weights.bytes("cls.predictions.decoder.bias"))[0]);
            assertEquals(Optional.empty(), weights.tensorFlowName("cls.predictions.decoder.weight"));

            // the position_ids buffer PyTorch registers: arange(max_position_embeddings) as [1, 8] int64
            TensorInfo positions = weights.info("bert.embeddings.position_ids");
            assertEquals(new TensorInfo("bert.embeddings.position_ids", DType.I64, List.of(1L, 8L)), positions);
            ByteBuffer ids = weights.bytes(positions.name()).order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < 8; i++) {
                assertEquals(i, ids.getLong(i * 8));
            }
            assertTrue(java.util.Arrays.equals(toArray(ids), streamed(weights, positions.name())));
            float[] intermediate = values(weights.bytes("bert.encoder.layer.0.intermediate.dense.weight"));
            assertEquals(800f + 1 * 12 + 11, intermediate[11 * 4 + 1]); // weight[11][1] == kernel[1][11]
            assertEquals(new TensorInfo("cls.predictions.transform.dense.weight", DType.F32, List.of(4L, 4L)),
                    weights.info("cls.predictions.transform.dense.weight"));
        }
    }

    @Test
    void aBareBaseModelHasNoBaseModelPrefix() {
        String scope = "tf_bert_model/";
        Path file = folder.resolve("tf_model.h5");
        new KerasWeightsWriter().layer("bert", List.of(
                        floats(scope + "bert/embeddings/word_embeddings/weight:0", 0, 10, 4),
                        floats(scope + "bert/embeddings/position_embeddings/embeddings:0", 100, 8, 4),
                        floats(scope + "bert/pooler/dense/kernel:0", 200, 4, 4)))
                .write(file);
        List<String> expected = List.of("embeddings.position_embeddings.weight", "embeddings.position_ids",
                "embeddings.word_embeddings.weight", "pooler.dense.weight");
        try (TensorFlowWeights weights = TensorFlowWeights.open(file, config("""
                {"model_type": "bert", "architectures": ["BertModel"], "max_position_embeddings": 8}"""))) {
            assertEquals(expected, weights.names());
        }
        // without architectures: every weight lies under the base model's scope, so it is the base model
        try (TensorFlowWeights weights = TensorFlowWeights.open(file, config("""
                {"model_type": "bert", "max_position_embeddings": 8}"""))) {
            assertEquals(expected, weights.names());
        }
        // a head architecture keeps the prefix
        try (TensorFlowWeights weights = TensorFlowWeights.open(file, config("""
                {"model_type": "bert", "architectures": ["BertForSequenceClassification"],
                 "max_position_embeddings": 8}"""))) {
            assertTrue(weights.contains("bert.pooler.dense.weight"));
            assertFalse(weights.contains("pooler.dense.weight"));
        }
    }

    @Test
    void gpt2Conv1DKeepsItsLayoutAndItsBiasLosesTheLeadingUnitAxis() {
        String scope = "tfgp_t2lm_head_model/transformer/";
        Path file = folder.resolve("tf_model.h5");
        new KerasWeightsWriter().layer("transformer", List.of(
                        floats(scope + "wte/weight:0", 0, 10, 4),
                        floats(scope + "wpe/embeddings:0", 100, 5, 4),
                        floats(scope + "h_._0/ln_1/gamma:0", 200, 4),
                        floats(scope + "h_._0/attn/c_attn/weight:0", 300, 4, 12),
                        floats(scope + "h_._0/attn/c_attn/bias:0", 400, 1, 12)))
                .write(file);
        try (TensorFlowWeights weights = TensorFlowWeights.open(file, config("""
                {"model_type": "gpt2", "architectures": ["GPT2LMHeadModel"], "n_positions": 5, "vocab_size": 10}"""))) {
            assertEquals(List.of("lm_head.weight", "transformer.h.0.attn.bias", "transformer.h.0.attn.c_attn.bias",
                    "transformer.h.0.attn.c_attn.weight", "transformer.h.0.attn.masked_bias", "transformer.h.0.ln_1.weight",
                    "transformer.wpe.weight", "transformer.wte.weight"), weights.names());
            assertEquals(List.of(4L, 12L), weights.info("transformer.h.0.attn.c_attn.weight").shape());
            assertEquals(300f, values(weights.bytes("transformer.h.0.attn.c_attn.weight"))[0]);
            assertEquals(301f, values(weights.bytes("transformer.h.0.attn.c_attn.weight"))[1]);
            assertEquals(List.of(12L), weights.info("transformer.h.0.attn.c_attn.bias").shape());
            assertEquals(411f, values(weights.bytes("transformer.h.0.attn.c_attn.bias"))[11]);
            assertEquals(weights.storageIdentity("transformer.wte.weight"), weights.storageIdentity("lm_head.weight"));

            TensorInfo mask = weights.info("transformer.h.0.attn.bias");
            assertEquals(new TensorInfo("transformer.h.0.attn.bias", DType.U8, List.of(1L, 1L, 5L, 5L)), mask);
            ByteBuffer causal = weights.bytes(mask.name());
            for (int row = 0; row < 5; row++) {
                for (int column = 0; column < 5; column++) {
                    assertEquals(column <= row ? 1 : 0, causal.get(row * 5 + column), "mask[" + row + "][" + column + "]");
                }
            }
            assertEquals(new TensorInfo("transformer.h.0.attn.masked_bias", DType.F32, List.of()),
                    weights.info("transformer.h.0.attn.masked_bias"));
            assertEquals(-1e4f, values(weights.bytes("transformer.h.0.attn.masked_bias"))[0]);
        }
    }

    @Test
    void conv2dKernelsArePermutedToOutInHeightWidth() {
        Path file = folder.resolve("tf_model.h5");
        // TF [kh=2, kw=3, in=2, out=5]
        new KerasWeightsWriter().layer("vit", List.of(
                        floats("tf_vi_t_model/vit/embeddings/patch_embeddings/projection/kernel:0", 0, 2, 3, 2, 5),
                        floats("tf_vi_t_model/vit/embeddings/cls_token:0", 100, 1, 1, 5)))
                .write(file);
        try (TensorFlowWeights weights = TensorFlowWeights.open(file, config("""
                {"model_type": "vit", "architectures": ["ViTModel"]}"""))) {
            assertEquals(List.of("embeddings.cls_token", "embeddings.patch_embeddings.projection.weight"),
                    weights.names());
            String name = "embeddings.patch_embeddings.projection.weight";
            assertEquals(List.of(5L, 2L, 2L, 3L), weights.info(name).shape());
            float[] pytorch = values(weights.bytes(name));
            for (int out = 0; out < 5; out++) {
                for (int in = 0; in < 2; in++) {
                    for (int h = 0; h < 2; h++) {
                        for (int w = 0; w < 3; w++) {
                            float tensorFlow = ((h * 3 + w) * 2 + in) * 5 + out;
                            assertEquals(tensorFlow, pytorch[((out * 2 + in) * 2 + h) * 3 + w]);
                        }
                    }
                }
            }
            assertEquals(List.of(1L, 1L, 5L), weights.info("embeddings.cls_token").shape());
        }
    }

    @Test
    void untiedOutputEmbeddingsKeepTheFileTensorAndTiedOnesShareTheInputEmbeddings() throws IOException {
        Path file = folder.resolve("tf_model.h5");
        new KerasWeightsWriter()
                .layer("shared", List.of(floats("shared/shared/weight:0", 0, 6, 4)))
                .layer("lm_head", List.of(floats("tft5_for_conditional_generation/lm_head/kernel:0", 50, 4, 6)))
                .write(file);
        try (TensorFlowWeights weights = TensorFlowWeights.open(file, config("""
                {"model_type": "t5", "architectures": ["T5ForConditionalGeneration"], "tie_word_embeddings": false}"""))) {
            assertEquals(List.of("decoder.embed_tokens.weight", "encoder.embed_tokens.weight", "lm_head.weight",
                    "shared.weight"), weights.names());
            assertEquals(50f, values(weights.bytes("lm_head.weight"))[0]);
            assertEquals(56f, values(weights.bytes("lm_head.weight"))[1]); // transposed [6, 4]
            assertNotEquals(weights.storageIdentity("shared.weight"), weights.storageIdentity("lm_head.weight"));
            assertEquals(weights.storageIdentity("shared.weight"), weights.storageIdentity("encoder.embed_tokens.weight"));
        }
        try (TensorFlowWeights weights = TensorFlowWeights.open(file, config("""
                {"model_type": "t5", "architectures": ["T5ForConditionalGeneration"]}"""))) {
            // tied (the default): PyTorch loads shared.weight only, the file's lm_head kernel is unused
            assertEquals(weights.storageIdentity("shared.weight"), weights.storageIdentity("lm_head.weight"));
            assertTrue(java.util.Arrays.equals(toArray(weights.bytes("shared.weight")), streamed(weights, "lm_head.weight")));
        }
    }

    @Test
    void bartConditionalGenerationGetsItsZeroFinalLogitsBias() {
        Path file = folder.resolve("tf_model.h5");
        new KerasWeightsWriter().layer("model", List.of(
                        floats("model.shared/model.shared/weight:0", 0, 7, 4),
                        floats("tf_bart_for_conditional_generation/model/encoder/embed_positions/weight:0", 100, 6, 4)))
                .write(file);
        try (TensorFlowWeights weights = TensorFlowWeights.open(file, config("""
                {"model_type": "bart", "architectures": ["BartForConditionalGeneration"], "vocab_size": 7}"""))) {
            assertEquals(List.of("final_logits_bias", "lm_head.weight", "model.decoder.embed_tokens.weight",
                    "model.encoder.embed_positions.weight", "model.encoder.embed_tokens.weight", "model.shared.weight"),
                    weights.names());
            assertEquals(new TensorInfo("final_logits_bias", DType.F32, List.of(1L, 7L)), weights.info("final_logits_bias"));
            for (float value : values(weights.bytes("final_logits_bias"))) {
                assertEquals(0f, value);
            }
        }
    }

    @Test
    void smallMappingWindowsServeTheSameBytes() throws IOException {
        Path file = bertForMaskedLm();
        try (TensorFlowWeights whole = TensorFlowWeights.open(file, config(BERT_MLM_CONFIG));
             TensorFlowWeights windowed = TensorFlowWeights.open(file, config(BERT_MLM_CONFIG), 64)) {
            assertEquals(whole.names(), windowed.names());
            for (String name : whole.names()) {
                byte[] expected = toArray(whole.bytes(name));
                assertTrue(java.util.Arrays.equals(expected, toArray(windowed.bytes(name))), name);
                assertTrue(java.util.Arrays.equals(expected, streamed(windowed, name)), name);
            }
        }
    }

    @Test
    void splitWeightNameAttributesAndWholeModelFilesAreRead() {
        Path file = folder.resolve("model.h5");
        new KerasWeightsWriter().underGroup("model_weights").splitAttributesEvery(2)
                .layer("bert", List.of(
                        floats("m/bert/embeddings/word_embeddings/weight:0", 0, 10, 4),
                        floats("m/bert/embeddings/token_type_embeddings/embeddings:0", 0, 2, 4),
                        floats("m/bert/pooler/dense/kernel:0", 0, 4, 4),
                        floats("m/bert/pooler/dense/bias:0", 0, 4)))
                .layer("classifier", List.of(floats("m/classifier/kernel:0", 0, 4, 3)))
                .write(file);
        try (TensorFlowWeights weights = TensorFlowWeights.open(file, config("""
                {"model_type": "bert", "architectures": ["BertForSequenceClassification"]}"""))) {
            assertEquals(List.of("bert.embeddings.token_type_embeddings.weight", "bert.embeddings.word_embeddings.weight",
                    "bert.pooler.dense.bias", "bert.pooler.dense.weight", "classifier.weight"), weights.names());
            assertEquals(List.of(3L, 4L), weights.info("classifier.weight").shape());
        }
    }

    @Test
    void unknownModelTypesStillConvertEveryName() {
        Path file = folder.resolve("tf_model.h5");
        new KerasWeightsWriter().layer("main", List.of(floats("tf_x_model/main/blocks_._1/proj/kernel:0", 0, 2, 3)))
                .write(file);
        try (TensorFlowWeights weights = TensorFlowWeights.open(file, config("""
                {"model_type": "something-new", "architectures": ["SomethingNewModel"]}"""))) {
            assertEquals(List.of("main.blocks.1.proj.weight"), weights.names());
            assertEquals(List.of(3L, 2L), weights.info("main.blocks.1.proj.weight").shape());
        }
    }

    @Test
    void unknownNamesListCloseMatchesAndClosedWeightsRefuseReads() {
        TensorFlowWeights weights = TensorFlowWeights.open(bertForMaskedLm(), config(BERT_MLM_CONFIG));
        MissingTensorException missing = assertThrows(MissingTensorException.class,
                () -> weights.info("bert.encoder.layer.0.attention.self.query.kernel"));
        assertTrue(missing.getMessage().contains("bert.encoder.layer.0.attention.self.query.weight"), missing.getMessage());
        assertTrue(missing.getMessage().contains("12 tensors"), missing.getMessage());
        assertEquals("bert.encoder.layer.0.attention.self.query.kernel", missing.tensorName());
        weights.close();
        weights.close();
        IllegalStateException closed = assertThrows(IllegalStateException.class, weights::names);
        assertTrue(closed.getMessage().contains("closed"), closed.getMessage());
        assertThrows(IllegalStateException.class, () -> weights.bytes("cls.predictions.bias"));
    }

    @Test
    void aFileThatIsNotHdf5IsCorrupt() throws IOException {
        Path file = folder.resolve("tf_model.h5");
        Files.writeString(file, "not an HDF5 file at all, just text");
        CorruptCheckpointException error = assertThrows(CorruptCheckpointException.class,
                () -> TensorFlowWeights.open(file, config(BERT_MLM_CONFIG)));
        assertTrue(error.getMessage().contains(file.toString()) && error.getMessage().contains("HDF5"),
                error.getMessage());
    }

    @Test
    void aTruncatedFileIsCorrupt() throws IOException {
        Path whole = bertForMaskedLm();
        Path truncated = folder.resolve("truncated.h5");
        byte[] bytes = Files.readAllBytes(whole);
        Files.write(truncated, java.util.Arrays.copyOf(bytes, bytes.length / 2));
        CheckpointException error = assertThrows(CheckpointException.class,
                () -> TensorFlowWeights.open(truncated, config(BERT_MLM_CONFIG)));
        assertTrue(error.getMessage().contains(truncated.toString()), error.getMessage());
    }

    @Test
    void anHdf5FileWithoutLayerNamesIsNotKerasWeights() {
        Path file = folder.resolve("tf_model.h5");
        try (io.jhdf.WritableHdfFile hdf = io.jhdf.HdfFile.write(file)) {
            hdf.putGroup("something").putDataset("x", new float[] {1, 2});
        }
        CorruptCheckpointException error = assertThrows(CorruptCheckpointException.class,
                () -> TensorFlowWeights.open(file, config(BERT_MLM_CONFIG)));
        assertTrue(error.getMessage().contains("layer_names"), error.getMessage());
    }

    @Test
    void aListedLayerWithoutItsGroupIsCorrupt() {
        Path file = folder.resolve("tf_model.h5");
        try (io.jhdf.WritableHdfFile hdf = io.jhdf.HdfFile.write(file)) {
            hdf.putAttribute("layer_names", new String[] {"classifier"});
            hdf.putGroup("bert").putAttribute("weight_names", new String[] {"m/bert/x:0"});
        }
        CorruptCheckpointException error = assertThrows(CorruptCheckpointException.class,
                () -> TensorFlowWeights.open(file, config(BERT_MLM_CONFIG)));
        assertTrue(error.getMessage().contains("'classifier'"), error.getMessage());
    }

    @Test
    void aListedWeightWithoutItsDatasetIsCorrupt() {
        Path file = folder.resolve("tf_model.h5");
        try (io.jhdf.WritableHdfFile hdf = io.jhdf.HdfFile.write(file)) {
            hdf.putAttribute("layer_names", new String[] {"bert"});
            hdf.putGroup("bert").putAttribute("weight_names", new String[] {"m/bert/pooler/dense/kernel:0"});
        }
        CorruptCheckpointException error = assertThrows(CorruptCheckpointException.class,
                () -> TensorFlowWeights.open(file, config(BERT_MLM_CONFIG)));
        assertTrue(error.getMessage().contains("m/bert/pooler/dense/kernel:0"), error.getMessage());
    }

    @Test
    void twoWeightsWithOnePyTorchKeyAreRefused() {
        Path file = folder.resolve("tf_model.h5");
        new KerasWeightsWriter()
                .layer("a", List.of(floats("scope_one/bert/pooler/dense/bias:0", 0, 4)))
                .layer("b", List.of(floats("scope_two/bert/pooler/dense/bias:0", 0, 4)))
                .write(file);
        CorruptCheckpointException error = assertThrows(CorruptCheckpointException.class,
                () -> TensorFlowWeights.open(file, config(BERT_MLM_CONFIG)));
        assertTrue(error.getMessage().contains("bert.pooler.dense.bias"), error.getMessage());
    }

    @Test
    void aMissingFileSaysWhatAFolderShouldHold() {
        CheckpointException error = assertThrows(CheckpointException.class,
                () -> TensorFlowWeights.open(folder.resolve("tf_model.h5"), config(BERT_MLM_CONFIG)));
        assertTrue(error.getMessage().contains("tf_model.h5"), error.getMessage());
    }
}
