package org.exporters4j.models.swin;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.exporters4j.checkpoint.ModelConfig;
import org.exporters4j.checkpoint.Weights;
import org.exporters4j.checkpoint.folder.Checkpoints;
import org.exporters4j.models.Fixture;
import org.exporters4j.onnx.ModelWriter;
import org.exporters4j.onnx.OnnxModel;
import org.exporters4j.onnx.WeightsLocation;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Swin on an image whose sides patches do not divide: Transformers pads it with zeros on the right and bottom to whole
 * patches ({@code SwinPatchEmbeddings.maybe_pad}), so a 30 × 29 image gives exactly what the 32 × 32 image with that
 * image in its top-left corner and zeros elsewhere gives; and the graph takes both sizes.
 */
class SwinImagePaddingTest {
    @TempDir
    Path folder;

    @Test
    void anImagePatchesDoNotDivideIsPaddedWithZeros() throws Exception {
        Fixture fixture = Fixture.ofToday(List.of("swin")).stream()
                .filter(f -> f.task().equals("feature-extraction")).findFirst().orElseThrow();
        try (Weights weights = Checkpoints.openWeights(fixture.checkpoint())) {
            OnnxModel model = new SwinArchitecture().build(ModelConfig.read(fixture.checkpoint()
                    .resolve("config.json")), weights, fixture.variant(), fixture.graphInterface(fixture.defaultOpset()));
            new ModelWriter(WeightsLocation.AUTOMATIC).write(model, folder);
        }
        int height = 30;
        int width = 29;
        float[] small = new float[3 * height * width];
        float[] padded = new float[3 * 32 * 32];
        SplittableRandom random = new SplittableRandom(5);
        for (int channel = 0; channel < 3; channel++) {
            for (int y = 0; y < height; y++) {
                for (int x = 0; x < width; x++) {
                    float value = (float) random.nextDouble(-1, 1);
                    small[(channel * height + y) * width + x] = value;
                    padded[(channel * 32 + y) * 32 + x] = value;
                }
            }
        }
        float[] fromSmall = run(small, height, width);
        float[] fromPadded = run(padded, 32, 32);
        assertEquals(4 * 4 * 32, fromSmall.length, "the 4 x 4 grid of 32 features after one patch merging");
        assertArrayEquals(fromPadded, fromSmall, 1e-6f);
    }

    private float[] run(float[] pixels, int height, int width) throws Exception {
        OrtEnvironment environment = OrtEnvironment.getEnvironment();
        try (OrtSession session = environment.createSession(folder.resolve("model.onnx").toString(),
                new OrtSession.SessionOptions());
             OnnxTensor input = OnnxTensor.createTensor(environment, FloatBuffer.wrap(pixels),
                     new long[] {1, 3, height, width});
             OrtSession.Result result = session.run(Map.of("pixel_values", input))) {
            FloatBuffer buffer = ((OnnxTensor) result.get(0)).getFloatBuffer();
            float[] values = new float[buffer.remaining()];
            buffer.get(values);
            return values;
        }
    }
}
