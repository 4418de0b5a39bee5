package org.exporters4j.models.perceiver;

import java.util.List;
import java.util.Set;
import org.exporters4j.checkpoint.ModelConfig;
import org.exporters4j.models.ArchitectureException;
import org.exporters4j.models.Head;
import org.exporters4j.models.Parameters;
import org.exporters4j.models.UnsupportedConfigException;
import org.exporters4j.models.Variant;
import org.exporters4j.models.blocks.Activation;
import org.exporters4j.models.blocks.AttentionHeads;
import org.exporters4j.models.blocks.EncoderHeads;
import org.exporters4j.models.blocks.FamilyArchitecture;
import org.exporters4j.models.blocks.GraphBuild;
import org.exporters4j.models.blocks.GraphInputs;
import org.exporters4j.models.blocks.GraphInputs.Accepted;
import org.exporters4j.models.blocks.GraphInputs.Kind;
import org.exporters4j.models.blocks.LayerStack;
import org.exporters4j.models.blocks.Linear;
import org.exporters4j.models.perceiver.PerceiverLayers.QueryResidual;
import org.exporters4j.onnx.Dim;
import org.exporters4j.onnx.OnnxGraphBuilder;
import org.exporters4j.onnx.Value;
import org.exporters4j.onnx.Window;

/**
 * Builds the Perceiver IO models Optimum v1.5.2 exports — {@code PerceiverForMaskedLM},
 * {@code PerceiverForSequenceClassification} and {@code PerceiverForImageClassificationLearned} — as Transformers
 * 4.25.1's {@code modeling_perceiver.py} computes them in eval mode:
 *
 * <ul>
 *   <li>the input preprocessor: token plus learned position embeddings (text), or a 1×1 convolution to
 *       {@code out_channels}, flattened pixels, concatenated with the projected learned position table (image);</li>
 *   <li>the encoder: the learned latents cross-attend to the inputs ({@code num_cross_attention_heads}), then the
 *       block of {@code num_self_attends_per_block} self-attention layers runs {@code num_blocks} times with the same
 *       weights;</li>
 *   <li>the decoder: learned output queries cross-attend to the latents; masked LM: 8 heads, no query residual, then
 *       the token embedding table as output projection plus {@code embedding_decoder.bias}, one row per position of
 *       {@code max_position_embeddings}; classification: 1 head, query residual, {@code final_layer}, the one
 *       query's logits.</li>
 * </ul>
 * The graph input is {@code input_ids} or {@code pixel_values}, as Optimum v1.5.2 names Perceiver's {@code inputs}.
 * No attention mask is an input, so every token is attended, as Transformers does without a mask.
 */
public final class PerceiverArchitecture extends FamilyArchitecture {
    private static final Set<Head> HEADS = Set.of(Head.MASKED_LM, Head.SEQUENCE_CLASSIFICATION,
            Head.IMAGE_CLASSIFICATION);
    /** PerceiverForMaskedLM's decoder attends with 8 heads; the classification decoder with 1 (its default). */
    private static final int MASKED_LM_DECODER_HEADS = 8;
    private static final int CLASSIFICATION_DECODER_HEADS = 1;
    private static final String PREPROCESSOR = "perceiver.input_preprocessor.";
    private static final String LEARNED_IMAGE_CONVOLUTION = PREPROCESSOR + "convnet_1x1.weight";

    public PerceiverArchitecture() {
        super("perceiver", "perceiver", withoutPast(HEADS));
    }

    @Override
    protected void addOutputs(ModelConfig config, Variant variant, GraphBuild build) {
        OnnxGraphBuilder graph = build.graph();
        Parameters parameters = build.parameters();
        PerceiverLayers layers = new PerceiverLayers(graph, parameters, Activation.fromConfig(config, "hidden_act"));
        Head head = variant.head();
        int imageSize = config.intValue("image_size");
        GraphInputs inputs = GraphInputs.declare(build, List.of(
                Accepted.of("input_ids", Kind.INTEGER, Dim.symbolic("batch_size"), Dim.symbolic("sequence_length")),
                Accepted.of("pixel_values", Kind.FLOAT, Dim.symbolic("batch_size"), Dim.symbolic("num_channels"),
                        Dim.of(imageSize), Dim.of(imageSize))));
        Value preprocessed = graph.inScope("input_preprocessor", () -> head == Head.IMAGE_CLASSIFICATION
                ? learnedImage(graph, parameters, config, inputs.required("pixel_values"))
                : text(graph, parameters, config, inputs.required("input_ids")));
        Value latents = graph.inScope("encoder", () -> encode(graph, parameters, layers, config, preprocessed));
        Dim follows = Dim.unknown();
        // Optimum's interface names the logits' second axis sequence_length though the model fixes its size
        // (max_position_embeddings positions, or the labels); passing that axis through a runtime range keeps
        // ONNX Runtime's shape inference from replacing the declared name by the fixed size.
        switch (head) {
            case MASKED_LM -> {
                if (build.wants("logits")) {
                    long vocab = config.intValue("vocab_size");
                    build.output("logits", unpinned(graph, maskedLanguageModelLogits(graph, parameters, layers,
                            config, latents)), follows, follows, Dim.of(vocab));
                }
            }
            case SEQUENCE_CLASSIFICATION, IMAGE_CLASSIFICATION -> {
                if (build.wants("logits")) {
                    long labels = EncoderHeads.labels(parameters, "perceiver.decoder.decoder.final_layer.weight",
                            config);
                    build.output("logits", unpinned(graph, classificationLogits(graph, parameters, layers, latents)),
                            follows, Dim.of(labels));
                }
            }
            default -> throw new ArchitectureException("perceiver has no " + head + " head");
        }
    }

    /** PerceiverTextPreprocessor: token embeddings plus position embeddings 0 … length − 1. */
    private static Value text(OnnxGraphBuilder graph, Parameters parameters, ModelConfig config, Value ids) {
        long size = config.intValue("d_model");
        Value tokens = graph.gather(parameters.tensor(PREPROCESSOR + "embeddings.weight",
                config.intValue("vocab_size"), size), ids, 0);
        Value length = graph.gather(graph.shape(ids), graph.scalar(1), 0);
        Value positions = graph.gather(parameters.tensor(PREPROCESSOR + "position_embeddings.weight",
                config.intValue("max_position_embeddings"), size), graph.range(graph.scalar(0), length,
                graph.scalar(1)), 0);
        return graph.add(tokens, positions);
    }

    /**
     * PerceiverImagePreprocessor as PerceiverForImageClassificationLearned configures it (prep_type conv1x1,
     * spatial_downsample 1, trainable positions over {@code image_size²} pixels, projected and concatenated).
     */
    private static Value learnedImage(OnnxGraphBuilder graph, Parameters parameters, ModelConfig config,
                                      Value pixels) {
        if (!parameters.contains(LEARNED_IMAGE_CONVOLUTION)) {
            throw new UnsupportedConfigException("the checkpoint has no '" + LEARNED_IMAGE_CONVOLUTION + "': only "
                    + "PerceiverForImageClassificationLearned is exported for image classification (the Fourier and "
                    + "convolutional-processing image classifiers Transformers also maps to this task are not built); "
                    + "export a PerceiverForImageClassificationLearned checkpoint");
        }
        long channels = parameters.dimension(LEARNED_IMAGE_CONVOLUTION, 0);
        Value convolved = graph.conv(pixels,
                parameters.tensor(LEARNED_IMAGE_CONVOLUTION, channels, parameters.dimension(LEARNED_IMAGE_CONVOLUTION,
                        1), 1, 1),
                parameters.tensor(PREPROCESSOR + "convnet_1x1.bias", channels), Window.of(1, 1), 1);
        // [batch, channels, height, width] → [batch, height · width, channels]
        Value features = graph.transpose(graph.reshape(convolved, 0, channels, -1), 0, 2, 1);
        long pixelsCount = (long) config.intValue("image_size") * config.intValue("image_size");
        String table = PREPROCESSOR + "position_embeddings.position_embeddings";
        long positionChannels = parameters.dimension(table, 1);
        String projection = PREPROCESSOR + "positions_projection";
        Value positions = graph.add(graph.matMul(parameters.tensor(table, pixelsCount, positionChannels),
                        graph.transpose(parameters.tensor(projection + ".weight",
                                parameters.dimension(projection + ".weight", 0), positionChannels), 1, 0)),
                parameters.tensor(projection + ".bias", parameters.dimension(projection + ".weight", 0)));
        Value batch = graph.shape(pixels, 0, 1);
        Value expanded = graph.expand(graph.unsqueeze(positions, 0),
                graph.concat(0, batch, graph.shape(positions)));
        return graph.concat(2, features, expanded);
    }

    /** PerceiverEncoder: the latents' cross-attention to the inputs, then the self-attention block, num_blocks times. */
    private static Value encode(OnnxGraphBuilder graph, Parameters parameters, PerceiverLayers layers,
                                ModelConfig config, Value inputs) {
        long latentCount = config.intValue("num_latents");
        long latentSize = config.intValue("d_latents");
        Value latentTable = parameters.tensor("perceiver.embeddings.latents", latentCount, latentSize);
        Value latents = graph.expand(graph.unsqueeze(latentTable, 0),
                graph.concat(0, graph.shape(inputs, 0, 1), graph.constant(latentCount, latentSize)));
        QueryResidual crossResidual = config.optionalBoolean("use_query_residual").orElse(true)
                ? QueryResidual.ADDED : QueryResidual.OMITTED;
        Value states = graph.inScope("cross_attention", () -> layers.layer("perceiver.encoder.cross_attention.",
                latents, inputs, heads(config, "num_cross_attention_heads", latentSize), crossResidual));
        int selfHeads = heads(config, "num_self_attention_heads", latentSize);
        int blocks = LayerStack.count(config, "num_blocks");
        int perBlock = LayerStack.count(config, "num_self_attends_per_block");
        // every block runs the same self_attends layers again (their weights are shared)
        LayerStack selfAttends = new LayerStack("perceiver.encoder.", "self_attends", perBlock);
        for (int block = 0; block < blocks; block++) {
            states = selfAttends.apply(graph, states, (index, prefix, input) -> layers.layer(prefix, input, null,
                    selfHeads, QueryResidual.ADDED));
        }
        return states;
    }

    /**
     * PerceiverBasicDecoder of PerceiverForMaskedLM, then PerceiverEmbeddingDecoder: {@code [batch,
     * max_position_embeddings, vocab_size]}.
     */
    private static Value maskedLanguageModelLogits(OnnxGraphBuilder graph, Parameters parameters,
                                                   PerceiverLayers layers, ModelConfig config, Value latents) {
        Value decoded = decode(graph, parameters, layers, "perceiver.decoder.", latents, MASKED_LM_DECODER_HEADS,
                QueryResidual.OMITTED);
        long vocab = config.intValue("vocab_size");
        long size = config.intValue("d_model");
        // the output projection is always the input embedding table: PerceiverEmbeddingDecoder is called with the
        // preprocessor's embeddings, whatever tie_word_embeddings says
        String table = PREPROCESSOR + "embeddings.weight";
        return new Linear(parameters.tensor(table, vocab, size), parameters.tensor("embedding_decoder.bias", vocab),
                size, vocab).applyToLastAxis(graph, decoded);
    }

    /** PerceiverClassificationDecoder: {@code final_layer} on the single query's output, {@code [batch, labels]}. */
    private static Value classificationLogits(OnnxGraphBuilder graph, Parameters parameters, PerceiverLayers layers,
                                              Value latents) {
        String prefix = "perceiver.decoder.decoder.";
        Value decoded = decode(graph, parameters, layers, prefix, latents, CLASSIFICATION_DECODER_HEADS,
                QueryResidual.ADDED);
        return graph.gather(layers.dense(prefix + "final_layer", decoded), graph.scalar(0), 1);
    }

    /** PerceiverBasicDecoder's queries (the learned output positions, per example) cross-attending to the latents. */
    private static Value decode(OnnxGraphBuilder graph, Parameters parameters, PerceiverLayers layers, String prefix,
                                Value latents, int heads, QueryResidual residual) {
        return graph.inScope("decoder", () -> {
            String table = prefix + "output_position_encodings.position_embeddings";
            Value positions = parameters.tensor(table, parameters.dimension(table, 0), parameters.dimension(table, 1));
            Value queries = graph.expand(graph.unsqueeze(positions, 0),
                    graph.concat(0, graph.shape(latents, 0, 1), graph.shape(positions)));
            return layers.layer(prefix + "decoding_cross_attention.", queries, latents, heads, residual);
        });
    }

    /** {@code x[:, 0 : x.shape[1]]} by a gather of a runtime range: the same values, axis 1 of unstated size. */
    private static Value unpinned(OnnxGraphBuilder graph, Value x) {
        Value length = graph.gather(graph.shape(x), graph.scalar(1), 0);
        return graph.gather(x, graph.range(graph.scalar(0), length, graph.scalar(1)), 1);
    }

    private static int heads(ModelConfig config, String key, long latentSize) {
        return AttentionHeads.of(config, "d_latents", latentSize, key).heads();
    }
}
