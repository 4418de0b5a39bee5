package org.exporters4j.models.sam;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.exporters4j.checkpoint.ModelConfig;
import org.exporters4j.checkpoint.Weights;
import org.exporters4j.checkpoint.folder.Checkpoints;
import org.exporters4j.models.Fixture;
import org.exporters4j.models.GraphInterface;
import org.exporters4j.models.InterfaceTensor;
import org.exporters4j.models.OnnxRuntimeRun;
import org.exporters4j.models.TodayFixtures;
import org.exporters4j.onnx.ElementType;
import org.exporters4j.onnx.ModelWriter;
import org.exporters4j.onnx.OnnxModel;
import org.exporters4j.onnx.Opset;
import org.exporters4j.onnx.WeightsLocation;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * SAM's fixture, as Optimum 1.25.3 splits it: the prompt encoder and mask decoder (the manifest's default interface:
 * points, labels and the recorded image embeddings in; IoU scores and the three masks out), the vision encoder
 * (pixels in; image embeddings and image positions out) and the monolith (pixels, points and labels in), each
 * matching PyTorch within 1e-5.
 */
class SamFixturesTest {
    private static final Map<Integer, String> BATCH = Map.of(0, "batch_size");
    private static final Map<Integer, String> PROMPTS = Map.of(0, "batch_size", 1, "point_batch_size");
    private static final Map<Integer, String> POINTS =
            Map.of(0, "batch_size", 1, "point_batch_size", 2, "nb_points_per_image");

    @TempDir
    Path folder;

    @TestFactory
    Stream<DynamicTest> thePromptEncoderAndMaskDecoderMatchPyTorch() {
        return TodayFixtures.everyFixtureMatchesPyTorch(new SamArchitecture(), List.of("sam"), folder);
    }

    @Test
    void eachGraphOfTheSplitExportMatchesPyTorch() throws Exception {
        Fixture fixture = fixture();
        List<Fixture.Submodel> submodels = fixture.submodels();
        assertEquals(List.of("vision_encoder", "prompt_encoder_mask_decoder"),
                submodels.stream().map(Fixture.Submodel::name).toList());
        for (Fixture.Submodel submodel : submodels) {
            assertOutputs(submodel.graphInterface(fixture, fixture.defaultOpset()), submodel.outputNames());
        }
    }

    @Test
    void theMonolithMatchesPyTorch() throws Exception {
        GraphInterface monolith = new GraphInterface(List.of(
                InterfaceTensor.of("pixel_values", ElementType.FLOAT, BATCH),
                InterfaceTensor.of("input_points", ElementType.FLOAT, POINTS),
                InterfaceTensor.of("input_labels", ElementType.INT64, POINTS)), List.of(
                InterfaceTensor.of("iou_scores", ElementType.FLOAT, PROMPTS),
                InterfaceTensor.of("pred_masks", ElementType.FLOAT, PROMPTS)), Opset.of(13));
        assertOutputs(monolith, List.of("iou_scores", "pred_masks"));
    }

    private static Fixture fixture() {
        return Fixture.ofToday(List.of("sam")).get(0);
    }

    private void assertOutputs(GraphInterface graphInterface, List<String> names) throws Exception {
        Fixture fixture = fixture();
        Path out = folder.resolve(String.join("-", names));
        try (Weights weights = Checkpoints.openWeights(fixture.checkpoint())) {
            OnnxModel model = new SamArchitecture().build(ModelConfig.read(fixture.checkpoint()
                    .resolve("config.json")), weights, fixture.variant(), graphInterface);
            new ModelWriter(WeightsLocation.AUTOMATIC).write(model, out);
        }
        Map<String, OnnxRuntimeRun.Output> outputs = OnnxRuntimeRun.run(out.resolve("model.onnx"),
                fixture.inputsFile());
        for (String name : names) {
            OnnxRuntimeRun.Output expected = OnnxRuntimeRun.read(fixture.outputsFile(), name);
            assertEquals(expected.shape(), outputs.get(name).shape(), name);
            double diff = OnnxRuntimeRun.maxAbsDiff(expected.values(), outputs.get(name).values());
            assertTrue(diff <= 1e-5, name + ": max abs diff " + diff);
        }
    }
}
