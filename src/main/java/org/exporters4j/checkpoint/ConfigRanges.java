package org.exporters4j.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * The valid range of the config.json attributes that size or shape what an export builds, checked by
 * {@link ModelConfig} whenever one is read, whoever reads it (a task's interface, a family's options): a value
 * outside is one error naming the attribute, its value as the file writes it, and the valid range, before anything
 * is expanded from it. Transformers does not check these; a layer count of 100000000 would otherwise expand the
 * interface layer by layer until memory runs out, 0 layers build a graph with nothing to connect, and a negative
 * epsilon a layer norm that divides by the square root of a negative number; a width of 0 splits into no heads.
 *
 * <p>Rows are keyed by the attribute's stored name (after the configuration class's {@code attribute_map}: GPT-2's
 * {@code num_hidden_layers} is checked as {@code n_layer}), sorted, one per line; a name shared by several model
 * types means the same thing in each.
 */
final class ConfigRanges {
    /**
     * The most layers a stack may have: far above the largest published checkpoints (Llama 3.1 405B has 126), low
     * enough that expanding an interface per layer stays small (README, Security and limits).
     */
    static final int MAX_LAYERS = 4096;

    /**
     * A range of numbers.
     *
     * @param what     what the attribute is, for messages ("the layer count")
     * @param minimum  the smallest valid value, or the bound values must exceed when {@code exclusive}
     * @param exclusive whether the minimum itself is invalid
     * @param maximum  the largest valid value ({@code +Infinity}: none, but a finite value is required)
     * @param why      why a maximum exists, for messages; empty without one
     */
    record Range(String what, double minimum, boolean exclusive, double maximum, String why) {
        Range {
            Objects.requireNonNull(what, "what");
            Objects.requireNonNull(why, "why");
            if (!(minimum <= maximum)) {
                throw new IllegalArgumentException(what + ": an empty range " + minimum + " to " + maximum);
            }
        }

        /** The problem with {@code value}, or null when it is in range. */
        String problem(JsonNode value) {
            double number = value.asDouble();
            if (exclusive ? !(number > minimum) : !(number >= minimum)) {
                return minimum == 0 && exclusive || minimum == 1 && !exclusive ? "must be positive"
                        : "must be " + (exclusive ? "more than " : "at least ") + plain(minimum);
            }
            if (Double.isInfinite(maximum) ? !Double.isFinite(number) : number > maximum) {
                return Double.isInfinite(maximum) ? "must be a finite number"
                        : "must be at most " + plain(maximum) + " (" + why + ")";
            }
            return null;
        }

        private static String plain(double value) {
            return value == Math.rint(value) ? Long.toString((long) value) : Double.toString(value);
        }
    }

    private static final Range LAYERS = new Range("the layer count", 1, false, MAX_LAYERS,
            "exporters4j's cap on layers; the largest published models have under 200");
    private static final Range HEADS = new Range("the attention head count", 1, false, Double.POSITIVE_INFINITY, "");
    private static final Range WIDTH = new Range("the width", 1, false, Double.POSITIVE_INFINITY, "");
    private static final Range VOCABULARY = new Range("the vocabulary size", 1, false, Double.POSITIVE_INFINITY, "");
    private static final Range EPSILON = new Range("the layer norm epsilon", 0, true, Double.POSITIVE_INFINITY, "");

    private static final Map<String, Range> BY_ATTRIBUTE = table(
            Map.entry("d_ff", WIDTH),
            Map.entry("d_kv", WIDTH),
            Map.entry("d_model", WIDTH),
            Map.entry("decoder_layers", LAYERS),
            Map.entry("dim", WIDTH),
            Map.entry("encoder_layers", LAYERS),
            Map.entry("head_dim", WIDTH),
            Map.entry("hidden_dim", WIDTH),
            Map.entry("hidden_size", WIDTH),
            Map.entry("intermediate_size", WIDTH),
            Map.entry("layer_norm_eps", EPSILON),
            Map.entry("layer_norm_epsilon", EPSILON),
            Map.entry("n_embd", WIDTH),
            Map.entry("n_head", HEADS),
            Map.entry("n_layer", LAYERS),
            Map.entry("n_layers", LAYERS),
            Map.entry("num_attention_heads", HEADS),
            Map.entry("num_decoder_layers", LAYERS),
            Map.entry("num_hidden_layers", LAYERS),
            Map.entry("num_key_value_heads", HEADS),
            Map.entry("num_layers", LAYERS),
            Map.entry("rms_norm_eps", EPSILON),
            Map.entry("vocab_size", VOCABULARY));

    private ConfigRanges() {}

    /**
     * The error for {@code value} of the stored attribute {@code attribute} when it is out of its range; null when
     * in range or when the attribute has no row.
     */
    static ModelConfigException check(String source, String attribute, JsonNode value) {
        Range range = BY_ATTRIBUTE.get(attribute);
        String problem = range == null || !value.isNumber() ? null : range.problem(value);
        return problem == null ? null : new ModelConfigException(source + ": " + range.what() + " (" + attribute
                + ") " + problem + ", got " + value);
    }

    @SafeVarargs
    private static Map<String, Range> table(Map.Entry<String, Range>... rows) {
        Map<String, Range> table = new TreeMap<>();
        String previous = "";
        for (Map.Entry<String, Range> row : rows) {
            if (row.getKey().compareTo(previous) <= 0) {
                throw new IllegalStateException("config range rows must be sorted without duplicates: "
                        + row.getKey() + " after " + previous);
            }
            table.put(row.getKey(), row.getValue());
            previous = row.getKey();
        }
        return Collections.unmodifiableMap(table);
    }
}
