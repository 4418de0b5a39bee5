package org.exporters4j.models.whisper;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.exporters4j.SharedFiles;
import org.exporters4j.checkpoint.ModelConfig;
import org.exporters4j.checkpoint.Weights;
import org.exporters4j.checkpoint.folder.Checkpoints;
import org.exporters4j.models.ArchitectureFixtures;
import org.exporters4j.models.Component;
import org.exporters4j.models.EditedCheckpoint;
import org.exporters4j.models.Fixture;
import org.exporters4j.models.GraphInterface;
import org.exporters4j.models.Head;
import org.exporters4j.models.OnnxRuntimeRun;
import org.exporters4j.models.TransformersRelease;
import org.exporters4j.models.Variant;
import org.exporters4j.onnx.ElementType;
import org.exporters4j.onnx.Opset;
import org.exporters4j.tasks.ModelTypes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * WhisperForAudioClassification with {@code use_weighted_layer_sum}, which no fixture covers (fixtures-layout's
 * {@code whisper--audio-classification} keeps Transformers' default, false): its checkpoint with the option on and
 * {@code layer_weights} added, built with Optimum 1.25.3's interface and run in ONNX Runtime on the fixture's inputs.
 * Transformers 4.51 weighs the encoder's {@code encoder_layers + 1} hidden states (the embeddings, each layer's
 * output, the last after {@code layer_norm}) by {@code softmax(layer_weights)}; everything after the sum (projector,
 * mean over frames, classifier) is affine, so with weights summing to one the logits are the same weighted sum of
 * the logits each hidden state gives alone, which checks the weighting independently of the graph's own sum.
 */
class WhisperAudioClassificationTest {
    /** A layer weight far enough below the others that its softmax share is 0 in float32 (exp(-200) underflows). */
    private static final float OFF = -200f;
    private static final Path FIXTURE = SharedFiles.require("fixtures-layout/whisper--audio-classification");

    @TempDir
    Path folder;

    /** All weight on the last hidden state: PyTorch's recorded logits of the checkpoint without the option. */
    @Test
    void allWeightOnTheLastStateIsThePathWithoutTheOption() throws Exception {
        float[] logits = logits(weighted(EditedCheckpoint.of(checkpoint()), OFF, OFF, 0f), "last");
        double diff = OnnxRuntimeRun.maxAbsDiff(recorded(), logits);
        assertTrue(diff <= ArchitectureFixtures.TOLERANCE, "max abs diff " + diff);
    }

    /** Any weights: the softmax-weighted sum (computed here in double) of the logits of each state alone. */
    @Test
    void theLogitsAreTheSoftmaxWeightedSumOfEachStatesLogits() throws Exception {
        List<float[]> alone = aloneLogits(EditedCheckpoint.of(checkpoint()), "alone");
        float[] weights = {0.3f, -1.2f, 0.8f};
        double[] shares = softmax(weights);
        float[] logits = logits(weighted(EditedCheckpoint.of(checkpoint()), weights), "mixed");
        double worst = 0;
        for (int i = 0; i < logits.length; i++) {
            double expected = 0;
            for (int state = 0; state < shares.length; state++) {
                expected += shares[state] * alone.get(state)[i];
            }
            worst = Math.max(worst, Math.abs(expected - logits[i]));
        }
        assertTrue(worst <= ArchitectureFixtures.TOLERANCE, "max abs diff " + worst);
        // the states differ, so the weights matter: the mix is none of them
        for (float[] one : alone) {
            assertTrue(OnnxRuntimeRun.maxAbsDiff(one, logits) > 1e-3);
        }
    }

    /**
     * The states' order, as {@code output_hidden_states} returns them: state 0 (the embeddings) depends on no
     * layer, state 1 on layer 0 only, state 2 on both layers and on the final {@code layer_norm}, which no other
     * state passes through.
     */
    @Test
    void eachStateReadsTheLayersBeforeItAndOnlyTheLastTheFinalLayerNorm() throws Exception {
        List<float[]> base = aloneLogits(EditedCheckpoint.of(checkpoint()), "base");
        assertChangedFrom(base, 1, "encoder.layers.0.fc2.weight");
        assertChangedFrom(base, 2, "encoder.layers.1.fc2.weight");
        assertChangedFrom(base, 2, "encoder.layer_norm.weight");
    }

    /** {@code classifier_proj_size} (default 256) must be the projector's width, as Transformers' loading checks. */
    @Test
    void aProjectorOfAnotherWidthThanClassifierProjSizeIsRefusedByName() throws Exception {
        ModelConfig config = ModelConfig.read(checkpoint().resolve("config.json"))
                .withOverrides(Map.of("classifier_proj_size", 128));
        try (Weights weights = Checkpoints.openWeights(checkpoint())) {
            Exception error = assertThrows(Exception.class, () -> ModelTypes.architecture("whisper").build(config,
                    weights, Variant.of(Head.AUDIO_CLASSIFICATION), graphInterface()));
            assertTrue(error.getMessage().contains("projector.weight"), error.getMessage());
        }
    }

    /**
     * A config.json without the two options (saved before Transformers 4.28 added them) gets WhisperConfig's
     * defaults: no weighted sum, a projector to 256 features; PyTorch's logits.
     */
    @Test
    void aConfigWithoutTheOptionsTakesTransformersDefaults() throws Exception {
        EditedCheckpoint edited = EditedCheckpoint.of(checkpoint());
        edited.config().remove("use_weighted_layer_sum");
        edited.config().remove("classifier_proj_size");
        Path written = edited.write(folder.resolve("defaults-checkpoint"));
        ModelConfig config = ModelConfig.read(written.resolve("config.json"));
        assertEquals(false, config.booleanValue("use_weighted_layer_sum"));
        assertEquals(256, config.intValue("classifier_proj_size"));
        double diff = OnnxRuntimeRun.maxAbsDiff(recorded(), logits(edited, "defaults"));
        assertTrue(diff <= ArchitectureFixtures.TOLERANCE, "max abs diff " + diff);
    }

    /**
     * Scaling {@code tensor} leaves the logits of the states before {@code firstChanged} exactly as they were and
     * moves those of the states from it on.
     */
    private void assertChangedFrom(List<float[]> base, int firstChanged, String tensor) throws Exception {
        EditedCheckpoint edited = EditedCheckpoint.of(checkpoint());
        EditedCheckpoint.Tensor original = edited.tensor(tensor);
        float[] scaled = original.values().clone();
        for (int i = 0; i < scaled.length; i++) {
            scaled[i] *= 1.5f;
        }
        edited.put(tensor, new EditedCheckpoint.Tensor(original.shape(), scaled));
        List<float[]> changed = aloneLogits(edited, tensor);
        for (int state = 0; state < base.size(); state++) {
            double diff = OnnxRuntimeRun.maxAbsDiff(base.get(state), changed.get(state));
            if (state < firstChanged) {
                assertTrue(diff <= 1e-6, tensor + " moved state " + state + " by " + diff);
            } else {
                assertTrue(diff > 1e-3, tensor + " left state " + state + " as it was (" + diff + ")");
            }
        }
    }

    /** The logits with all weight on each hidden state in turn. */
    private List<float[]> aloneLogits(EditedCheckpoint checkpoint, String name) throws Exception {
        List<float[]> alone = new ArrayList<>();
        for (int state = 0; state < 3; state++) {
            float[] weights = {OFF, OFF, OFF};
            weights[state] = 0f;
            alone.add(logits(weighted(checkpoint, weights), name + "-" + state));
        }
        return alone;
    }

    private static EditedCheckpoint weighted(EditedCheckpoint checkpoint, float... layerWeights) {
        checkpoint.config().put("use_weighted_layer_sum", true);
        return checkpoint.put("layer_weights", new EditedCheckpoint.Tensor(List.of((long) layerWeights.length),
                layerWeights.clone()));
    }

    private float[] logits(EditedCheckpoint checkpoint, String name) throws Exception {
        Path written = checkpoint.write(folder.resolve(name + "-checkpoint"));
        return ArchitectureFixtures.buildAndRun(written, "whisper", Variant.of(Head.AUDIO_CLASSIFICATION),
                graphInterface(), FIXTURE.resolve("components/model/inputs.safetensors"),
                folder.resolve(name + "-model")).get("logits").values();
    }

    private static float[] recorded() {
        return OnnxRuntimeRun.read(FIXTURE.resolve("components/model/outputs.safetensors"), "logits").values();
    }

    private static Path checkpoint() {
        return FIXTURE.resolve("checkpoint");
    }

    /** Optimum 1.25.3's WhisperOnnxConfig for audio-classification: input_features and logits, batch axis named. */
    private static GraphInterface graphInterface() {
        return new GraphInterface(
                List.of(Fixture.interfaceTensor("input_features", ElementType.FLOAT, Map.of(0, "batch_size"))),
                List.of(Fixture.interfaceTensor("logits", ElementType.FLOAT, Map.of(0, "batch_size"))),
                Opset.of(14), Component.MODEL, TransformersRelease.V4_51);
    }

    private static double[] softmax(float[] values) {
        double max = Double.NEGATIVE_INFINITY;
        for (float value : values) {
            max = Math.max(max, value);
        }
        double[] shares = new double[values.length];
        double sum = 0;
        for (int i = 0; i < values.length; i++) {
            shares[i] = Math.exp(values[i] - max);
            sum += shares[i];
        }
        for (int i = 0; i < values.length; i++) {
            shares[i] /= sum;
        }
        return shares;
    }
}
