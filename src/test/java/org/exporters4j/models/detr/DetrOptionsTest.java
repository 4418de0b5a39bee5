package org.exporters4j.models.detr;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
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
import org.exporters4j.models.OnnxRuntimeRun;
import org.exporters4j.models.TodayFixtures;
import org.exporters4j.models.UnsupportedConfigException;
import org.exporters4j.onnx.ModelWriter;
import org.exporters4j.onnx.OnnxModel;
import org.exporters4j.onnx.WeightsLocation;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * DETR options the fixtures do not set, each against an identity that holds in Transformers' computation, and the
 * options it refuses, naming option, value and fix.
 */
class DetrOptionsTest {
    private static final int D = 32;

    @TempDir
    Path folder;

    /**
     * {@code auxiliary_loss}: the decoder's layer norm after every layer, the next layer reading the normalised
     * states. With one decoder layer the output is the norm applied twice: the norm (weights of the checkpoint,
     * epsilon 1e-5) of the output without the option, computed here.
     */
    @Test
    void auxiliaryLossNormalisesEveryDecoderLayer() throws Exception {
        Fixture fixture = fixture("feature-extraction");
        float[] once = run(fixture, fixture.checkpoint(), Map.of("decoder_layers", 1), "once");
        float[] twice = run(fixture, fixture.checkpoint(), Map.of("decoder_layers", 1, "auxiliary_loss", true),
                "twice");
        EditedCheckpoint weights = EditedCheckpoint.of(fixture.checkpoint());
        float[] gamma = weights.tensor("decoder.layernorm.weight").values();
        float[] beta = weights.tensor("decoder.layernorm.bias").values();
        float[] expected = new float[once.length];
        for (int row = 0; row < once.length / D; row++) {
            double mean = 0;
            for (int i = 0; i < D; i++) {
                mean += once[row * D + i];
            }
            mean /= D;
            double variance = 0;
            for (int i = 0; i < D; i++) {
                variance += Math.pow(once[row * D + i] - mean, 2);
            }
            variance /= D;
            for (int i = 0; i < D; i++) {
                expected[row * D + i] = (float) ((once[row * D + i] - mean) / Math.sqrt(variance + 1e-5) * gamma[i]
                        + beta[i]);
            }
        }
        assertTrue(OnnxRuntimeRun.maxAbsDiff(expected, twice) <= 1e-5, "max abs diff "
                + OnnxRuntimeRun.maxAbsDiff(expected, twice));
        assertTrue(OnnxRuntimeRun.maxAbsDiff(once, twice) > 1e-3, "the option changes the output");
    }

    /**
     * {@code position_embedding_type} "learned": the column table's rows then the row table's, added to the encoder's
     * queries and keys and to the cross-attention keys. Tables whose rows are one vector each give every cell the
     * position {@code p = [column, row]}, which is the same as zero tables with {@code W·p} added to those
     * projections' biases.
     */
    @Test
    void learnedPositionsAreTheColumnThenTheRowTable() throws Exception {
        Fixture fixture = fixture("feature-extraction");
        Map<String, Object> learned = Map.of("position_embedding_type", "learned");
        float[] column = new float[D / 2];
        float[] row = new float[D / 2];
        for (int i = 0; i < D / 2; i++) {
            column[i] = 0.3f * (float) Math.sin(i + 1);
            row[i] = 0.3f * (float) Math.cos(2 * i + 1);
        }
        float[] position = new float[D];
        System.arraycopy(column, 0, position, 0, D / 2);
        System.arraycopy(row, 0, position, D / 2, D / 2);

        EditedCheckpoint constant = EditedCheckpoint.of(fixture.checkpoint());
        constant.put("backbone.position_embedding.column_embeddings.weight", repeated(column));
        constant.put("backbone.position_embedding.row_embeddings.weight", repeated(row));
        float[] withTables = run(fixture, constant.write(folder.resolve("constant")), learned, "tables");

        EditedCheckpoint biased = EditedCheckpoint.of(fixture.checkpoint());
        biased.put("backbone.position_embedding.column_embeddings.weight", repeated(new float[D / 2]));
        biased.put("backbone.position_embedding.row_embeddings.weight", repeated(new float[D / 2]));
        float[] withoutPositions = run(fixture, biased.write(folder.resolve("zero")), learned, "zero");
        for (int layer = 0; layer < 2; layer++) {
            for (String projection : List.of("encoder.layers." + layer + ".self_attn.q_proj",
                    "encoder.layers." + layer + ".self_attn.k_proj", "decoder.layers." + layer + ".encoder_attn.k_proj")) {
                float[] weight = biased.tensor(projection + ".weight").values();
                float[] bias = biased.tensor(projection + ".bias").values().clone();
                for (int out = 0; out < D; out++) {
                    for (int in = 0; in < D; in++) {
                        bias[out] += weight[out * D + in] * position[in];
                    }
                }
                biased.put(projection + ".bias", new Tensor(List.of((long) D), bias));
            }
        }
        float[] withBiases = run(fixture, biased.write(folder.resolve("biased")), learned, "biases");
        assertTrue(OnnxRuntimeRun.maxAbsDiff(withBiases, withTables) <= 1e-5, "max abs diff "
                + OnnxRuntimeRun.maxAbsDiff(withBiases, withTables));
        assertTrue(OnnxRuntimeRun.maxAbsDiff(withoutPositions, withTables) > 1e-3, "the positions matter");
    }

    /**
     * A timm ResNet backbone ({@code use_timm_backbone} true, facebook/detr-resnet-50's layout): the fixtures' own
     * networks with their tensors renamed as timm names them (Transformers' basic ResNet layer is timm's BasicBlock:
     * the same convolutions, norms, strides and shortcuts) give the fixtures' PyTorch outputs.
     */
    @Test
    void aTimmResNetBackboneComputesTheSameNetwork() throws Exception {
        for (String task : List.of("feature-extraction", "object-detection", "image-segmentation")) {
            Fixture fixture = fixture(task);
            EditedCheckpoint timm = EditedCheckpoint.of(fixture.checkpoint());
            String base = task.equals("image-segmentation") ? "detr.model." : task.equals("object-detection")
                    ? "model." : "";
            String backbone = base + "backbone.conv_encoder.model.";
            for (String name : List.copyOf(timm.names())) {
                if (!name.startsWith(backbone)) {
                    continue;
                }
                String local = name.substring(backbone.length())
                        .replace("embedder.embedder.convolution", "conv1")
                        .replace("embedder.embedder.normalization", "bn1")
                        .replaceAll("encoder\\.stages\\.(\\d)\\.layers\\.(\\d)\\.", "stage$1.$2.")
                        .replace(".layer.0.convolution", ".conv1").replace(".layer.0.normalization", ".bn1")
                        .replace(".layer.1.convolution", ".conv2").replace(".layer.1.normalization", ".bn2")
                        .replace(".shortcut.convolution", ".downsample.0").replace(".shortcut.normalization",
                                ".downsample.1");
                for (int stage = 0; stage < 4; stage++) {
                    local = local.replace("stage" + stage + ".", "layer" + (stage + 1) + ".");
                }
                Tensor tensor = timm.tensor(name);
                timm.remove(name);
                timm.put(backbone + local, tensor);
            }
            timm.config().put("use_timm_backbone", true);
            timm.config().put("backbone", "resnet18");
            timm.config().putNull("backbone_config");
            Path checkpoint = timm.write(folder.resolve("timm-" + task));
            assertTrue(timm.names().contains(backbone + "layer2.0.downsample.1.running_var"), timm.names().toString());
            TodayFixtures.assertMatchesPyTorch(new DetrArchitecture(), fixture, checkpoint,
                    folder.resolve("timm-" + task + "-model"));
        }
    }

    @Test
    void timmBackbonesOfOtherLayoutsAndOtherBackbonesAreRefused() {
        Fixture fixture = fixture("object-detection");
        assertRefused(fixture, Map.of("use_timm_backbone", true, "backbone", "resnet50d"),
                "use_timm_backbone true with backbone \"resnet50d\"", "timm's plain ResNets");
        assertRefused(fixture, Map.of("use_timm_backbone", true, "dilation", true), "dilation true");
        assertRefused(fixture, Map.of("backbone_config", Map.of("model_type", "swin")),
                "backbone_config of model_type \"swin\"", "(model_type \"resnet\")");
        assertRefused(fixture, Map.of("d_model", 33), "d_model 33", "even d_model");
        assertRefused(fixture("image-segmentation"), Map.of("backbone_config", Map.of("model_type", "resnet",
                "embedding_size", 8, "hidden_sizes", List.of(8, 16, 24, 32), "depths", List.of(1, 1, 1, 1),
                "layer_type", "basic", "out_features", List.of("stage3", "stage4"))),
                "out_features select 2", "select at least three");
    }

    private static Tensor repeated(float[] vector) {
        float[] values = new float[50 * vector.length];
        for (int row = 0; row < 50; row++) {
            System.arraycopy(vector, 0, values, row * vector.length, vector.length);
        }
        return new Tensor(List.of(50L, (long) vector.length), values);
    }

    private static Fixture fixture(String task) {
        return Fixture.ofToday(List.of("detr")).stream().filter(f -> f.task().equals(task)).findFirst()
                .orElseThrow();
    }

    private static void assertRefused(Fixture fixture, Map<String, Object> overrides, String... named) {
        ModelConfig config = ModelConfig.read(fixture.checkpoint().resolve("config.json")).withOverrides(overrides);
        try (Weights weights = Checkpoints.openWeights(fixture.checkpoint())) {
            UnsupportedConfigException error = assertThrows(UnsupportedConfigException.class,
                    () -> new DetrArchitecture().build(config, weights, fixture.variant(),
                            fixture.graphInterface(fixture.defaultOpset())));
            for (String name : named) {
                assertTrue(error.getMessage().contains(name), error.getMessage());
            }
        }
    }

    /** The fixture's model with {@code overrides}, from {@code checkpoint}, on the fixture's inputs: its one output. */
    private float[] run(Fixture fixture, Path checkpoint, Map<String, Object> overrides, String name)
            throws Exception {
        ModelConfig config = ModelConfig.read(checkpoint.resolve("config.json")).withOverrides(overrides);
        Path out = folder.resolve(name + "-model");
        try (Weights weights = Checkpoints.openWeights(checkpoint)) {
            OnnxModel model = new DetrArchitecture().build(config, weights, fixture.variant(),
                    fixture.graphInterface(fixture.defaultOpset()));
            new ModelWriter(WeightsLocation.AUTOMATIC).write(model, out);
        }
        Map<String, OnnxRuntimeRun.Output> outputs = OnnxRuntimeRun.run(out.resolve("model.onnx"),
                fixture.inputsFile());
        assertEquals(1, outputs.size());
        return outputs.values().iterator().next().values();
    }
}
