package org.exporters4j.checkpoint.h5;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.exporters4j.checkpoint.DType;
import org.exporters4j.checkpoint.ModelConfig;
import org.exporters4j.checkpoint.TensorInfo;

/**
 * Registered buffers a PyTorch module saves in its state dict but a TF model does not store, with the values the
 * PyTorch module registers them with (Transformers 4.25). PyTorch keeps these values when it loads TF weights, so they
 * are what the state dict holds.
 */
enum BufferFamily {
    /**
     * BERT-style embeddings: {@code position_ids = arange(max_position_embeddings).expand((1, -1))}, int64, beside
     * every {@code <prefix>embeddings.position_embeddings.weight}.
     */
    POSITION_IDS,
    /**
     * GPT-2 attention: {@code bias = tril(ones(n, n, uint8)).view(1, 1, n, n)} with {@code n = n_positions} and
     * {@code masked_bias = tensor(-1e4)}, beside every {@code <module>.c_attn.weight}.
     */
    GPT2_ATTENTION_MASKS,
    /** GPT-J attention: the same causal {@code bias} and {@code masked_bias = tensor(-1e9)}, beside every {@code <module>.q_proj.weight}. */
    GPTJ_ATTENTION_MASKS,
    /** BART's {@code final_logits_bias = zeros(1, vocab_size)}. */
    FINAL_LOGITS_BIAS;

    private static final Pattern POSITION_EMBEDDINGS = Pattern.compile("^(.*)embeddings\\.position_embeddings\\.weight$");
    private static final Pattern GPT2_ATTENTION = Pattern.compile("^(.*)\\.c_attn\\.weight$");
    private static final Pattern GPTJ_ATTENTION = Pattern.compile("^(.*)\\.q_proj\\.weight$");

    /**
     * {@code max_position_embeddings}; GPT-2-style configs store it as {@code n_positions} (their attribute map), read
     * directly when the config view does not map it.
     */
    private static long maxPositions(ModelConfig config) {
        return config.optionalInt("max_position_embeddings")
                .or(() -> config.optionalInt("n_positions"))
                .orElseGet(() -> config.intValue("max_position_embeddings"));
    }

    /** The buffers of this family for a model whose other keys are {@code keys}. */
    List<BufferTensor> buffers(Collection<String> keys, ModelConfig config) {
        List<BufferTensor> buffers = new ArrayList<>();
        switch (this) {
            case POSITION_IDS -> {
                for (String key : keys) {
                    Matcher m = POSITION_EMBEDDINGS.matcher(key);
                    if (m.matches()) {
                        long positions = maxPositions(config);
                        buffers.add(new BufferTensor(
                                new TensorInfo(m.group(1) + "embeddings.position_ids", DType.I64, List.of(1L, positions)),
                                new BufferValues.Range()));
                    }
                }
            }
            case GPT2_ATTENTION_MASKS, GPTJ_ATTENTION_MASKS -> {
                Pattern attention = this == GPT2_ATTENTION_MASKS ? GPT2_ATTENTION : GPTJ_ATTENTION;
                float maskedBias = this == GPT2_ATTENTION_MASKS ? -1e4f : -1e9f;
                for (String key : keys) {
                    Matcher m = attention.matcher(key);
                    if (m.matches()) {
                        long positions = maxPositions(config);
                        buffers.add(new BufferTensor(new TensorInfo(m.group(1) + ".bias", DType.U8,
                                List.of(1L, 1L, positions, positions)), new BufferValues.LowerTriangle()));
                        buffers.add(new BufferTensor(new TensorInfo(m.group(1) + ".masked_bias", DType.F32, List.of()),
                                new BufferValues.Filled(maskedBias)));
                    }
                }
            }
            case FINAL_LOGITS_BIAS -> buffers.add(new BufferTensor(new TensorInfo("final_logits_bias", DType.F32,
                    List.of(1L, (long) config.intValue("vocab_size"))), new BufferValues.Filled(0f)));
        }
        return buffers;
    }
}
