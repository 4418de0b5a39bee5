package org.exporters4j.models.xlm;

import java.util.Objects;
import java.util.Set;
import org.exporters4j.checkpoint.ModelConfig;
import org.exporters4j.models.EmbeddingTie;
import org.exporters4j.models.Head;
import org.exporters4j.models.Parameters;
import org.exporters4j.models.UnsupportedConfigException;
import org.exporters4j.models.blocks.Activation;
import org.exporters4j.models.blocks.AttentionDirection;
import org.exporters4j.models.blocks.AttentionHeads;
import org.exporters4j.models.blocks.AttentionMask;
import org.exporters4j.models.blocks.BaseModel;
import org.exporters4j.models.blocks.EncoderArchitecture;
import org.exporters4j.models.blocks.GraphBuild;
import org.exporters4j.models.blocks.LayerNorm;
import org.exporters4j.models.blocks.LayerStack;
import org.exporters4j.models.blocks.Linear;
import org.exporters4j.models.blocks.SequenceSummary;
import org.exporters4j.models.blocks.TextEncoderHeads;
import org.exporters4j.models.blocks.TextInputs;
import org.exporters4j.models.blocks.TokenGrid;
import org.exporters4j.models.blocks.TransformerLayer;
import org.exporters4j.onnx.ElementType;
import org.exporters4j.onnx.KeepDims;
import org.exporters4j.onnx.OnnxGraphBuilder;
import org.exporters4j.onnx.Value;

/**
 * Builds XLM and FlauBERT graphs as Transformers 4.25.1's {@code modeling_xlm.py} and {@code modeling_flaubert.py}
 * compute them in eval mode: word embeddings ({@code transformer.embeddings}) + position embeddings (the checkpoint's
 * table, learned or sinusoidal) + the word embeddings of {@code token_type_ids} when given (XLM embeds token types
 * with the word table), {@code layer_norm_emb}, then {@code n_layers} layers of self-attention and a feed-forward
 * network of {@code 4 · emb_dim} (GELU, or ReLU without {@code gelu_activation}) with post-norm residuals
 * (FlauBERT: pre-norm when {@code pre_norm}); the hidden states are zeroed at padding after the embeddings and after
 * every layer. The padding mask is {@code attention_mask}, or without one the first
 * {@code count(input_ids != pad_index)} positions; with {@code causal} the attention sees the lower triangle only
 * (not the padding mask), as {@code get_masks} builds it. Language embeddings are never added: the graphs take no
 * {@code langs} input, which Transformers then ignores too.
 */
public final class XlmArchitecture extends EncoderArchitecture<TextInputs, XlmArchitecture.Options> {

    private final XlmFlavor flavor;

    /**
     * @param heads the heads Transformers has a class for with this model type (XLMWithLMHeadModel serves masked-lm
     *     and, for XLM, causal-lm; FlauBERT has no causal-lm class in Transformers 4.25.1's auto mappings)
     */
    public XlmArchitecture(String modelType, XlmFlavor flavor, Set<Head> heads) {
        super(modelType, "xlm", heads, new BaseModel("transformer", "embeddings.weight"),
                TextInputs::declareBert, config -> Options.read(config, modelType, flavor));
        this.flavor = Objects.requireNonNull(flavor, "flavor");
    }

    @Override
    protected void addOutputs(ModelConfig config, GraphBuild build, Options options, String base, TextInputs inputs) {
        OnnxGraphBuilder graph = build.graph();
        Parameters parameters = build.parameters();
        TokenGrid grid = inputs.grid();
        long dim = options.dim();
        // XLMForQuestionAnsweringSimple: qa_outputs, split into start and end logits, the standard head
        Value encoded = new Encoder(graph, parameters, options, base, grid).encode(inputs);
        new TextEncoderHeads(build, config, inputs, base, dim, options.vocabSize()) {
            /** XLMPredLayer without adaptive softmax: proj, tied to the word embeddings. */
            @Override
            protected Value languageModelLogits(Value rows) {
                String weight = options.tie().decoderWeight(base + "embeddings.weight",
                        "pred_layer.proj.weight");
                return new Linear(parameters.tensor(weight, options.vocabSize(), dim),
                        parameters.tensor("pred_layer.proj.bias", options.vocabSize()), dim,
                        options.vocabSize()).apply(graph, rows);
            }

            /** XLMForSequenceClassification: the sequence summary is the logits. */
            @Override
            protected long sequenceLabels() {
                return summary().outputSize(dim);
            }

            @Override
            protected Value sequenceLogits(Value rows, long labels) {
                return summary().apply(graph, grid, rows, dim);
            }

            @Override
            protected Value choiceScores(Value rows) {
                return Linear.load(parameters, "logits_proj", summary().outputSize(dim), 1)
                        .apply(graph, summary().apply(graph, grid, rows, dim));
            }

            private SequenceSummary summary() {
                return SequenceSummary.load(config, parameters, "sequence_summary", dim);
            }
        }.add(encoded);
    }

    /** One graph under construction. */
    private record Encoder(OnnxGraphBuilder graph, Parameters parameters, Options options, String base,
                           TokenGrid grid) {

        /** Embeddings and layers: the last hidden state as rows {@code [batch × sequence, emb_dim]}. */
        Value encode(TextInputs inputs) {
            long dim = options.dim();
            // get_masks: the padding mask is attention_mask, else positions before the count of non-pad tokens
            Value padding = inputs.attentionMask().orElseGet(() -> {
                Value lengths = graph.reduceSum(graph.cast(graph.not(graph.equal(inputs.inputIds(),
                        graph.scalar(options.padIndex()))), ElementType.INT64), KeepDims.YES, 1);
                return graph.cast(graph.less(graph.unsqueeze(grid.positions(graph), 0), lengths), ElementType.INT64);
            });
            // tensor *= mask.unsqueeze(-1): one factor per row [batch × sequence, 1]
            Value keep = graph.reshape(graph.cast(padding, ElementType.FLOAT), -1, 1);
            Value attentionMask = options.causal()
                    ? AttentionMask.additive(graph, null, AttentionDirection.CAUSAL, grid)
                    // masked_fill(mask == 0): any non-zero mask value attends
                    : AttentionMask.additive(graph, graph.cast(graph.not(graph.equal(padding, graph.scalar(0))),
                            ElementType.INT64), AttentionDirection.BIDIRECTIONAL, grid);
            Value embedded = graph.inScope("embeddings", () -> {
                Value table = parameters.tensor(base + "embeddings.weight", options.vocabSize(), dim);
                Value sum = graph.add(graph.gather(table, inputs.inputIds(), 0), graph.gather(parameters.tensor(
                        base + "position_embeddings.weight", options.maxPositions(), dim), grid.positions(graph), 0));
                if (inputs.tokenTypeIds().isPresent()) {
                    sum = graph.add(sum, graph.gather(table, inputs.tokenTypeIds().get(), 0));
                }
                Value normalized = LayerNorm.load(parameters, base + "layer_norm_emb", dim, options.layerNormEps())
                        .apply(graph, sum);
                return graph.mul(graph.reshape(normalized, -1, dim), keep);
            });
            // the layers' weights are per-module lists (attentions.i, ffns.i …), read by index
            return new LayerStack("", "layer", options.layers()).apply(graph, embedded,
                    (index, prefix, input) -> graph.mul(layer(index, input, attentionMask), keep));
        }

        /**
         * Attention and feed-forward of layer {@code i}, with the norms where the options place them; the modules are
         * per-layer lists: {@code attentions.i}, {@code layer_norm1.i}, {@code ffns.i} (inner width 4 × emb_dim),
         * {@code layer_norm2.i}.
         */
        private Value layer(int i, Value rows, Value attentionMask) {
            long dim = options.dim();
            TransformerLayer.Names names = new TransformerLayer.Names("attentions." + i + ".q_lin",
                    "attentions." + i + ".k_lin", "attentions." + i + ".v_lin", "attentions." + i + ".out_lin",
                    "layer_norm1." + i, "ffns." + i + ".lin1", "ffns." + i + ".lin2", "layer_norm2." + i);
            TransformerLayer.Settings settings = new TransformerLayer.Settings(dim, options.heads(), 4 * dim,
                    options.activation(), options.layerNormEps(),
                    options.preNorm() ? TransformerLayer.Norms.PRE : TransformerLayer.Norms.POST);
            return TransformerLayer.load(parameters, base, names, settings).apply(graph, rows, attentionMask, grid);
        }
    }

    /** The XLMConfig / FlaubertConfig options the graph is built from (the config's own names: emb_dim, n_heads …). */
    record Options(long vocabSize, long dim, int layers, int heads, long maxPositions, double layerNormEps,
                   Activation activation, boolean causal, boolean preNorm, long padIndex, EmbeddingTie tie) {

        static Options read(ModelConfig config, String modelType, XlmFlavor flavor) {
            String source = config.source();
            if (!config.booleanValue("is_encoder")) {
                throw new UnsupportedConfigException(source + " sets is_encoder false: " + modelType + " can only be "
                        + "used as an encoder (Transformers raises NotImplementedError); set \"is_encoder\": true");
            }
            if (config.booleanValue("asm")) {
                throw new UnsupportedConfigException(source + " sets asm true: the adaptive log-softmax output "
                        + "layer is not exported; only \"asm\": false (a plain projection to the vocabulary) is "
                        + "supported");
            }
            AttentionHeads split = AttentionHeads.read(config, "emb_dim", "n_heads");
            long dim = split.width();
            int heads = split.heads();
            int layers = LayerStack.count(config, "n_layers");
            // TransformerFFN: gelu if gelu_activation else relu
            Activation activation = config.booleanValue("gelu_activation") ? Activation.GELU : Activation.RELU;
            boolean preNorm = flavor.normPlacement() == XlmFlavor.NormPlacement.CONFIGURABLE
                    && config.optionalBoolean("pre_norm").orElse(false);
            return new Options(config.intValue("vocab_size"), dim, layers, heads,
                    config.intValue("max_position_embeddings"), config.doubleValue("layer_norm_eps"), activation,
                    config.booleanValue("causal"), preNorm, config.intValue("pad_index"), EmbeddingTie.of(config));
        }
    }
}
