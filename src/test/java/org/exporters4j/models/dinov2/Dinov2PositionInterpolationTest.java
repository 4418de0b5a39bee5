package org.exporters4j.models.dinov2;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.exporters4j.checkpoint.ModelConfig;
import org.exporters4j.checkpoint.Weights;
import org.exporters4j.checkpoint.folder.Checkpoints;
import org.exporters4j.models.EditedCheckpoint;
import org.exporters4j.models.EditedCheckpoint.Tensor;
import org.exporters4j.models.Fixture;
import org.exporters4j.onnx.ModelWriter;
import org.exporters4j.onnx.OnnxModel;
import org.exporters4j.onnx.WeightsLocation;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * DINOv2 on an image of another size than the checkpoint's: the position embeddings are interpolated as
 * Transformers' {@code interpolate_pos_encoding} does ({@code nn.functional.interpolate(mode="bicubic",
 * align_corners=False)} to {@code (height // patch, width // patch)}). Checked against PyTorch's bicubic formula
 * ({@code upsample_bicubic2d}: source {@code scale · (x + ½) − ½} with {@code scale = in / out}, cubic convolution
 * with A = −0.75, indices clamped to the border) written out here: the fixture's model with zero layer scales
 * (identity layers) on a black 48 × 40 image gives {@code layernorm(token + positions)} for a 6 × 5 patch grid from
 * the stored 4 × 4.
 */
class Dinov2PositionInterpolationTest {
    private static final double A = -0.75;

    @TempDir
    Path folder;

    @Test
    void positionsAreInterpolatedBicubicallyForOtherImageSizes() throws Exception {
        Fixture fixture = Fixture.ofToday(List.of("dinov2")).stream()
                .filter(f -> f.task().equals("feature-extraction")).findFirst().orElseThrow();
        EditedCheckpoint edited = EditedCheckpoint.of(fixture.checkpoint());
        // layer scales of zero make every layer the identity (its residuals add exact zeros)
        for (int layer = 0; layer < 2; layer++) {
            for (String scale : List.of("layer_scale1", "layer_scale2")) {
                edited.put("encoder.layer." + layer + "." + scale + ".lambda1", new Tensor(List.of(32L), new float[32]));
            }
        }
        Path checkpoint = edited.write(folder.resolve("identity-layers"));
        try (Weights weights = Checkpoints.openWeights(checkpoint)) {
            OnnxModel model = new Dinov2Architecture().build(ModelConfig.read(checkpoint.resolve("config.json")),
                    weights, fixture.variant(), fixture.graphInterface(fixture.defaultOpset()));
            new ModelWriter(WeightsLocation.AUTOMATIC).write(model, folder.resolve("model"));
        }
        int height = 48;
        int width = 40;
        int hidden = 32;
        float[] actual;
        OrtEnvironment environment = OrtEnvironment.getEnvironment();
        try (OrtSession session = environment.createSession(folder.resolve("model/model.onnx").toString(),
                new OrtSession.SessionOptions());
             OnnxTensor pixels = OnnxTensor.createTensor(environment, FloatBuffer.allocate(3 * height * width),
                     new long[] {1, 3, height, width});
             OrtSession.Result result = session.run(Map.of("pixel_values", pixels))) {
            FloatBuffer buffer = ((OnnxTensor) result.get(0)).getFloatBuffer();
            actual = new float[buffer.remaining()];
            buffer.get(actual);
        }
        int rows = height / 8;
        int columns = width / 8;
        assertTrue(actual.length == (1 + rows * columns) * hidden, "tokens: " + actual.length / hidden);

        Tensor table = edited.tensor("embeddings.position_embeddings");
        float[] classToken = edited.tensor("embeddings.cls_token").values();
        float[] bias = edited.tensor("embeddings.patch_embeddings.projection.bias").values();
        float[] gamma = edited.tensor("layernorm.weight").values();
        float[] beta = edited.tensor("layernorm.bias").values();
        double eps = ModelConfig.read(checkpoint.resolve("config.json")).doubleValue("layer_norm_eps");
        float[] expected = new float[actual.length];
        double[] token = new double[hidden];
        for (int channel = 0; channel < hidden; channel++) {
            token[channel] = classToken[channel] + table.at(0, 0, channel);
        }
        layerNorm(token, gamma, beta, eps, expected, 0);
        for (int y = 0; y < rows; y++) {
            for (int x = 0; x < columns; x++) {
                for (int channel = 0; channel < hidden; channel++) {
                    int at = channel;
                    token[channel] = bias[channel] + bicubic((row, column) -> table.at(0, 1 + row * 4L + column, at),
                            4, 4, rows, columns, y, x);
                }
                layerNorm(token, gamma, beta, eps, expected, (1 + y * columns + x) * hidden);
            }
        }
        double max = 0;
        for (int i = 0; i < actual.length; i++) {
            max = Math.max(max, Math.abs(actual[i] - expected[i]));
        }
        assertTrue(max <= 1e-5, "max abs diff " + max);
        assertArrayEquals(new int[] {rows, columns}, new int[] {6, 5});
    }

    @FunctionalInterface
    private interface Grid {
        double at(int row, int column);
    }

    /** PyTorch's upsample_bicubic2d (align_corners=False) of an {@code inRows × inColumns} grid, one output cell. */
    private static double bicubic(Grid grid, int inRows, int inColumns, int outRows, int outColumns, int y, int x) {
        double realY = (double) inRows / outRows * (y + 0.5) - 0.5;
        double realX = (double) inColumns / outColumns * (x + 0.5) - 0.5;
        int y0 = (int) Math.floor(realY);
        int x0 = (int) Math.floor(realX);
        double[] wy = coefficients(realY - y0);
        double[] wx = coefficients(realX - x0);
        double sum = 0;
        for (int i = 0; i < 4; i++) {
            int row = Math.min(Math.max(y0 - 1 + i, 0), inRows - 1);
            double line = 0;
            for (int j = 0; j < 4; j++) {
                int column = Math.min(Math.max(x0 - 1 + j, 0), inColumns - 1);
                line += wx[j] * grid.at(row, column);
            }
            sum += wy[i] * line;
        }
        return sum;
    }

    /** The cubic convolution weights of the four neighbours at fractional offset {@code t}. */
    private static double[] coefficients(double t) {
        return new double[] {far(t + 1), near(t), near(1 - t), far(2 - t)};
    }

    private static double near(double x) {
        return ((A + 2) * x - (A + 3)) * x * x + 1;
    }

    private static double far(double x) {
        return ((A * x - 5 * A) * x + 8 * A) * x - 4 * A;
    }

    private static void layerNorm(double[] x, float[] gamma, float[] beta, double eps, float[] out, int offset) {
        double mean = 0;
        for (double v : x) {
            mean += v;
        }
        mean /= x.length;
        double variance = 0;
        for (double v : x) {
            variance += (v - mean) * (v - mean);
        }
        variance /= x.length;
        for (int i = 0; i < x.length; i++) {
            out[offset + i] = (float) ((x[i] - mean) / Math.sqrt(variance + eps) * gamma[i] + beta[i]);
        }
    }
}
