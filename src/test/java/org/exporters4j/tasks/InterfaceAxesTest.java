package org.exporters4j.tasks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.exporters4j.checkpoint.ModelConfig;
import org.junit.jupiter.api.Test;

/**
 * What each interface axis is, where the rows declare it: Optimum's label kept exactly, and the size the validator
 * checks. One test per quirk of Optimum v1.5.2's names.
 */
class InterfaceAxesTest {
    private static final Axis BATCH = Axis.of("batch_size", Dimension.BATCH);
    private static final Axis SEQUENCE = Axis.of("sequence_length", Dimension.SEQUENCE);

    private static ExportConfig config(String modelType, String task) {
        return TasksManager.getExporterConfigConstructor(modelType, "onnx", task)
                .create(ModelConfig.defaultsFor(modelType));
    }

    private static Map<Integer, Axis> inputAxes(ExportConfig config, String name) {
        return config.input(name).orElseThrow().axes();
    }

    private static Map<Integer, Axis> outputAxes(ExportConfig config, String name) {
        return config.outputs().stream().filter(output -> output.name().equals(name)).findFirst().orElseThrow()
                .axes();
    }

    @Test
    void aDecoderCachesPastIsNamedLikeThePresentButSizedByThePastAlone() {
        ExportConfig gpt2 = config("gpt2", "causal-lm-with-past");
        Axis past = Axis.of("past_sequence_length + sequence_length", Dimension.PAST_SEQUENCE);
        Axis pastAndNew = Axis.sum("past_sequence_length + sequence_length", Dimension.PAST_SEQUENCE,
                Dimension.SEQUENCE);
        assertEquals(Map.of(0, BATCH, 2, past), inputAxes(gpt2, "past_key_values.0.key"));
        assertEquals(Map.of(0, BATCH, 1, pastAndNew), inputAxes(gpt2, "attention_mask"));
        assertEquals(Map.of(0, BATCH, 2, pastAndNew), outputAxes(gpt2, "present.11.value"));
        assertEquals(Map.of(2, "past_sequence_length + sequence_length", 0, "batch_size"),
                gpt2.input("past_key_values.0.key").orElseThrow().dynamicAxes(), "Optimum's labels, unchanged");
    }

    @Test
    void bloomsFusedBatchAndHeadsAndItsValuesHeadWidthCarryOptimumsNamesAsLabelsOnly() {
        ExportConfig bloom = config("bloom", "causal-lm-with-past");
        Axis fused = Axis.labelOnly("batch_size");
        assertEquals(Map.of(0, fused, 2, Axis.of("past_sequence_length + sequence_length", Dimension.PAST_SEQUENCE)),
                inputAxes(bloom, "past_key_values.0.key"));
        assertEquals(Map.of(0, fused, 2, Axis.labelOnly("past_sequence_length + sequence_length")),
                inputAxes(bloom, "past_key_values.0.value"));
        assertEquals(Map.of(0, fused, 2, Axis.sum("past_sequence_length + sequence_length",
                Dimension.PAST_SEQUENCE, Dimension.SEQUENCE)), outputAxes(bloom, "present.1.key"));
        assertEquals(Map.of(0, "batch_size", 2, "past_sequence_length + sequence_length"),
                bloom.input("past_key_values.0.value").orElseThrow().dynamicAxes());
    }

    @Test
    void optimum1253NamesTheStepsMaskPastPlusOneButTheGraphTakesAnyNumberOfTokens() {
        ExportConfig llama = config("llama", "text-generation-with-past");
        assertEquals(Map.of(0, BATCH, 1, SEQUENCE), inputAxes(llama, "input_ids"));
        assertEquals(Map.of(0, BATCH, 1, SEQUENCE), inputAxes(llama, "position_ids"));
        assertEquals(Map.of(0, BATCH, 1, Axis.sum("past_sequence_length + 1", Dimension.PAST_SEQUENCE,
                Dimension.SEQUENCE)), inputAxes(llama, "attention_mask"));
        assertEquals(Map.of(0, BATCH, 2, Axis.of("past_sequence_length", Dimension.PAST_SEQUENCE)),
                inputAxes(llama, "past_key_values.1.value"));
        assertEquals(Map.of(0, BATCH, 2, Axis.sum("past_sequence_length + 1", Dimension.PAST_SEQUENCE,
                Dimension.SEQUENCE)), outputAxes(llama, "present.0.key"));
        assertEquals(Map.of(0, BATCH, 1, SEQUENCE), outputAxes(llama, "logits"));
        // feature-extraction with past, as Optimum 1.25.3's main_export builds it (use_past_in_inputs=False): no past
        // inputs, the mask over the new tokens, last_hidden_state over batch and sequence, and a present cache
        // labelled like the step's that holds the new tokens only
        ExportConfig features = config("llama", "feature-extraction-with-past");
        assertEquals(List.of("input_ids", "attention_mask", "position_ids"), features.inputNames());
        assertEquals(Map.of(0, BATCH, 1, SEQUENCE), inputAxes(features, "attention_mask"));
        assertEquals(Map.of(0, BATCH, 1, SEQUENCE), outputAxes(features, "last_hidden_state"));
        assertEquals(Map.of(0, BATCH, 2, Axis.of("past_sequence_length + 1", Dimension.SEQUENCE)),
                outputAxes(features, "present.1.value"));
        // the classification heads take no position ids (TextDecoderWithPositionIdsOnnxConfig)
        assertEquals(List.of("input_ids", "attention_mask"), config("llama", "text-classification").inputNames());
    }

    @Test
    void aSeq2seqStepsEncoderMaskAndCachesAreTheirOwnSizes() {
        ExportConfig t5 = config("t5", "seq2seq-lm-with-past");
        assertEquals(Map.of(0, BATCH, 1, Axis.of("past_encoder_sequence_length + sequence_length",
                Dimension.ENCODER_SEQUENCE)), inputAxes(t5, "attention_mask"));
        assertEquals(Map.of(0, BATCH, 1, Axis.unlabelled(Dimension.DECODER_SEQUENCE)),
                inputAxes(t5, "decoder_input_ids"));
        assertEquals(Map.of(0, BATCH, 2, Axis.of("past_encoder_sequence_length",
                Dimension.CROSS_ATTENTION_SEQUENCE)), outputAxes(t5, "present.0.encoder.key"));
        assertEquals(Map.of(0, BATCH, 2, Axis.sum("past_decoder_sequence_length + sequence_length",
                Dimension.PAST_SEQUENCE, Dimension.DECODER_SEQUENCE)), outputAxes(t5, "present.0.decoder.key"));
        assertEquals(Map.of(0, BATCH, 1, Axis.of("decoder_sequence_length", Dimension.DECODER_SEQUENCE)),
                outputAxes(t5, "logits"));
    }

    @Test
    void bartsCausalLmNamesItsOwnTokensAfterTheEncoder() {
        ExportConfig bart = config("bart", "causal-lm-with-past");
        assertEquals(Map.of(0, BATCH, 1, new Axis(Optional.of("encoder_sequence_length"),
                new Axis.Bound(Dimension.SEQUENCE))), inputAxes(bart, "input_ids"));
        assertEquals(Map.of(0, BATCH, 1, new Axis(Optional.of("encoder_sequence_length"),
                new Axis.Sum(List.of(Dimension.PAST_SEQUENCE, Dimension.SEQUENCE), 0))),
                inputAxes(bart, "attention_mask"));
        assertEquals(Map.of(0, BATCH, 1, Axis.of("sequence_length", Dimension.SEQUENCE)),
                outputAxes(bart, "logits"));
    }

    @Test
    void bartsQuestionAnsweringSpansAreOverTheDecodersTokens() {
        ExportConfig bart = config("bart", "question-answering");
        assertEquals(Map.of(0, BATCH, 1, new Axis(Optional.of("sequence_length"),
                new Axis.Bound(Dimension.DECODER_SEQUENCE))), outputAxes(bart, "start_logits"));
    }

    @Test
    void segmentationMapsKeepTheImagesNamesAsLabelsOnly() {
        ExportConfig segformer = config("segformer", "semantic-segmentation");
        assertEquals(Map.of(0, BATCH, 1, Axis.labelOnly("num_labels"), 2, Axis.labelOnly("height"),
                3, Axis.labelOnly("width")), outputAxes(segformer, "logits"));
        assertEquals(Map.of(0, BATCH, 1, Axis.of("num_channels", Dimension.NUM_CHANNELS),
                2, Axis.of("height", Dimension.HEIGHT), 3, Axis.of("width", Dimension.WIDTH)),
                inputAxes(segformer, "pixel_values"));
    }

    @Test
    void imageClassificationsLabelCountIsNamedSequenceLengthAsALabelOnly() {
        assertEquals(Map.of(0, BATCH, 1, Axis.labelOnly("sequence_length")),
                outputAxes(config("vit", "image-classification"), "logits"));
    }

    @Test
    void layoutLmV3AddsTheImagesTokensToTheTextsExceptForTokenClassification() {
        ModelConfig small = ModelConfig.parse("{\"model_type\": \"layoutlmv3\", \"input_size\": 32, "
                + "\"patch_size\": 8}", "test");
        ExportConfig base = TasksManager.getExportConfig(small, "onnx", "default");
        assertEquals(Map.of(0, BATCH, 1, new Axis(Optional.of("sequence_length"),
                new Axis.Sum(List.of(Dimension.SEQUENCE), 4 * 4 + 1))), outputAxes(base, "last_hidden_state"));
        assertEquals(Map.of(0, BATCH, 1, new Axis(Optional.of("sequence_length"),
                new Axis.Sum(List.of(Dimension.SEQUENCE), 14 * 14 + 1))),
                outputAxes(config("layoutlmv3", "question-answering"), "start_logits"), "input_size 224, patch 16");
        assertEquals(Map.of(0, BATCH, 1, Axis.of("sequence_length", Dimension.SEQUENCE)),
                outputAxes(config("layoutlmv3", "token-classification"), "logits"));
        ModelConfig textOnly = ModelConfig.parse("{\"model_type\": \"layoutlmv3\", \"visual_embed\": false}", "test");
        assertEquals(new Axis.Sum(List.of(Dimension.SEQUENCE), 0), outputAxes(
                TasksManager.getExportConfig(textOnly, "onnx", "default"), "last_hidden_state").get(1).size());
    }

    @Test
    void perceiversMaskedLmDecodesEveryPositionAndItsImageChannelsAreNamedSequenceLength() {
        ModelConfig config = ModelConfig.parse("{\"model_type\": \"perceiver\", \"max_position_embeddings\": 32}",
                "test");
        assertEquals(Map.of(0, BATCH, 1, Axis.fixed("sequence_length", 32)),
                outputAxes(TasksManager.getExportConfig(config, "onnx", "masked-lm"), "logits"));
        assertEquals(Map.of(0, BATCH, 1, Axis.labelOnly("sequence_length")),
                inputAxes(config("perceiver", "image-classification"), "pixel_values"));
    }

    @Test
    void anAxisSaysWhatItsSizeIsWhereItHasNoLabel() {
        assertThrows(IllegalArgumentException.class, () -> new Axis(Optional.empty(), new Axis.LabelOnly()));
        assertThrows(IllegalArgumentException.class, () -> new Axis.Sum(List.of(), 1));
        Map<Dimension, Long> sizes = Map.of(Dimension.PAST_SEQUENCE, 5L, Dimension.SEQUENCE, 7L);
        assertEquals(Optional.of(12L), Axis.sum("x", Dimension.PAST_SEQUENCE, Dimension.SEQUENCE).expected(sizes));
        assertEquals(Optional.empty(), Axis.sum("x", Dimension.PAST_SEQUENCE, Dimension.BATCH).expected(sizes));
        assertEquals(Optional.of(3L), Axis.fixed("x", 3).expected(sizes));
        assertEquals(Optional.empty(), Axis.labelOnly("sequence_length").expected(sizes));
    }
}
