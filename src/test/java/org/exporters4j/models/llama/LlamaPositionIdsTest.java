package org.exporters4j.models.llama;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.exporters4j.SharedFiles;
import org.exporters4j.checkpoint.ModelConfig;
import org.exporters4j.checkpoint.Weights;
import org.exporters4j.checkpoint.folder.Checkpoints;
import org.exporters4j.models.DecoderRuns.Tensor;
import org.exporters4j.models.DecoderRuns;
import org.exporters4j.models.GraphInterface;
import org.exporters4j.models.Head;
import org.exporters4j.models.InterfaceTensor;
import org.exporters4j.models.Variant;
import org.exporters4j.onnx.ElementType;
import org.exporters4j.onnx.ModelWriter;
import org.exporters4j.onnx.Opset;
import org.exporters4j.onnx.WeightsLocation;
import org.exporters4j.tasks.ModelTypes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Llama graphs take {@code position_ids} when the interface lists it (today's Optimum interface): positions
 * {@code 0 … n−1} give the logits of the graph that counts them itself, other positions move the rotary angles.
 */
class LlamaPositionIdsTest {
    private static final Path CHECKPOINT = SharedFiles.fixturesToday().resolve("llama--text-generation/checkpoint");

    @TempDir
    Path folder;

    @Test
    void positionIdsDriveTheRotaryAngles() throws Exception {
        Path counted = build(List.of("input_ids", "attention_mask"), "counted");
        Path given = build(List.of("input_ids", "attention_mask", "position_ids"), "given");
        long[] shape = {2, 5};
        Tensor ids = Tensor.ofLongs(shape, 5, 9, 17, 33, 65, 7, 11, 13, 19, 23);
        Tensor mask = Tensor.ofLongs(shape, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1);
        float[] reference;
        try (DecoderRuns.Session session = new DecoderRuns.Session(counted)) {
            reference = session.run(Map.of("input_ids", ids, "attention_mask", mask)).get("logits").floats();
        }
        try (DecoderRuns.Session session = new DecoderRuns.Session(given)) {
            assertEquals(List.of("input_ids", "attention_mask", "position_ids"), session.inputNames());
            float[] same = session.run(Map.of("input_ids", ids, "attention_mask", mask,
                    "position_ids", Tensor.ofLongs(shape, 0, 1, 2, 3, 4, 0, 1, 2, 3, 4))).get("logits").floats();
            assertTrue(DecoderRuns.maxAbsDiff(reference, same) <= 1e-6);
            float[] shifted = session.run(Map.of("input_ids", ids, "attention_mask", mask,
                    "position_ids", Tensor.ofLongs(shape, 3, 4, 5, 6, 7, 3, 4, 5, 6, 7))).get("logits").floats();
            // rotary attention depends on relative positions only: a uniform shift keeps the logits
            assertTrue(DecoderRuns.maxAbsDiff(reference, shifted) <= 1e-4);
            float[] reordered = session.run(Map.of("input_ids", ids, "attention_mask", mask,
                    "position_ids", Tensor.ofLongs(shape, 0, 2, 4, 6, 8, 0, 2, 4, 6, 8))).get("logits").floats();
            assertTrue(DecoderRuns.maxAbsDiff(reference, reordered) > 1e-3, "spacing positions changes the logits");
        }
    }

    private Path build(List<String> inputNames, String name) throws Exception {
        List<InterfaceTensor> inputs = new ArrayList<>();
        for (String input : inputNames) {
            inputs.add(InterfaceTensor.of(input, ElementType.INT64, Map.of(0, "batch_size", 1, "sequence_length")));
        }
        GraphInterface graphInterface = new GraphInterface(inputs, List.of(InterfaceTensor.of("logits",
                ElementType.FLOAT, Map.of(0, "batch_size", 1, "sequence_length"))), Opset.of(13));
        Path out = folder.resolve(name);
        try (Weights weights = Checkpoints.openWeights(CHECKPOINT)) {
            new ModelWriter(WeightsLocation.AUTOMATIC).write(ModelTypes.architecture("llama").build(
                    ModelConfig.read(CHECKPOINT.resolve("config.json")), weights, Variant.of(Head.CAUSAL_LM),
                    graphInterface), out);
        }
        return out.resolve("model.onnx");
    }
}
