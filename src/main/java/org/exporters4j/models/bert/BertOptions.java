package org.exporters4j.models.bert;

import org.exporters4j.checkpoint.ModelConfig;
import org.exporters4j.models.EmbeddingTie;
import org.exporters4j.models.UnsupportedConfigException;
import org.exporters4j.models.blocks.Activation;
import org.exporters4j.models.blocks.AttentionDirection;
import org.exporters4j.models.blocks.AttentionHeads;
import org.exporters4j.models.blocks.BertEmbeddings;
import org.exporters4j.models.blocks.BertStyleEncoder;
import org.exporters4j.models.blocks.LayerStack;

/**
 * The config.json options the BERT family builds from, read and checked once. Options whose values change the
 * computation in ways this family does not build are refused here, naming the option and its value.
 */
record BertOptions(long vocabSize, long hiddenSize, long embeddingSize, int layers, int heads, long intermediateSize,
                   Activation hiddenActivation, long typeVocabSize, long maxPositions, double layerNormEps,
                   long paddingIndex, AttentionDirection direction, EmbeddingTie tie)
        implements BertStyleEncoder.Options {

    static BertOptions read(ModelConfig config, String modelType, BertFlavor flavor) {
        String source = config.source();
        String positionType = config.optionalString("position_embedding_type").orElse("absolute");
        if (!positionType.equals("absolute")) {
            throw new UnsupportedConfigException(source + " sets position_embedding_type \"" + positionType
                    + "\", which this exporter does not build for " + modelType
                    + " (relative_key and relative_key_query add learned distance embeddings to the attention "
                    + "scores); only \"absolute\" is supported");
        }
        if (flavor.quantization() == BertFlavor.Quantization.IBERT) {
            boolean quantized = config.optionalBoolean("quant_mode").orElse(false);
            if (quantized) {
                throw new UnsupportedConfigException(source + " sets quant_mode true: I-BERT's integer-only "
                        + "inference (QuantAct, IntGELU, IntSoftmax) is not exported; set \"quant_mode\": false to "
                        + "export the float model, as Optimum's export of an I-BERT checkpoint computes");
            }
            String activation = config.optionalString("hidden_act").orElse("gelu");
            if (!activation.equals("gelu")) {
                throw new UnsupportedConfigException(source + " sets hidden_act \"" + activation + "\", but I-BERT "
                        + "only supports \"gelu\" (IBertIntermediate raises for anything else); set it to \"gelu\"");
            }
        }
        AttentionHeads split = AttentionHeads.read(config, "hidden_size", "num_attention_heads");
        long hiddenSize = split.width();
        int heads = split.heads();
        long embeddingSize = flavor.languageModelHead() == BertFlavor.LanguageModelHead.ELECTRA_GENERATOR
                ? config.intValue("embedding_size")
                : hiddenSize;
        long typeVocabSize = BertEmbeddings.typeVocabSize(config);
        int layers = LayerStack.count(config, "num_hidden_layers");
        boolean decoder = config.optionalBoolean("is_decoder").orElse(false);
        long paddingIndex = flavor.positions() == BertFlavor.Positions.FROM_PADDING ? config.intValue("pad_token_id") : 0;
        return new BertOptions(config.intValue("vocab_size"), hiddenSize, embeddingSize, layers, heads,
                config.intValue("intermediate_size"), Activation.fromConfig(config, "hidden_act"), typeVocabSize,
                config.intValue("max_position_embeddings"), config.doubleValue("layer_norm_eps"), paddingIndex,
                decoder ? AttentionDirection.CAUSAL : AttentionDirection.BIDIRECTIONAL,
                EmbeddingTie.of(config));
    }

    long headSize() {
        return hiddenSize / heads;
    }
}
