package org.exporters4j.models.wav2vec2;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.exporters4j.models.ArchitectureException;
import org.exporters4j.models.ArchitectureFixtures;
import org.exporters4j.models.EditedCheckpoint;
import org.exporters4j.models.Fixture;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * The wav2vec2 family against fixtures-today (every head of wav2vec2, hubert, wavlm), and the config options the
 * fixtures do not cover, each checked by an identity on an edited fixture checkpoint: the edited model computes the
 * same function as the fixture's, so it must give PyTorch's outputs.
 */
class Wav2Vec2OptionsTest {
    private static final String POS_CONV = "wav2vec2.encoder.pos_conv_embed.conv.";

    @TempDir
    Path folder;

    @TestFactory
    Stream<DynamicTest> everyTodayFixtureMatchesPyTorch() {
        return Fixture.ofToday(List.of("wav2vec2", "hubert", "wavlm")).stream().map(fixture ->
                DynamicTest.dynamicTest(fixture.toString(), () -> ArchitectureFixtures.assertMatchesPyTorch(fixture,
                        folder.resolve(fixture.toString()))));
    }

    /** The weight normalisation stored under torch's parametrizations names reads as weight_g / weight_v. */
    @Test
    void parametrizationsNamesOfTheWeightNorm() throws Exception {
        Fixture fixture = fixture("wav2vec2", "automatic-speech-recognition");
        EditedCheckpoint edited = EditedCheckpoint.of(fixture.checkpoint());
        EditedCheckpoint.Tensor magnitude = edited.tensor(POS_CONV + "weight_g");
        EditedCheckpoint.Tensor direction = edited.tensor(POS_CONV + "weight_v");
        edited.remove(POS_CONV + "weight_g").remove(POS_CONV + "weight_v")
                .put(POS_CONV + "parametrizations.weight.original0", magnitude)
                .put(POS_CONV + "parametrizations.weight.original1", direction);
        assertSameAsFixture(fixture, edited, "parametrizations");
    }

    /**
     * An odd positional kernel keeps every frame (no SamePad removal): the fixture's even kernel 16 with a 17th tap
     * of zero weight (magnitude 0) and the same padding 8 computes the same convolution.
     */
    @Test
    void oddPositionalKernel() throws Exception {
        Fixture fixture = fixture("wav2vec2", "automatic-speech-recognition");
        EditedCheckpoint edited = EditedCheckpoint.of(fixture.checkpoint());
        EditedCheckpoint.Tensor magnitude = edited.tensor(POS_CONV + "weight_g");
        EditedCheckpoint.Tensor direction = edited.tensor(POS_CONV + "weight_v");
        int kernel = magnitude.shape().get(2).intValue();
        float[] g = Arrays.copyOf(magnitude.values(), kernel + 1);
        int rows = direction.values().length / kernel;
        float[] v = new float[rows * (kernel + 1)];
        for (int row = 0; row < rows; row++) {
            System.arraycopy(direction.values(), row * kernel, v, row * (kernel + 1), kernel);
            v[row * (kernel + 1) + kernel] = 1f;
        }
        edited.put(POS_CONV + "weight_g", new EditedCheckpoint.Tensor(List.of(1L, 1L, kernel + 1L), g))
                .put(POS_CONV + "weight_v", new EditedCheckpoint.Tensor(List.of(direction.shape().get(0),
                        direction.shape().get(1), kernel + 1L), v));
        edited.config().put("num_conv_pos_embeddings", kernel + 1);
        assertSameAsFixture(fixture, edited, "odd-kernel");
    }

    /** conv_bias: the feature encoder's convolutions read their biases (zero biases: the fixture's function). */
    @Test
    void convolutionBiases() throws Exception {
        Fixture fixture = fixture("wavlm", "automatic-speech-recognition");
        EditedCheckpoint edited = EditedCheckpoint.of(fixture.checkpoint());
        List<Integer> dims = List.of(8, 8);
        for (int i = 0; i < dims.size(); i++) {
            edited.put("wavlm.feature_extractor.conv_layers." + i + ".conv.bias",
                    new EditedCheckpoint.Tensor(List.of((long) dims.get(i)), new float[dims.get(i)]));
        }
        edited.config().put("conv_bias", true);
        assertSameAsFixture(fixture, edited, "conv-bias");
    }

    /**
     * use_weighted_layer_sum: the softmax of layer_weights (0, 0, 60) puts all weight on the last hidden state,
     * which the heads read without the option; for classification, frame classification and the x-vector.
     */
    @TestFactory
    Stream<DynamicTest> weightedLayerSumOnTheLastLayer() {
        return Stream.of(fixture("wav2vec2", "audio-classification"), fixture("wavlm", "audio-frame-classification"),
                fixture("wavlm", "audio-xvector"), fixture("hubert", "audio-classification")).map(fixture ->
                DynamicTest.dynamicTest(fixture.toString(), () -> {
                    EditedCheckpoint edited = EditedCheckpoint.of(fixture.checkpoint());
                    edited.put("layer_weights", new EditedCheckpoint.Tensor(List.of(3L), new float[] {0f, 0f, 60f}));
                    edited.config().put("use_weighted_layer_sum", true);
                    assertSameAsFixture(fixture, edited, "weighted");
                }));
    }

    /** The weighted sum really weighs: equal weights give other outputs than the last layer alone. */
    @Test
    void weightedLayerSumChangesTheOutputs() throws Exception {
        Fixture fixture = fixture("wav2vec2", "audio-classification");
        EditedCheckpoint edited = EditedCheckpoint.of(fixture.checkpoint());
        edited.put("layer_weights", new EditedCheckpoint.Tensor(List.of(3L), new float[] {0f, 0f, 0f}));
        edited.config().put("use_weighted_layer_sum", true);
        Path checkpoint = edited.write(folder.resolve("equal-weights"));
        var outputs = ArchitectureFixtures.buildAndRun(checkpoint, fixture.modelType(), fixture.variant(),
                fixture.graphInterface(fixture.defaultOpset()), fixture.inputsFile(), folder.resolve("equal-out"));
        var expected = org.exporters4j.models.OnnxRuntimeRun.read(fixture.outputsFile(), "logits");
        assertTrue(org.exporters4j.models.OnnxRuntimeRun.maxAbsDiff(expected.values(),
                outputs.get("logits").values()) > 1e-3);
    }

    @Test
    void optionsNotBuiltAreRefusedByName() {
        Fixture wav2vec2 = fixture("wav2vec2", "feature-extraction");
        ArchitectureException adapter = ArchitectureFixtures.refusal(wav2vec2, Map.of("add_adapter", true));
        assertTrue(adapter.getMessage().contains("add_adapter"), adapter.getMessage());
        ArchitectureException norm = ArchitectureFixtures.refusal(wav2vec2, Map.of("feat_extract_norm", "batch"));
        assertTrue(norm.getMessage().contains("feat_extract_norm \"batch\"") && norm.getMessage().contains("\"layer\""),
                norm.getMessage());
        ArchitectureException batchNorm = ArchitectureFixtures.refusal(fixture("hubert", "feature-extraction"),
                Map.of("conv_pos_batch_norm", true));
        assertTrue(batchNorm.getMessage().contains("conv_pos_batch_norm"), batchNorm.getMessage());
    }

    /** WavLM's buckets: exact below a quarter of num_buckets, the positive side offset by half, saturating. */
    @Test
    void wavlmBuckets() {
        WavLmBuckets buckets = new WavLmBuckets(320, 800);
        assertEquals(0, buckets.bucket(0));
        assertEquals(79, buckets.bucket(-79));
        assertEquals(160 + 79, buckets.bucket(79));
        assertEquals(80, buckets.bucket(-80));
        assertEquals(159, buckets.bucket(-100000));
        assertEquals(319, buckets.bucket(100000));
        // log(400 / 80) / log(800 / 80) · 80 = 55.9...: 80 + 55
        assertEquals(135, buckets.bucket(-400));
    }

    private static Fixture fixture(String type, String task) {
        return Fixture.ofToday(List.of(type)).stream().filter(f -> f.task().equals(task)).findFirst()
                .orElseThrow(() -> new AssertionError("no fixture " + type + "--" + task));
    }

    private void assertSameAsFixture(Fixture fixture, EditedCheckpoint edited, String name) throws Exception {
        Path checkpoint = edited.write(folder.resolve(name + "-" + fixture));
        ArchitectureFixtures.compare(fixture, ArchitectureFixtures.buildAndRun(checkpoint, fixture.modelType(),
                fixture.variant(), fixture.graphInterface(fixture.defaultOpset()), fixture.inputsFile(),
                folder.resolve(name + "-" + fixture + "-onnx")));
    }
}
