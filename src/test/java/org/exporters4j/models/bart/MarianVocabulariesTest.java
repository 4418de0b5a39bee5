package org.exporters4j.models.bart;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.exporters4j.SharedFiles;
import org.exporters4j.checkpoint.ModelConfig;
import org.exporters4j.checkpoint.SafetensorsFileWriter;
import org.exporters4j.checkpoint.TensorInfo;
import org.exporters4j.checkpoint.Weights;
import org.exporters4j.checkpoint.folder.Checkpoints;
import org.exporters4j.models.Fixture;
import org.exporters4j.models.OnnxRuntimeRun;
import org.exporters4j.onnx.ModelWriter;
import org.exporters4j.onnx.WeightsLocation;
import org.exporters4j.tasks.ModelTypes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Marian with {@code share_encoder_decoder_embeddings: false} reads the encoder's and the decoder's own token tables
 * (the output embedding tied to the decoder's), and {@code tie_word_embeddings: false} reads {@code lm_head.weight};
 * checked on checkpoints the test writes from the marian seq2seq-lm fixture: with the tables equal to the shared one
 * the logits are PyTorch's, with a different decoder table or output embedding they are not.
 */
class MarianVocabulariesTest {
    private static final String SHARED = "model.shared.weight";
    private static final String ENCODER = "model.encoder.embed_tokens.weight";
    private static final String DECODER = "model.decoder.embed_tokens.weight";
    private static final String LM_HEAD = "lm_head.weight";

    @TempDir
    Path folder;

    private final Fixture fixture = Fixture.read(SharedFiles.fixtures().resolve("marian--seq2seq-lm"));

    @Test
    void separateTablesAreReadFromTheirOwnNames() throws Exception {
        Map<String, Object> separate = Map.of("share_encoder_decoder_embeddings", false);
        assertTrue(diffFromPyTorch("same", separate, name -> name) <= 1e-5);
        // the decoder (and the output embedding tied to it) read the decoder's table, not the encoder's
        assertTrue(diffFromPyTorch("decoder", separate, name -> name.equals(DECODER) ? "scaled" : name) > 1e-3);
        assertTrue(diffFromPyTorch("encoder", separate, name -> name.equals(ENCODER) ? "scaled" : name) > 1e-3);
    }

    @Test
    void untiedOutputEmbeddingIsLmHead() throws Exception {
        Map<String, Object> untied = Map.of("tie_word_embeddings", false);
        assertTrue(diffFromPyTorch("untied-same", untied, name -> name) <= 1e-5);
        assertTrue(diffFromPyTorch("untied", untied, name -> name.equals(LM_HEAD) ? "scaled" : name) > 1e-3);
        // tied (the default), a different lm_head.weight is ignored, as Transformers' tie_weights ignores it
        assertTrue(diffFromPyTorch("tied", Map.of(), name -> name.equals(LM_HEAD) ? "scaled" : name) <= 1e-5);
    }

    /**
     * Writes the fixture's checkpoint without {@code model.shared.weight}, the tables {@code scaled} names
     * multiplied by 1.5, exports seq2seq-lm with {@code overrides} and returns the logits' max abs diff from
     * PyTorch's on the fixture's inputs.
     */
    private double diffFromPyTorch(String name, Map<String, Object> overrides, UnaryOperator<String> scaled)
            throws Exception {
        Path checkpoint = Files.createDirectories(folder.resolve(name));
        SafetensorsFileWriter writer = new SafetensorsFileWriter();
        try (Weights weights = Checkpoints.openWeights(fixture.checkpoint())) {
            for (String tensor : weights.names()) {
                if (tensor.equals(SHARED)) {
                    continue;
                }
                TensorInfo info = weights.info(tensor);
                ByteBuffer bytes = weights.bytes(tensor).order(ByteOrder.LITTLE_ENDIAN);
                byte[] data = new byte[bytes.remaining()];
                if (scaled.apply(tensor).equals("scaled")) {
                    ByteBuffer out = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
                    while (bytes.hasRemaining()) {
                        out.putFloat(bytes.getFloat() * 1.5f);
                    }
                } else {
                    bytes.get(data);
                }
                writer.add(tensor, info.dtype(), info.shape(), data);
            }
        }
        writer.write(checkpoint.resolve("model.safetensors"));
        ModelConfig config = ModelConfig.read(fixture.checkpoint().resolve("config.json")).withOverrides(overrides);
        Path out = folder.resolve(name + "-onnx");
        try (Weights weights = Checkpoints.openWeights(checkpoint)) {
            new ModelWriter(WeightsLocation.AUTOMATIC).write(ModelTypes.architecture("marian").build(config,
                    weights, BartFamilyFixturesTest.variantOf("seq2seq-lm"),
                    BartFamilyFixturesTest.graphInterface(fixture)), out);
        }
        OnnxRuntimeRun.Output actual = OnnxRuntimeRun.run(out.resolve("model.onnx"), fixture.inputsFile())
                .get("logits");
        OnnxRuntimeRun.Output expected = OnnxRuntimeRun.read(fixture.outputsFile(), "logits");
        return OnnxRuntimeRun.maxAbsDiff(expected.values(), actual.values());
    }
}
