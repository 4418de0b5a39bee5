package org.exporters4j.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Function;
import java.util.stream.Stream;
import org.exporters4j.checkpoint.ModelConfig;
import org.exporters4j.checkpoint.Weights;
import org.exporters4j.checkpoint.folder.Checkpoints;
import org.exporters4j.models.DecoderRuns.Tensor;
import org.exporters4j.models.falcon.FalconArchitecture;
import org.exporters4j.models.gptbigcode.GptBigCodeArchitecture;
import org.exporters4j.models.gptneox.GptNeoXArchitecture;
import org.exporters4j.models.llama.LlamaArchitecture;
import org.exporters4j.models.llama.LlamaFlavor.Options;
import org.exporters4j.models.opt.OptArchitecture;
import org.exporters4j.models.phi.PhiArchitecture;
import org.exporters4j.models.stablelm.StableLmArchitecture;
import org.exporters4j.onnx.ElementType;
import org.exporters4j.onnx.ModelWriter;
import org.exporters4j.onnx.Opset;
import org.exporters4j.onnx.WeightsLocation;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * The config options of today's decoders that the fixtures do not cover (the non-Llama families, and Mixtral's,
 * OLMo's, Starcoder2's and Phi-3's flavours), built on a fixture's checkpoint
 * edited to use them (tensors the option adds drawn at random, the shapes Transformers gives them): for each, the
 * with-past graph decodes a left-padded batch step by step from an empty past, and every step's logits equal those
 * of the graph without cache run on the whole sequence so far, within 1e-5 (the check the fixtures' own
 * cache_consistency makes in PyTorch); the first step equals the graph without cache on the prompt.
 */
class TodayDecoderOptionsTest {
    private static final double TOLERANCE = 1e-5;
    private static final int NEW_TOKENS = 4;
    private static final int[] PROMPT_LENGTHS = {5, 3};
    private static final int LAYERS = 2;

    @TempDir
    Path folder;

    /** An option under test: the fixture it edits, the edit, and the architecture that builds it. */
    private record Case(String name, String fixture, Edit edit, Function<String, Architecture> architecture,
                        CacheNaming cache) {}

    @FunctionalInterface
    private interface Edit {
        void apply(EditedCheckpoint checkpoint, SplittableRandom random);
    }

    /** How the cache tensors are named and shaped: key and value apart, or GPT-BigCode's fused tensor. */
    private record CacheNaming(boolean fused, int heads, int headDim, boolean multiQuery) {
        static CacheNaming separate(int heads, int headDim) {
            return new CacheNaming(false, heads, headDim, false);
        }
    }

    @TestFactory
    Stream<DynamicTest> cachedDecodingEqualsFullRecomputation() {
        List<Case> cases = List.of(
                new Case("gpt-neox sequential residual, no attention biases, full rotary",
                        "gpt-neox--text-generation", (c, r) -> {
                            c.config().put("use_parallel_residual", false).put("attention_bias", false)
                                    .put("rotary_pct", 1.0);
                            for (int layer = 0; layer < LAYERS; layer++) {
                                c.remove("gpt_neox.layers." + layer + ".attention.query_key_value.bias");
                                c.remove("gpt_neox.layers." + layer + ".attention.dense.bias");
                            }
                        }, type -> new GptNeoXArchitecture(type, heads()), CacheNaming.separate(4, 8)),
                new Case("phi with qk_layernorm and full rotary", "phi--text-generation", (c, r) -> {
                    c.config().put("qk_layernorm", true).put("partial_rotary_factor", 1.0);
                    for (int layer = 0; layer < LAYERS; layer++) {
                        for (String norm : List.of("q_layernorm", "k_layernorm")) {
                            String prefix = "model.layers." + layer + ".self_attn." + norm;
                            c.put(prefix + ".weight", around(r, 1, 8));
                            c.put(prefix + ".bias", EditedCheckpoint.random(r, 0.1, 8));
                        }
                    }
                }, type -> new PhiArchitecture(type, heads()), CacheNaming.separate(2, 8)),
                new Case("stablelm with per-head qk_layernorm, q/k/v biases and parallel residual",
                        "stablelm--text-generation", (c, r) -> {
                            c.config().put("qk_layernorm", true).put("use_qkv_bias", true)
                                    .put("use_parallel_residual", true);
                            for (int layer = 0; layer < LAYERS; layer++) {
                                String prefix = "model.layers." + layer + ".self_attn.";
                                for (int head = 0; head < 4; head++) {
                                    c.put(prefix + "q_layernorm.norms." + head + ".weight", around(r, 1, 8));
                                }
                                for (int head = 0; head < 2; head++) {
                                    c.put(prefix + "k_layernorm.norms." + head + ".weight", around(r, 1, 8));
                                }
                                c.put(prefix + "q_proj.bias", EditedCheckpoint.random(r, 0.1, 32));
                                c.put(prefix + "k_proj.bias", EditedCheckpoint.random(r, 0.1, 16));
                                c.put(prefix + "v_proj.bias", EditedCheckpoint.random(r, 0.1, 16));
                                c.remove("model.layers." + layer + ".post_attention_layernorm.weight");
                                c.remove("model.layers." + layer + ".post_attention_layernorm.bias");
                            }
                        }, type -> new StableLmArchitecture(type, heads()), CacheNaming.separate(2, 8)),
                new Case("falcon with ALiBi (no positions), one LayerNorm in parallel", "falcon--text-generation",
                        (c, r) -> {
                            c.config().put("alibi", true).put("num_ln_in_parallel_attn", 1);
                            for (int layer = 0; layer < LAYERS; layer++) {
                                falconSingleNorm(c, r, layer);
                            }
                        }, type -> new FalconArchitecture(type, heads()), CacheNaming.separate(4, 8)),
                new Case("falcon multi-query (old architecture), sequential, with biases", "falcon--text-generation",
                        (c, r) -> {
                            c.config().put("new_decoder_architecture", false).put("multi_query", true)
                                    .put("parallel_attn", false).put("bias", true);
                            for (int layer = 0; layer < LAYERS; layer++) {
                                String prefix = "transformer.h." + layer + ".";
                                falconSingleNorm(c, r, layer);
                                c.put(prefix + "post_attention_layernorm.weight", around(r, 1, 32));
                                c.put(prefix + "post_attention_layernorm.bias", EditedCheckpoint.random(r, 0.1, 32));
                                c.put(prefix + "self_attention.query_key_value.weight",
                                        EditedCheckpoint.random(r, 0.2, 48, 32));
                                c.put(prefix + "self_attention.query_key_value.bias",
                                        EditedCheckpoint.random(r, 0.1, 48));
                                c.put(prefix + "self_attention.dense.bias", EditedCheckpoint.random(r, 0.1, 32));
                                c.put(prefix + "mlp.dense_h_to_4h.bias", EditedCheckpoint.random(r, 0.1, 37));
                                c.put(prefix + "mlp.dense_4h_to_h.bias", EditedCheckpoint.random(r, 0.1, 32));
                            }
                        }, type -> new FalconArchitecture(type, heads()), CacheNaming.separate(1, 8)),
                new Case("falcon with a key and value per head, parallel", "falcon--text-generation", (c, r) -> {
                    c.config().put("new_decoder_architecture", false).put("multi_query", false)
                            .put("num_kv_heads", 4);
                    for (int layer = 0; layer < LAYERS; layer++) {
                        falconSingleNorm(c, r, layer);
                        c.put("transformer.h." + layer + ".self_attention.query_key_value.weight",
                                EditedCheckpoint.random(r, 0.2, 96, 32));
                    }
                }, type -> new FalconArchitecture(type, heads()), CacheNaming.separate(4, 8)),
                new Case("opt post-LayerNorm (do_layer_norm_before false) without biases",
                        "opt--text-generation", (c, r) -> {
                            c.config().put("do_layer_norm_before", false).put("enable_bias", false);
                            c.remove("model.decoder.final_layer_norm.weight");
                            c.remove("model.decoder.final_layer_norm.bias");
                            for (int layer = 0; layer < LAYERS; layer++) {
                                String prefix = "model.decoder.layers." + layer + ".";
                                for (String linear : List.of("self_attn.q_proj", "self_attn.k_proj",
                                        "self_attn.v_proj", "self_attn.out_proj", "fc1", "fc2")) {
                                    c.remove(prefix + linear + ".bias");
                                }
                            }
                        }, type -> new OptArchitecture(type, heads()), CacheNaming.separate(4, 8)),
                new Case("opt with word_embed_proj_dim 16 (project_in/out), LayerNorms without weights",
                        "opt--text-generation", (c, r) -> {
                            c.config().put("word_embed_proj_dim", 16).put("layer_norm_elementwise_affine", false);
                            c.put("model.decoder.embed_tokens.weight", EditedCheckpoint.random(r, 0.5, 100, 16));
                            c.put("model.decoder.project_in.weight", EditedCheckpoint.random(r, 0.3, 32, 16));
                            c.put("model.decoder.project_out.weight", EditedCheckpoint.random(r, 0.3, 16, 32));
                        }, type -> new OptArchitecture(type, heads()), CacheNaming.separate(4, 8)),
                new Case("gpt-bigcode multi-head (multi_query false) without score scaling",
                        "gpt-bigcode--text-generation", (c, r) -> {
                            c.config().put("multi_query", false).put("scale_attn_weights", false);
                            for (int layer = 0; layer < LAYERS; layer++) {
                                String prefix = "transformer.h." + layer + ".attn.c_attn.";
                                c.put(prefix + "weight", EditedCheckpoint.random(r, 0.2, 96, 32));
                                c.put(prefix + "bias", EditedCheckpoint.random(r, 0.1, 96));
                            }
                        }, type -> new GptBigCodeArchitecture(type, heads()), new CacheNaming(true, 4, 8, false)),
                new Case("mixtral top-1 routing with a sliding window of 3", "mixtral--text-generation",
                        (c, r) -> c.config().put("num_experts_per_tok", 1).put("sliding_window", 3),
                        llama(Options.MIXTRAL), CacheNaming.separate(2, 8)),
                new Case("mixtral routing to every expert (top-3 of 3)", "mixtral--text-generation",
                        (c, r) -> c.config().put("num_experts_per_tok", 3), llama(Options.MIXTRAL),
                        CacheNaming.separate(2, 8)),
                new Case("olmo with clip_qkv 0.3 and attention biases", "olmo--text-generation", (c, r) -> {
                    c.config().put("clip_qkv", 0.3).put("attention_bias", true);
                    for (int layer = 0; layer < LAYERS; layer++) {
                        String prefix = "model.layers." + layer + ".self_attn.";
                        c.put(prefix + "q_proj.bias", EditedCheckpoint.random(r, 0.1, 32));
                        c.put(prefix + "k_proj.bias", EditedCheckpoint.random(r, 0.1, 16));
                        c.put(prefix + "v_proj.bias", EditedCheckpoint.random(r, 0.1, 16));
                        c.put(prefix + "o_proj.bias", EditedCheckpoint.random(r, 0.1, 32));
                    }
                }, llama(Options.OLMO), CacheNaming.separate(2, 8)),
                new Case("starcoder2 without linear biases (use_bias false), a sliding window of 3",
                        "starcoder2--text-generation", (c, r) -> {
                            c.config().put("use_bias", false).put("sliding_window", 3);
                            for (int layer = 0; layer < LAYERS; layer++) {
                                String prefix = "model.layers." + layer + ".";
                                for (String linear : List.of("self_attn.q_proj", "self_attn.k_proj",
                                        "self_attn.v_proj", "self_attn.o_proj", "mlp.c_fc", "mlp.c_proj")) {
                                    c.remove(prefix + linear + ".bias");
                                }
                            }
                        }, llama(Options.STARCODER2), CacheNaming.separate(2, 8)),
                new Case("phi3 with partial_rotary_factor 0.5, LongRoPE past original_max_position_embeddings 4, "
                        + "a sliding window of 3", "phi3--text-generation", (c, r) -> {
                            c.config().put("partial_rotary_factor", 0.5).put("original_max_position_embeddings", 4)
                                    .put("sliding_window", 3);
                            com.fasterxml.jackson.databind.node.ObjectNode scaling = c.config()
                                    .putObject("rope_scaling");
                            scaling.put("type", "longrope");
                            scaling.putArray("short_factor").add(1.5).add(3.0);
                            scaling.putArray("long_factor").add(2.0).add(5.0);
                        }, llama(Options.PHI3), CacheNaming.separate(2, 8)));
        return cases.stream().map(option -> DynamicTest.dynamicTest(option.name(), () -> decode(option)));
    }

    private static java.util.Set<Head> heads() {
        return EnumSet.of(Head.BASE, Head.CAUSAL_LM);
    }

    /** A Llama-family flavour with its preset. */
    private static Function<String, Architecture> llama(Options options) {
        return type -> new LlamaArchitecture(type, options, heads());
    }

    /** Falcon's single {@code input_layernorm} in place of the fixture's {@code ln_attn} / {@code ln_mlp}. */
    private static void falconSingleNorm(EditedCheckpoint c, SplittableRandom r, int layer) {
        String prefix = "transformer.h." + layer + ".";
        for (String norm : List.of("ln_attn", "ln_mlp")) {
            c.remove(prefix + norm + ".weight");
            c.remove(prefix + norm + ".bias");
        }
        c.put(prefix + "input_layernorm.weight", around(r, 1, 32));
        c.put(prefix + "input_layernorm.bias", EditedCheckpoint.random(r, 0.1, 32));
    }

    /** {@code center + 0.1 · N(0, 1)} values, as the fixtures draw normalisation weights. */
    private static EditedCheckpoint.Tensor around(SplittableRandom random, float center, long size) {
        EditedCheckpoint.Tensor noise = EditedCheckpoint.random(random, 0.1, size);
        float[] values = noise.values().clone();
        for (int i = 0; i < values.length; i++) {
            values[i] += center;
        }
        return new EditedCheckpoint.Tensor(noise.shape(), values);
    }

    private void decode(Case option) throws Exception {
        Fixture fixture = Fixture.ofToday(List.of(option.fixture().substring(0, option.fixture().indexOf("--"))))
                .stream().filter(f -> f.toString().equals(option.fixture())).findFirst().orElseThrow();
        EditedCheckpoint edited = EditedCheckpoint.of(fixture.checkpoint());
        option.edit().apply(edited, new SplittableRandom(20261206));
        Path checkpoint = edited.write(folder.resolve(option.name().replaceAll("[^A-Za-z0-9]+", "-")));
        ModelConfig config = ModelConfig.read(checkpoint.resolve("config.json"));
        String modelType = fixture.modelType();
        Architecture architecture = option.architecture().apply(modelType);
        boolean positions = fixture.inputNames().contains("position_ids")
                && !config.optionalBoolean("alibi").orElse(false);
        Path withPast = build(architecture, config, checkpoint, Variant.withPast(Head.CAUSAL_LM), option.cache(),
                positions);
        Path withoutPast = build(architecture, config, checkpoint, Variant.of(Head.CAUSAL_LM), option.cache(),
                positions);
        int vocab = config.intValue("vocab_size");
        int batch = PROMPT_LENGTHS.length;
        int promptLength = PROMPT_LENGTHS[0];
        SplittableRandom random = new SplittableRandom(11);
        List<long[]> tokens = new ArrayList<>();
        List<long[]> masks = new ArrayList<>();
        for (int length : PROMPT_LENGTHS) {
            long[] row = new long[promptLength];
            long[] mask = new long[promptLength];
            for (int i = 0; i < promptLength; i++) {
                boolean padding = i < promptLength - length;
                row[i] = padding ? 0 : 3 + random.nextInt(vocab - 3);
                mask[i] = padding ? 0 : 1;
            }
            tokens.add(row);
            masks.add(mask);
        }
        try (DecoderRuns.Session cached = new DecoderRuns.Session(withPast);
             DecoderRuns.Session full = new DecoderRuns.Session(withoutPast)) {
            Map<String, Tensor> feed = inputs(tokens, masks, promptLength, positions);
            for (int layer = 0; layer < LAYERS; layer++) {
                for (String name : cacheNames("past_key_values", layer, option.cache())) {
                    feed.put(name, Tensor.ofFloats(emptyCache(option.cache(), batch)));
                }
            }
            Map<String, Tensor> step = cached.run(feed);
            Map<String, Tensor> reference = full.run(inputs(tokens, masks, promptLength, positions));
            assertArrayEquals(reference.get("logits").shape(), step.get("logits").shape());
            double first = DecoderRuns.maxAbsDiff(reference.get("logits").floats(), step.get("logits").floats());
            assertTrue(first <= TOLERANCE, option.name() + ": the prompt from an empty past differs from the graph "
                    + "without past by " + first);
            float[] last = lastPosition(step.get("logits"), batch, vocab);
            for (int generated = 0; generated < NEW_TOKENS; generated++) {
                long[] next = new long[batch];
                for (int row = 0; row < batch; row++) {
                    next[row] = argmax(last, row * vocab, vocab);
                    tokens.set(row, append(tokens.get(row), next[row]));
                    masks.set(row, append(masks.get(row), 1));
                }
                int length = tokens.get(0).length;
                Map<String, Tensor> stepFeed = new LinkedHashMap<>();
                stepFeed.put("input_ids", Tensor.ofLongs(new long[] {batch, 1}, next));
                stepFeed.put("attention_mask", Tensor.ofLongs(new long[] {batch, length}, flatten(masks)));
                if (positions) {
                    stepFeed.put("position_ids", Tensor.ofLongs(new long[] {batch, 1},
                            lastColumn(positionIds(masks, length), batch, length)));
                }
                for (int layer = 0; layer < LAYERS; layer++) {
                    List<String> past = cacheNames("past_key_values", layer, option.cache());
                    List<String> present = cacheNames("present", layer, option.cache());
                    for (int i = 0; i < past.size(); i++) {
                        stepFeed.put(past.get(i), step.get(present.get(i)));
                    }
                }
                step = cached.run(stepFeed);
                reference = full.run(inputs(tokens, masks, length, positions));
                float[] expected = lastPosition(reference.get("logits"), batch, vocab);
                last = step.get("logits").floats();
                double diff = DecoderRuns.maxAbsDiff(expected, last);
                assertTrue(diff <= TOLERANCE, option.name() + ": step " + (generated + 1) + " with the cache differs "
                        + "from the whole sequence without it by " + diff);
            }
            assertEquals(promptLength + NEW_TOKENS, tokens.get(0).length);
        }
    }

    private Path build(Architecture architecture, ModelConfig config, Path checkpoint, Variant variant,
                       CacheNaming cache, boolean positions) throws Exception {
        List<InterfaceTensor> inputs = new ArrayList<>();
        List<InterfaceTensor> outputs = new ArrayList<>();
        inputs.add(InterfaceTensor.of("input_ids", ElementType.INT64, Map.of(0, "batch_size", 1, "sequence_length")));
        inputs.add(InterfaceTensor.of("attention_mask", ElementType.INT64, Map.of(0, "batch_size", 1,
                variant.usesPast() ? "past_sequence_length + sequence_length" : "sequence_length")));
        if (positions) {
            inputs.add(InterfaceTensor.of("position_ids", ElementType.INT64,
                    Map.of(0, "batch_size", 1, "sequence_length")));
        }
        outputs.add(InterfaceTensor.of("logits", ElementType.FLOAT, Map.of(0, "batch_size", 1, "sequence_length")));
        if (variant.usesPast()) {
            int pastAxis = cache.fused() && cache.multiQuery() ? 1 : 2;
            for (int layer = 0; layer < LAYERS; layer++) {
                for (String name : cacheNames("past_key_values", layer, cache)) {
                    inputs.add(Fixture.interfaceTensor(name, ElementType.FLOAT,
                            Map.of(0, "batch_size", pastAxis, "past_sequence_length")));
                }
                for (String name : cacheNames("present", layer, cache)) {
                    outputs.add(Fixture.interfaceTensor(name, ElementType.FLOAT,
                            Map.of(0, "batch_size", pastAxis, "past_sequence_length + sequence_length")));
                }
            }
        }
        Path out = checkpoint.resolve(variant.usesPast() ? "with-past" : "without-past");
        try (Weights weights = Checkpoints.openWeights(checkpoint)) {
            new ModelWriter(WeightsLocation.AUTOMATIC).write(architecture.build(config, weights, variant,
                    new GraphInterface(inputs, outputs, Opset.of(14))), out);
        }
        return out.resolve("model.onnx");
    }

    private static List<String> cacheNames(String prefix, int layer, CacheNaming cache) {
        return cache.fused() ? List.of(prefix + "." + layer + ".key_value")
                : List.of(prefix + "." + layer + ".key", prefix + "." + layer + ".value");
    }

    private static long[] emptyCache(CacheNaming cache, int batch) {
        if (cache.fused()) {
            return cache.multiQuery() ? new long[] {batch, 0, 2L * cache.headDim()}
                    : new long[] {batch, cache.heads(), 0, 2L * cache.headDim()};
        }
        return new long[] {batch, cache.heads(), 0, cache.headDim()};
    }

    /** The graph without past (or the prompt step) on the whole sequence: ids, mask and positions. */
    private static Map<String, Tensor> inputs(List<long[]> tokens, List<long[]> masks, int length, boolean positions) {
        int batch = tokens.size();
        Map<String, Tensor> feed = new LinkedHashMap<>();
        feed.put("input_ids", Tensor.ofLongs(new long[] {batch, length}, flatten(tokens)));
        feed.put("attention_mask", Tensor.ofLongs(new long[] {batch, length}, flatten(masks)));
        if (positions) {
            feed.put("position_ids", Tensor.ofLongs(new long[] {batch, length}, positionIds(masks, length)));
        }
        return feed;
    }

    /** {@code cumsum(mask) − 1} with 1 on padding, as generate() and Optimum's ORTModelForCausalLM compute them. */
    private static long[] positionIds(List<long[]> masks, int length) {
        long[] positions = new long[masks.size() * length];
        for (int row = 0; row < masks.size(); row++) {
            long count = 0;
            for (int i = 0; i < length; i++) {
                count += masks.get(row)[i];
                positions[row * length + i] = masks.get(row)[i] == 0 ? 1 : count - 1;
            }
        }
        return positions;
    }

    private static long[] lastColumn(long[] values, int batch, int length) {
        long[] column = new long[batch];
        for (int row = 0; row < batch; row++) {
            column[row] = values[row * length + length - 1];
        }
        return column;
    }

    private static float[] lastPosition(Tensor logits, int batch, int vocab) {
        long length = logits.shape()[1];
        float[] last = new float[batch * vocab];
        for (int row = 0; row < batch; row++) {
            System.arraycopy(logits.floats(), (int) ((row * length + length - 1) * vocab), last, row * vocab, vocab);
        }
        return last;
    }

    private static int argmax(float[] values, int offset, int count) {
        int best = 0;
        for (int i = 1; i < count; i++) {
            if (values[offset + i] > values[offset + best]) {
                best = i;
            }
        }
        return best;
    }

    private static long[] append(long[] row, long value) {
        long[] longer = java.util.Arrays.copyOf(row, row.length + 1);
        longer[row.length] = value;
        return longer;
    }

    private static long[] flatten(List<long[]> rows) {
        return rows.stream().flatMapToLong(java.util.Arrays::stream).toArray();
    }
}
