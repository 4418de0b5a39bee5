package org.exporters4j.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import org.exporters4j.EnumIndex;
import org.exporters4j.checkpoint.ConfigDefaults.Derivation.Applies;

/**
 * The closed set of ways a Transformers configuration class computes an attribute from its other attributes, each
 * written once. A {@code derived} entry of {@code config-classes.json} names one rule in its data spelling
 * ({@code "same_as"}) and gives its parameters, the names of the attributes it reads
 * ({@code {"rule": "same_as", "from": "num_attention_heads"}}).
 *
 * <p>A rule reads the config's other attributes through the resolver it is given (file, then derivation, then
 * default) and returns null when they do not allow it; the caller then falls back to the class default.
 */
enum DerivationRule {
    /** An argument that defaults to None, standing for another attribute's value ({@code num_key_value_heads}). */
    SAME_AS(Applies.WHEN_ABSENT_OR_NONE, "from"),
    /** An argument with a real default for which None stands for another attribute's value (Mistral's KV heads). */
    NONE_MEANS(Applies.WHEN_NONE, "from"),
    /** Not an argument: always a copy of another attribute ({@code num_hidden_layers = encoder_layers}). */
    COPY_OF(Applies.ALWAYS_COMPUTED, "from"),
    /** An argument defaulting to None for the integer quotient of two attributes ({@code head_dim}). */
    QUOTIENT(Applies.WHEN_ABSENT_OR_NONE, "dividend", "divisor") {
        @Override
        JsonNode derive(Map<String, String> parameters, Function<String, JsonNode> resolved) {
            JsonNode dividend = resolved.apply(parameters.get("dividend"));
            JsonNode divisor = resolved.apply(parameters.get("divisor"));
            if (!isInteger(dividend) || !isInteger(divisor) || divisor.asLong() == 0) {
                return null;
            }
            return JsonNodeFactory.instance.numberNode(dividend.asLong() / divisor.asLong());
        }
    },
    /**
     * Not an argument: the attribute {@code if_true} names unless {@code flag} is {@code false}, then the one
     * {@code if_false} names (MobileBERT's {@code true_hidden_size}: {@code intra_bottleneck_size} with a
     * bottleneck, else {@code hidden_size}). A flag that is not a boolean counts as set, as Python's truthiness
     * of the non-empty values a config holds.
     */
    CHOSEN_BY_FLAG(Applies.ALWAYS_COMPUTED, "flag", "if_true", "if_false") {
        @Override
        JsonNode derive(Map<String, String> parameters, Function<String, JsonNode> resolved) {
            JsonNode flag = resolved.apply(parameters.get("flag"));
            boolean set = flag == null || !flag.isBoolean() || flag.asBoolean();
            return resolved.apply(parameters.get(set ? "if_true" : "if_false"));
        }
    },
    /**
     * T5 family, not an argument: {@code feed_forward_proj} of the form {@code [gated-]act} gives {@code act}, and
     * {@code gated-gelu} gives {@code gelu_new} (T5Config.__init__ in Transformers 4.25.1).
     */
    T5_DENSE_ACT_FN(Applies.ALWAYS_COMPUTED, "from") {
        @Override
        JsonNode derive(Map<String, String> parameters, Function<String, JsonNode> resolved) {
            String projection = fromText(parameters, resolved);
            if (projection == null) {
                return null;
            }
            String[] parts = projection.split("-");
            return JsonNodeFactory.instance.textNode(
                    projection.equals("gated-gelu") ? "gelu_new" : parts[parts.length - 1]);
        }
    },
    /** T5 family, not an argument: whether {@code feed_forward_proj} starts with {@code gated-}. */
    T5_IS_GATED_ACT(Applies.ALWAYS_COMPUTED, "from") {
        @Override
        JsonNode derive(Map<String, String> parameters, Function<String, JsonNode> resolved) {
            String projection = fromText(parameters, resolved);
            return projection == null ? null
                    : JsonNodeFactory.instance.booleanNode(projection.split("-")[0].equals("gated"));
        }
    },
    /** GPT-Neo, not an argument: each {@code [[kinds...], repeat]} entry of the list repeats its kinds. */
    EXPANDED_ATTENTION_TYPES(Applies.ALWAYS_COMPUTED, "from") {
        @Override
        JsonNode derive(Map<String, String> parameters, Function<String, JsonNode> resolved) {
            JsonNode types = fromList(parameters, resolved);
            if (types == null) {
                return null;
            }
            ArrayNode layers = JsonNodeFactory.instance.arrayNode();
            for (JsonNode entry : types) {
                if (!entry.isArray() || entry.size() != 2 || !entry.get(0).isArray() || !isInteger(entry.get(1))) {
                    return null;
                }
                for (int repeat = 0; repeat < entry.get(1).asInt(); repeat++) {
                    layers.addAll((ArrayNode) entry.get(0));
                }
            }
            return layers;
        }
    },
    /**
     * LeViT, not an argument: two subsampling stages,
     * {@code ["Subsample", key_dim[0], hidden_sizes[i] // key_dim[0], 4, 2, 2]} for i = 0, 1.
     */
    LEVIT_DOWN_OPS(Applies.ALWAYS_COMPUTED, "key_dim", "hidden_sizes") {
        @Override
        JsonNode derive(Map<String, String> parameters, Function<String, JsonNode> resolved) {
            JsonNode keyDim = resolved.apply(parameters.get("key_dim"));
            JsonNode hiddenSizes = resolved.apply(parameters.get("hidden_sizes"));
            if (keyDim == null || hiddenSizes == null || !keyDim.isArray() || !hiddenSizes.isArray()
                    || keyDim.isEmpty() || hiddenSizes.size() < 2 || !isInteger(keyDim.get(0))
                    || keyDim.get(0).asInt() == 0) {
                return null;
            }
            int key = keyDim.get(0).asInt();
            ArrayNode stages = JsonNodeFactory.instance.arrayNode();
            for (int i = 0; i < 2; i++) {
                if (!isInteger(hiddenSizes.get(i))) {
                    return null;
                }
                stages.addArray().add("Subsample").add(key).add(Math.floorDiv(hiddenSizes.get(i).asInt(), key))
                        .add(4).add(2).add(2);
            }
            return stages;
        }
    },
    /** Backbones, not an argument: {@code "stem"}, then {@code "stage<i>"} for each entry of the list. */
    STAGE_NAMES(Applies.ALWAYS_COMPUTED, "from") {
        @Override
        JsonNode derive(Map<String, String> parameters, Function<String, JsonNode> resolved) {
            JsonNode depths = fromList(parameters, resolved);
            if (depths == null) {
                return null;
            }
            ArrayNode names = JsonNodeFactory.instance.arrayNode().add("stem");
            for (int stage = 1; stage <= depths.size(); stage++) {
                names.add("stage" + stage);
            }
            return names;
        }
    };

    private static final EnumIndex<DerivationRule, String> BY_DATA_NAME =
            EnumIndex.of(DerivationRule.class, DerivationRule::dataName);

    private final Applies applies;
    private final List<String> parameterNames;

    DerivationRule(Applies applies, String... parameterNames) {
        this.applies = applies;
        this.parameterNames = List.of(parameterNames);
    }

    /** When Transformers computes the value instead of taking it from the config file. */
    Applies applies() {
        return applies;
    }

    /** The parameters a {@code derived} entry gives this rule, each the name of an attribute it reads. */
    List<String> parameterNames() {
        return parameterNames;
    }

    /** The rule's spelling in {@code config-classes.json}: {@code same_as}. */
    String dataName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The rule spelt {@code dataName} in the data file, or null when there is none. */
    static DerivationRule fromDataName(String dataName) {
        return BY_DATA_NAME.find(dataName).orElse(null);
    }

    /** The rules' data spellings, for error messages. */
    static String dataNames() {
        return BY_DATA_NAME.keys();
    }

    /**
     * The computed value, reading attributes through {@code resolved}; null when the values it reads do not
     * allow it. {@code parameters} holds exactly {@link #parameterNames()}. Here the value of the attribute
     * {@code from} names, as {@link #SAME_AS}, {@link #NONE_MEANS} and {@link #COPY_OF} compute it (they differ only in
     * when they apply); the other rules override it.
     */
    JsonNode derive(Map<String, String> parameters, Function<String, JsonNode> resolved) {
        return resolved.apply(parameters.get("from"));
    }

    /** The value of the attribute {@code from} names when it is a string, else null. */
    private static String fromText(Map<String, String> parameters, Function<String, JsonNode> resolved) {
        JsonNode value = resolved.apply(parameters.get("from"));
        return value != null && value.isTextual() ? value.asText() : null;
    }

    /** The value of the attribute {@code from} names when it is a list, else null. */
    private static JsonNode fromList(Map<String, String> parameters, Function<String, JsonNode> resolved) {
        JsonNode value = resolved.apply(parameters.get("from"));
        return value != null && value.isArray() ? value : null;
    }

    private static boolean isInteger(JsonNode node) {
        return node != null && node.isIntegralNumber();
    }
}
