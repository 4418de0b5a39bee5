package org.exporters4j.models.detr;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.exporters4j.checkpoint.DType;
import org.exporters4j.checkpoint.ModelConfig;
import org.exporters4j.checkpoint.SafetensorsFileWriter;
import org.exporters4j.checkpoint.Weights;
import org.exporters4j.checkpoint.folder.Checkpoints;
import org.exporters4j.models.Fixture;
import org.exporters4j.models.GraphInterface;
import org.exporters4j.models.InterfaceTensor;
import org.exporters4j.models.OnnxRuntimeRun;
import org.exporters4j.onnx.ElementType;
import org.exporters4j.onnx.ModelWriter;
import org.exporters4j.onnx.OnnxModel;
import org.exporters4j.onnx.Opset;
import org.exporters4j.onnx.WeightsLocation;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Optimum v1.5.2's DETR interface (layout optimum-1.5): {@code pixel_mask} beside {@code pixel_values}, and
 * segmentation's {@code pred_boxes} among the outputs. Fed an all-ones mask (what Transformers makes when none is
 * given), the graph computes what PyTorch computed for the fixture without one: the masked positions (cumulative
 * sums), the additive attention masks and the attention map's fill are the identity on a mask of ones.
 */
class DetrPixelMaskTest {
    @TempDir
    Path folder;

    @Test
    void anAllOnesMaskGivesTheOutputsOfNoMask() throws Exception {
        Fixture fixture = Fixture.ofToday(List.of("detr")).stream()
                .filter(f -> f.task().equals("image-segmentation")).findFirst().orElseThrow();
        Map<Integer, String> batch = Map.of(0, "batch_size");
        GraphInterface v152 = new GraphInterface(List.of(
                InterfaceTensor.of("pixel_values", ElementType.FLOAT,
                        Map.of(0, "batch_size", 1, "num_channels", 2, "height", 3, "width")),
                InterfaceTensor.of("pixel_mask", ElementType.INT64, batch)), List.of(
                InterfaceTensor.of("logits", ElementType.FLOAT, Map.of(0, "batch_size", 1, "sequence_length")),
                InterfaceTensor.of("pred_boxes", ElementType.FLOAT, Map.of(0, "batch_size", 1, "sequence_length")),
                InterfaceTensor.of("pred_masks", ElementType.FLOAT, Map.of(0, "batch_size", 1, "sequence_length"))),
                Opset.of(12));
        try (Weights weights = Checkpoints.openWeights(fixture.checkpoint())) {
            OnnxModel model = new DetrArchitecture().build(ModelConfig.read(fixture.checkpoint()
                    .resolve("config.json")), weights, fixture.variant(), v152);
            new ModelWriter(WeightsLocation.AUTOMATIC).write(model, folder.resolve("model"));
        }
        OnnxRuntimeRun.Output pixels = OnnxRuntimeRun.read(fixture.inputsFile(), "pixel_values");
        long[] ones = new long[2 * 64 * 64];
        Arrays.fill(ones, 1L);
        Path inputs = new SafetensorsFileWriter()
                .add("pixel_values", DType.F32, pixels.shape(), SafetensorsFileWriter.floats(pixels.values()))
                .add("pixel_mask", DType.I64, List.of(2L, 64L, 64L), SafetensorsFileWriter.longs(ones))
                .write(folder.resolve("inputs.safetensors"));
        Map<String, OnnxRuntimeRun.Output> outputs = OnnxRuntimeRun.run(folder.resolve("model/model.onnx"), inputs);
        assertEquals(List.of(2L, 5L, 4L), outputs.get("pred_boxes").shape());
        for (String name : List.of("logits", "pred_masks")) {
            OnnxRuntimeRun.Output expected = OnnxRuntimeRun.read(fixture.outputsFile(), name);
            assertEquals(expected.shape(), outputs.get(name).shape(), name);
            double diff = OnnxRuntimeRun.maxAbsDiff(expected.values(), outputs.get(name).values());
            assertTrue(diff <= 1e-5, name + ": max abs diff " + diff);
        }
    }
}
