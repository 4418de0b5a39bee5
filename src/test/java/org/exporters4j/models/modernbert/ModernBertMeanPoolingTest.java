package org.exporters4j.models.modernbert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.exporters4j.checkpoint.ModelConfig;
import org.exporters4j.checkpoint.Weights;
import org.exporters4j.checkpoint.folder.Checkpoints;
import org.exporters4j.models.EditedCheckpoint;
import org.exporters4j.models.EditedCheckpoint.Tensor;
import org.exporters4j.models.Fixture;
import org.exporters4j.models.GraphInterface;
import org.exporters4j.models.Head;
import org.exporters4j.models.InterfaceTensor;
import org.exporters4j.models.OnnxRuntimeRun;
import org.exporters4j.models.Variant;
import org.exporters4j.onnx.ElementType;
import org.exporters4j.onnx.ModelWriter;
import org.exporters4j.onnx.OnnxModel;
import org.exporters4j.onnx.WeightsLocation;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code classifier_pooling: "mean"}: the sequence classifier reads {@code (states · mask).sum(1) / mask.sum(1)}
 * through the prediction head, as {@code ModernBertForSequenceClassification} computes it. Checked by running the
 * text-classification fixture's own base model (its last hidden state, which the fixtures check) and computing the
 * pooling, {@code head} (dense without bias, exact GELU, LayerNorm without bias) and {@code classifier} here in
 * double precision, against the mean-pooling classification graph on the fixture's inputs, padding included.
 */
class ModernBertMeanPoolingTest {
    @TempDir
    Path folder;

    @Test
    void meanPoolingAveragesTheUnmaskedTokensBeforeTheHead() throws Exception {
        Fixture fixture = Fixture.ofToday(List.of("modernbert")).stream()
                .filter(f -> f.task().equals("text-classification")).findFirst().orElseThrow();
        GraphInterface classification = fixture.graphInterface(fixture.defaultOpset());
        GraphInterface base = new GraphInterface(classification.inputs(), List.of(InterfaceTensor.of(
                "last_hidden_state", ElementType.FLOAT, Map.of(0, "batch_size", 1, "sequence_length"))),
                classification.opset());
        ModelConfig config = ModelConfig.read(fixture.checkpoint().resolve("config.json"))
                .withOverrides(Map.of("classifier_pooling", "mean"));
        try (Weights weights = Checkpoints.openWeights(fixture.checkpoint())) {
            write(new ModernBertArchitecture().build(config, weights, Variant.of(Head.BASE), base), "base");
            write(new ModernBertArchitecture().build(config, weights, fixture.variant(), classification), "mean");
        }
        float[] states = OnnxRuntimeRun.run(folder.resolve("base/model.onnx"), fixture.inputsFile())
                .get("last_hidden_state").values();
        float[] actual = OnnxRuntimeRun.run(folder.resolve("mean/model.onnx"), fixture.inputsFile()).get("logits")
                .values();
        long[] mask = {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0};
        EditedCheckpoint checkpoint = EditedCheckpoint.of(fixture.checkpoint());
        Tensor dense = checkpoint.tensor("head.dense.weight");
        float[] norm = checkpoint.tensor("head.norm.weight").values();
        Tensor classifier = checkpoint.tensor("classifier.weight");
        float[] classifierBias = checkpoint.tensor("classifier.bias").values();
        int hidden = 32;
        int sequence = 7;
        int labels = 3;
        assertEquals(2 * labels, actual.length);
        for (int row = 0; row < 2; row++) {
            double[] pooled = new double[hidden];
            double count = 0;
            for (int token = 0; token < sequence; token++) {
                long keep = mask[row * sequence + token];
                count += keep;
                for (int channel = 0; channel < hidden; channel++) {
                    pooled[channel] += keep * states[(row * sequence + token) * hidden + channel];
                }
            }
            double[] activated = new double[hidden];
            for (int out = 0; out < hidden; out++) {
                double sum = 0;
                for (int in = 0; in < hidden; in++) {
                    sum += dense.at(out, in) * pooled[in] / count;
                }
                activated[out] = 0.5 * sum * (1 + erf(sum / Math.sqrt(2)));
            }
            double mean = 0;
            for (double value : activated) {
                mean += value / hidden;
            }
            double variance = 0;
            for (double value : activated) {
                variance += (value - mean) * (value - mean) / hidden;
            }
            for (int label = 0; label < labels; label++) {
                double logit = classifierBias[label];
                for (int in = 0; in < hidden; in++) {
                    logit += classifier.at(label, in) * (activated[in] - mean) / Math.sqrt(variance + 1e-5) * norm[in];
                }
                double diff = Math.abs(logit - actual[row * labels + label]);
                assertTrue(diff <= 1e-5, "row " + row + " label " + label + ": " + logit + " vs "
                        + actual[row * labels + label]);
            }
        }
    }

    private void write(OnnxModel model, String name) throws java.io.IOException {
        new ModelWriter(WeightsLocation.AUTOMATIC).write(model, folder.resolve(name));
    }

    /** erf to 1.2e-7 (Numerical Recipes' erfc with Chebyshev coefficients). */
    private static double erf(double x) {
        double z = Math.abs(x);
        double t = 1 / (1 + 0.5 * z);
        double erfc = t * Math.exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418
                + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223
                + t * 0.17087277)))))))));
        return x >= 0 ? 1 - erfc : erfc - 1;
    }
}
