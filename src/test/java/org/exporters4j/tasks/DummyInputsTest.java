package org.exporters4j.tasks;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ReadOnlyBufferException;
import java.util.List;
import java.util.Map;
import org.exporters4j.checkpoint.ModelConfig;
import org.exporters4j.checkpoint.ModelConfigException;
import org.junit.jupiter.api.Test;
import org.exporters4j.onnx.ElementType;

/** Dummy inputs for every registered pair: names, types, shapes, value ranges, determinism. */
class DummyInputsTest {
    private static final int VOCAB = 50;
    private static final int EOS = 2;

    /** A small config every model type can read: 2 layers, 4 heads of width 4, 32x32 images, 8 mel bins x 20 frames. */
    static ModelConfig smallConfig(String modelType) {
        return ModelConfig.parse("""
                {"model_type": "%s", "use_cache": true, "vocab_size": 50, "eos_token_id": 2, "pad_token_id": 1,
                 "hidden_size": 16, "n_embd": 16, "d_model": 16, "d_kv": 4,
                 "num_attention_heads": 4, "n_head": 4, "num_heads": 4, "encoder_attention_heads": 4,
                 "decoder_attention_heads": 4, "num_hidden_layers": 2, "n_layer": 2, "num_layers": 2,
                 "num_decoder_layers": 2, "encoder_layers": 2, "decoder_layers": 2, "type_vocab_size": 2,
                 "max_2d_position_embeddings": 1024, "image_size": 32, "input_size": 32, "num_channels": 3,
                 "num_mel_bins": 8, "max_source_positions": 10,
                 "text_config": {"vocab_size": 50}, "vision_config": {"image_size": 32, "num_channels": 3}}
                """.formatted(modelType.replace('-', '_')), "small " + modelType + " config");
    }

    @Test
    void everyPairGetsValidDummyInputsInGraphOrder() {
        int pairs = 0;
        for (Map.Entry<String, List<String>> type : TasksManager.getSupportedTasksByModelType("onnx").entrySet()) {
            for (String task : type.getValue()) {
                ExportConfig config = TasksManager.getExporterConfigConstructor(type.getKey(), "onnx", task)
                        .create(smallConfig(type.getKey()));
                DummyInputs dummies = config.generateDummyInputs(7);
                String where = type.getKey() + " / " + task;
                assertEquals(config.inputNames(), dummies.names(), where);
                for (DynamicTensor input : config.inputs()) {
                    DummyTensor dummy = dummies.get(input.name());
                    assertEquals(input.elementType(), dummy.elementType(), where + " " + input.name());
                    // Batch first; BLOOM's cache folds the 4 heads into it.
                    long batch = type.getKey().equals("bloom") && input.name().startsWith("past") ? 8L : 2L;
                    assertEquals(batch, dummy.shape().get(0), where + " " + input.name());
                    assertTrue(input.dynamicAxes().keySet().stream().allMatch(axis -> axis < dummy.shape().size()),
                            where + " " + input.name() + " has every dynamic axis");
                    checkValues(config, dummy, where);
                }
                pairs++;
            }
        }
        assertEquals(348 + 17 + 1, pairs, "Optimum v1.5.2's 243 pairs, 59 of today's Llama family, 33 of falcon, "
                + "gpt-bigcode, gpt-neox, opt, phi, stablelm, 13 of wav2vec2, hubert, wavlm, 17 of mpnet, modernbert, "
                + "dinov2, swin, siglip and sam's");
    }

    private static void checkValues(ExportConfig config, DummyTensor dummy, String where) {
        String name = dummy.name();
        long count = dummy.elementCount();
        long rowLength = dummy.shape().get(dummy.shape().size() - 1);
        for (long i = 0; i < count; i++) {
            switch (name) {
                case "input_ids", "decoder_input_ids" -> {
                    long id = dummy.longAt(i);
                    assertTrue(id >= 0 && id < VOCAB, where + ": " + name + " " + id + " outside the vocabulary");
                }
                case "attention_mask", "decoder_attention_mask" -> {
                    long value = dummy.longAt(i);
                    assertTrue(value == 0 || value == 1, where + ": mask value " + value);
                    if (i % rowLength == 0) {
                        assertEquals(1, value, where + ": a mask row starts unpadded");
                    }
                    if (i % rowLength > 0 && value == 1) {
                        assertEquals(1, dummy.longAt(i - 1), where + ": padding only at the end of a row");
                    }
                }
                // the new tokens' positions, after the past when the graph takes one
                case "position_ids" -> assertEquals(config.inputNames().stream().anyMatch(
                                input -> input.startsWith("past_key_values."))
                        ? DummyShapes.OPTIMUM_DEFAULTS.pastSequenceLength() : 0, dummy.longAt(i) - i % rowLength,
                        where + ": position " + i);
                case "token_type_ids" -> assertTrue(dummy.longAt(i) == (i % rowLength >= rowLength / 2 ? 1 : 0), where);
                case "pixel_mask" -> assertEquals(1, dummy.longAt(i), where);
                case "pixel_values" -> assertTrue(dummy.floatAt(i) >= 0f && dummy.floatAt(i) < 1f, where);
                case "input_values" -> assertTrue(dummy.floatAt(i) >= -1f && dummy.floatAt(i) < 1f, where);
                case "input_features" -> assertTrue(dummy.floatAt(i) >= -1f && dummy.floatAt(i) < 1f, where);
                // SAM: points inside its image (vision_config image_size 1024 by default), labels 1 or 0, and the
                // recorded image embeddings and positions as floats in [-1, 1)
                case "input_points" -> assertTrue(dummy.floatAt(i) >= 0f && dummy.floatAt(i) < 1024f, where);
                case "input_labels" -> assertTrue(dummy.longAt(i) == 0 || dummy.longAt(i) == 1, where);
                case "image_embeddings", "image_positional_embeddings" ->
                        assertTrue(dummy.floatAt(i) >= -1f && dummy.floatAt(i) < 1f, where);
                case "bbox" -> {
                    if (i % 4 == 0) {
                        long x0 = dummy.longAt(i);
                        long y0 = dummy.longAt(i + 1);
                        long x1 = dummy.longAt(i + 2);
                        long y1 = dummy.longAt(i + 3);
                        assertTrue(0 <= x0 && x0 <= x1 && x1 <= 1000 && 0 <= y0 && y0 <= y1 && y1 <= 1000,
                                where + ": box " + List.of(x0, y0, x1, y1));
                    }
                }
                default -> {
                    assertTrue(name.startsWith("past_key_values."), where + ": unexpected input " + name);
                    assertTrue(dummy.floatAt(i) >= 0f && dummy.floatAt(i) < 1f, where);
                }
            }
        }
        if (name.equals("attention_mask") && count > rowLength) {
            boolean padded = false;
            for (long i = 0; i < count; i++) {
                padded |= dummy.longAt(i) == 0;
            }
            assertTrue(padded || rowLength < 4, where + ": some rows are padded");
        }
    }

    @Test
    void defaultShapesAreOptimums() {
        DummyShapes shapes = DummyShapes.OPTIMUM_DEFAULTS;
        assertEquals(new DummyShapes(2, 16, 4, 16, 224, 224, 3, 80, 3000), shapes);

        DummyInputs bert = create("bert", "multiple-choice", smallConfig("bert")).generateDummyInputs(0);
        assertEquals(List.of(2L, 4L, 16L), bert.get("input_ids").shape());
        assertEquals(List.of(2L, 4L, 16L), bert.get("token_type_ids").shape());

        // No image size in the config: Optimum's 224x224x3.
        DummyInputs resnet = create("resnet", "default", ModelConfig.parse("{\"model_type\": \"resnet\"}", "test"))
                .generateDummyInputs(0);
        assertEquals(List.of(2L, 3L, 224L, 224L), resnet.get("pixel_values").shape());

        // No mel bins or positions in the config: Optimum's 80 x 3000.
        ModelConfig whisper = ModelConfig.parse("{\"model_type\": \"whisper\", \"vocab_size\": 50}", "test");
        DummyInputs speech = create("whisper", "speech2seq-lm", whisper).generateDummyInputs(0);
        assertEquals(List.of(2L, 80L, 3000L), speech.get("input_features").shape());
        assertEquals(List.of(2L, 16L), speech.get("decoder_input_ids").shape());
    }

    @Test
    void configImageSizesWinAndPairsAreHeightThenWidth() {
        ModelConfig yolos = ModelConfig.parse("{\"model_type\": \"yolos\", \"image_size\": [48, 80], "
                + "\"num_channels\": 1}", "test");
        assertEquals(List.of(2L, 1L, 48L, 80L),
                create("yolos", "object-detection", yolos).generateDummyInputs(0).get("pixel_values").shape());
        ModelConfig detr = ModelConfig.parse("{\"model_type\": \"detr\"}", "test");
        DummyInputs detrInputs = create("detr", "default", detr)
                .generateDummyInputs(DummyShapes.OPTIMUM_DEFAULTS.withImageSize(20, 30), 0);
        assertEquals(List.of(2L, 3L, 20L, 30L), detrInputs.get("pixel_values").shape());
        assertEquals(List.of(2L, 20L, 30L), detrInputs.get("pixel_mask").shape());
        assertEquals(ElementType.INT64, detrInputs.get("pixel_mask").elementType());
    }

    @Test
    void decoderCachesAreShapedFromTheConfig() {
        DummyShapes shapes = DummyShapes.OPTIMUM_DEFAULTS.withPastSequenceLength(5).withSequenceLength(1);
        ModelConfig gpt2 = ModelConfig.parse("{\"model_type\": \"gpt2\", \"n_layer\": 3, \"n_head\": 4, "
                + "\"n_embd\": 32, \"vocab_size\": 10}", "test");
        DummyInputs inputs = create("gpt2", "causal-lm-with-past", gpt2).generateDummyInputs(shapes, 3);
        assertEquals(List.of("input_ids", "past_key_values.0.key", "past_key_values.0.value",
                "past_key_values.1.key", "past_key_values.1.value", "past_key_values.2.key",
                "past_key_values.2.value", "attention_mask"), inputs.names());
        assertEquals(List.of(2L, 4L, 5L, 8L), inputs.get("past_key_values.2.value").shape());
        assertEquals(List.of(2L, 1L), inputs.get("input_ids").shape());
        assertEquals(List.of(2L, 6L), inputs.get("attention_mask").shape());

        ModelConfig bloom = ModelConfig.parse("{\"model_type\": \"bloom\", \"n_layer\": 1, \"n_head\": 4, "
                + "\"hidden_size\": 24, \"vocab_size\": 10}", "test");
        DummyInputs bloomInputs = create("bloom", "default-with-past", bloom).generateDummyInputs(shapes, 3);
        assertEquals(List.of(8L, 6L, 5L), bloomInputs.get("past_key_values.0.key").shape());
        assertEquals(List.of(8L, 5L, 6L), bloomInputs.get("past_key_values.0.value").shape());
    }

    @Test
    void seq2seqCachesUseTheDecodersCountsAndT5sKeyValueWidth() {
        DummyShapes shapes = DummyShapes.OPTIMUM_DEFAULTS.withSequenceLength(7).withPastSequenceLength(5);
        ModelConfig t5 = ModelConfig.parse("{\"model_type\": \"t5\", \"num_layers\": 3, \"num_decoder_layers\": 2,"
                + " \"num_heads\": 2, \"d_model\": 32, \"d_kv\": 6, \"vocab_size\": 10}", "test");
        ExportConfig t5Config = create("t5", "seq2seq-lm-with-past", t5);
        assertEquals(2 * 4, t5Config.inputNames().stream().filter(n -> n.startsWith("past_key_values")).count());
        DummyInputs t5Inputs = t5Config.generateDummyInputs(shapes, 0);
        assertEquals(List.of(2L, 2L, 5L, 6L), t5Inputs.get("past_key_values.1.decoder.key").shape());
        assertEquals(List.of(2L, 2L, 7L, 6L), t5Inputs.get("past_key_values.1.encoder.value").shape());
        assertEquals(List.of(2L, 1L), t5Inputs.get("decoder_input_ids").shape());
        assertEquals(List.of(2L, 7L), t5Inputs.get("attention_mask").shape());

        // T5's num_decoder_layers defaults to num_layers.
        ModelConfig t5Symmetric = ModelConfig.parse("{\"model_type\": \"t5\", \"num_layers\": 3, \"num_heads\": 2,"
                + " \"d_model\": 32, \"d_kv\": 6, \"vocab_size\": 10}", "test");
        assertEquals(3 * 4, create("t5", "default-with-past", t5Symmetric).outputNames().stream()
                .filter(n -> n.startsWith("present.")).count());

        ModelConfig whisper = ModelConfig.parse("{\"model_type\": \"whisper\", \"encoder_layers\": 4, "
                + "\"decoder_layers\": 2, \"num_hidden_layers\": 4, \"encoder_attention_heads\": 2, "
                + "\"decoder_attention_heads\": 4, \"d_model\": 24, \"num_mel_bins\": 16, "
                + "\"max_source_positions\": 12, \"vocab_size\": 10}", "test");
        ExportConfig whisperConfig = create("whisper", "speech2seq-lm-with-past", whisper);
        assertEquals(2 * 4, whisperConfig.outputNames().stream().filter(n -> n.startsWith("present.")).count());
        DummyInputs whisperInputs = whisperConfig.generateDummyInputs(shapes, 0);
        assertEquals(List.of(2L, 16L, 24L), whisperInputs.get("input_features").shape());
        assertEquals(List.of(2L, 4L, 12L, 6L), whisperInputs.get("past_key_values.0.encoder.key").shape());
        assertEquals(List.of(2L, 4L, 5L, 6L), whisperInputs.get("past_key_values.0.decoder.value").shape());
    }

    @Test
    void bartCausalLmCachesFollowTheDecoder() {
        ModelConfig bart = ModelConfig.parse("{\"model_type\": \"bart\", \"encoder_layers\": 3, "
                + "\"decoder_layers\": 2, \"encoder_attention_heads\": 8, \"decoder_attention_heads\": 4, "
                + "\"d_model\": 32, \"vocab_size\": 10}", "test");
        ExportConfig config = create("bart", "causal-lm-with-past", bart);
        assertEquals(List.of("input_ids", "attention_mask", "past_key_values.0.key", "past_key_values.0.value",
                "past_key_values.1.key", "past_key_values.1.value"), config.inputNames());
        assertEquals(List.of("logits", "present.0.key", "present.0.value", "present.1.key", "present.1.value"),
                config.outputNames());
        DummyInputs inputs = config.generateDummyInputs(DummyShapes.OPTIMUM_DEFAULTS.withSequenceLength(1)
                .withPastSequenceLength(5), 0);
        assertEquals(List.of(2L, 4L, 5L, 8L), inputs.get("past_key_values.1.key").shape());
        assertEquals(List.of(2L, 6L), inputs.get("attention_mask").shape());
    }

    @Test
    void bartSequenceClassificationRowsEndWithOneEos() {
        for (String modelType : List.of("bart", "mbart", "bigbird-pegasus")) {
            DummyTensor ids = create(modelType, "sequence-classification", smallConfig(modelType))
                    .generateDummyInputs(11).get("input_ids");
            long rowLength = ids.shape().get(1);
            for (long i = 0; i < ids.elementCount(); i++) {
                boolean last = i % rowLength == rowLength - 1;
                assertEquals(last, ids.longAt(i) == EOS, modelType + " position " + i);
            }
        }
    }

    @Test
    void tokenTypesStayInsideASingleSegmentVocabulary() {
        ModelConfig single = ModelConfig.parse("{\"model_type\": \"bert\", \"vocab_size\": 10, "
                + "\"type_vocab_size\": 1}", "test");
        DummyTensor types = create("bert", "default", single).generateDummyInputs(0).get("token_type_ids");
        for (long i = 0; i < types.elementCount(); i++) {
            assertEquals(0, types.longAt(i));
        }
    }

    @Test
    void theSameSeedGivesTheSameInputsAndAnotherSeedOthers() {
        ExportConfig config = create("gpt2", "causal-lm-with-past", smallConfig("gpt2"));
        DummyInputs first = config.generateDummyInputs(42);
        DummyInputs again = config.generateDummyInputs(42);
        DummyInputs other = config.generateDummyInputs(43);
        assertEquals(first, again);
        for (DummyTensor tensor : first.tensors()) {
            assertArrayEquals(bytes(tensor.data()), bytes(again.get(tensor.name()).data()));
        }
        assertFalse(java.util.Arrays.equals(bytes(first.get("input_ids").data()), bytes(other.get("input_ids").data())));
    }

    @Test
    void dummyDataIsReadOnlyAndLittleEndian() {
        DummyTensor ids = create("bert", "default", smallConfig("bert")).generateDummyInputs(0).get("input_ids");
        ByteBuffer data = ids.data();
        assertTrue(data.isReadOnly());
        assertEquals(java.nio.ByteOrder.LITTLE_ENDIAN, data.order());
        assertThrows(ReadOnlyBufferException.class, () -> data.putLong(0, 5));
        assertEquals(2 * 16 * Long.BYTES, data.remaining());
        assertEquals(ids.longAt(3), data.getLong(3 * Long.BYTES));
        assertThrows(IllegalStateException.class, () -> ids.floatAt(0));
    }

    @Test
    void shapesAndTensorsValidateTheirValues() {
        assertThrows(IllegalArgumentException.class, () -> DummyShapes.OPTIMUM_DEFAULTS.withBatchSize(0));
        assertThrows(IllegalArgumentException.class, () -> new DummyTensor("x", ElementType.INT64, List.of(2L),
                ByteBuffer.allocate(8)));
        assertThrows(IllegalArgumentException.class, () -> new DummyInputs(List.of(
                new DummyTensor("x", ElementType.INT64, List.of(1L), ByteBuffer.allocate(8)),
                new DummyTensor("x", ElementType.INT64, List.of(1L), ByteBuffer.allocate(8)))));
    }

    @Test
    void missingConfigValuesAreErrorsThatNameTheKey() {
        ModelConfig noLayers = ModelConfig.parse("{\"model_type\": \"gpt_neo\", \"num_layers\": null}", "my/config.json");
        ModelConfigException error = assertThrows(ModelConfigException.class,
                () -> create("gpt-neo", "default-with-past", noLayers));
        assertEquals("my/config.json has no \"num_layers\" and the gpt_neo configuration has no default for it; "
                + "add it to config.json", error.getMessage());
        ExportConfig clip = create("clip", "default",
                ModelConfig.parse("{\"model_type\": \"clip\", \"text_config\": {\"vocab_size\": null}}", "clip.json"));
        ModelConfigException vocab = assertThrows(ModelConfigException.class, () -> clip.generateDummyInputs(0));
        assertEquals("clip.json has no \"text_config.vocab_size\" and the clip configuration has no default for it; "
                + "add it to config.json", vocab.getMessage());
    }

    private static ExportConfig create(String modelType, String task, ModelConfig config) {
        return TasksManager.getExporterConfigConstructor(modelType, "onnx", task).create(config);
    }

    private static byte[] bytes(ByteBuffer buffer) {
        byte[] bytes = new byte[buffer.remaining()];
        buffer.duplicate().get(bytes);
        return bytes;
    }
}
