package org.exporters4j.models.blocks;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.exporters4j.checkpoint.ModelConfig;
import org.exporters4j.models.UnsupportedConfigException;
import org.exporters4j.onnx.ElementType;
import org.exporters4j.onnx.KeepDims;
import org.exporters4j.onnx.OnnxGraphBuilder;
import org.exporters4j.onnx.TensorData;
import org.exporters4j.onnx.Value;

/**
 * The inverse frequencies of rotary embeddings and the factor on their cosines and sines, as Transformers 4.51
 * computes them from {@code rope_theta} and {@code rope_scaling} ({@code modeling_rope_utils.ROPE_INIT_FUNCTIONS},
 * and {@code dynamic_rope_update} for the types that depend on the positions): every scaling type a Hub checkpoint
 * uses, each computed in float32 in the order PyTorch computes it.
 *
 * <ul>
 *   <li>{@link Fixed}: {@code default}, {@code linear} (frequencies divided by the factor), {@code llama3}
 *       (wavelength bands) and {@code yarn} (ramped interpolation, cos/sin scaled by its attention factor);</li>
 *   <li>{@link LongRope}: {@code longrope} (and its old name {@code su}): short factors while the largest position
 *       is within {@code original_max_position_embeddings}, long factors beyond, cos/sin scaled;</li>
 *   <li>{@link DynamicNtk}: {@code dynamic}: the base grows with the largest position past
 *       {@code max_position_embeddings}, computed in the graph from the positions.</li>
 * </ul>
 */
public sealed interface RotaryFrequencies {

    /** The rotary types {@link #read} builds, as {@code rope_scaling}'s {@code rope_type} names them. */
    List<String> TYPES = List.of("default", "linear", "dynamic", "yarn", "longrope", "su", "llama3");

    /** The inverse frequencies for {@code positions} (int64 {@code [batch or 1, sequence]}): float {@code [half]}. */
    Value inverse(OnnxGraphBuilder graph, Value positions);

    /** The factor on the cosines and sines (Transformers' {@code attention_scaling}; 1 for most types). */
    double attentionScaling();

    /** Inverse frequencies fixed when the graph is built. */
    record Fixed(float[] values, double attentionScaling) implements RotaryFrequencies {
        public Fixed {
            values = values.clone();
            if (values.length == 0 || !(attentionScaling > 0)) {
                throw new IllegalArgumentException("rotary frequencies need values and a positive attention scaling");
            }
        }

        @Override
        public float[] values() {
            return values.clone();
        }

        @Override
        public Value inverse(OnnxGraphBuilder graph, Value positions) {
            return graph.constant(TensorData.ofFloats(values, values.length));
        }
    }

    /**
     * LongRoPE: the short factors' frequencies while {@code max(positions) + 1 ≤ originalMaxPositions}, the long
     * factors' beyond (Transformers' {@code longrope_frequency_update}).
     */
    record LongRope(float[] shortValues, float[] longValues, long originalMaxPositions, double attentionScaling)
            implements RotaryFrequencies {
        public LongRope {
            shortValues = shortValues.clone();
            longValues = longValues.clone();
            if (shortValues.length != longValues.length || originalMaxPositions <= 0 || !(attentionScaling > 0)) {
                throw new IllegalArgumentException("LongRoPE needs short and long frequencies of one length, a "
                        + "positive original length and attention scaling");
            }
        }

        @Override
        public Value inverse(OnnxGraphBuilder graph, Value positions) {
            Value beyond = graph.greater(longestSequence(graph, positions), graph.scalar(originalMaxPositions));
            return graph.where(beyond, graph.constant(TensorData.ofFloats(longValues, longValues.length)),
                    graph.constant(TensorData.ofFloats(shortValues, shortValues.length)));
        }
    }

    /**
     * Dynamic NTK scaling: with {@code L = max(positions) + 1} past {@code maxPositions}, the base becomes
     * {@code base · (factor · L / maxPositions − (factor − 1))^(dim / (dim − 2))}; within it, the plain frequencies
     * (Transformers' {@code dynamic_frequency_update} on a fresh model: it recomputes whenever a forward's positions
     * exceed what it has cached, which for one forward at a time is this rule).
     */
    record DynamicNtk(double base, long dim, double factor, long maxPositions) implements RotaryFrequencies {
        public DynamicNtk {
            if (!(base > 0) || dim <= 2 || dim % 2 != 0 || !(factor >= 1) || maxPositions <= 0) {
                throw new IllegalArgumentException("dynamic NTK scaling needs a positive base, an even dimension "
                        + "above 2, a factor of at least 1 and a positive length");
            }
        }

        @Override
        public double attentionScaling() {
            return 1.0;
        }

        @Override
        public Value inverse(OnnxGraphBuilder graph, Value positions) {
            float[] plain = standard(base, dim);
            float[] exponents = exponents(dim);
            Value length = longestSequence(graph, positions);
            // (factor * seq_len / max_position_embeddings) - (factor - 1), in float32 as PyTorch computes it
            Value ratio = graph.sub(graph.div(graph.mul(graph.scalar(ElementType.FLOAT, (float) factor),
                    graph.cast(length, ElementType.FLOAT)), graph.scalar(ElementType.FLOAT, (float) maxPositions)),
                    graph.scalar(ElementType.FLOAT, (float) (factor - 1)));
            Value grownBase = graph.mul(graph.scalar(ElementType.FLOAT, (float) base), graph.pow(ratio,
                    graph.scalar(ElementType.FLOAT, (float) ((double) dim / (dim - 2)))));
            Value grown = graph.reciprocal(graph.pow(grownBase,
                    graph.constant(TensorData.ofFloats(exponents, exponents.length))));
            return graph.where(graph.greater(length, graph.scalar(maxPositions)), grown,
                    graph.constant(TensorData.ofFloats(plain, plain.length)));
        }
    }

    /** {@code max(positions) + 1} over the whole batch, rank-0 int64 (Transformers' {@code seq_len}). */
    private static Value longestSequence(OnnxGraphBuilder graph, Value positions) {
        return graph.add(graph.reduceMax(graph.reshape(positions, -1), KeepDims.NO, 0), graph.scalar(1));
    }

    /** {@code torch.arange(0, dim, 2).float() / dim} in float32. */
    private static float[] exponents(long dim) {
        float[] exponents = new float[(int) (dim / 2)];
        for (int i = 0; i < exponents.length; i++) {
            exponents[i] = (float) (2 * i) / (float) dim;
        }
        return exponents;
    }

    /** {@code base ** exponents} in float32, the base rounded to float32 as PyTorch's scalar-tensor power does. */
    private static float[] powers(double base, long dim) {
        float[] exponents = exponents(dim);
        float[] powers = new float[exponents.length];
        for (int i = 0; i < powers.length; i++) {
            powers[i] = (float) Math.pow((float) base, exponents[i]);
        }
        return powers;
    }

    /** {@code 1 / base^(2i / dim)} in float32 ({@code _compute_default_rope_parameters}). */
    static float[] standard(double base, long dim) {
        float[] powers = powers(base, dim);
        float[] inverse = new float[powers.length];
        for (int i = 0; i < inverse.length; i++) {
            inverse[i] = 1.0f / powers[i];
        }
        return inverse;
    }

    /** The default frequencies of a base: no scaling. */
    static Fixed unscaled(double base, long dim) {
        return new Fixed(standard(base, dim), 1.0);
    }

    /**
     * The frequencies the config asks for: {@code rope_scaling} (null or absent: the default) over {@code dim}
     * rotated channels of base {@code base}, with {@code max_position_embeddings} and, for LongRoPE, the top-level
     * {@code original_max_position_embeddings} where the config has one.
     *
     * @throws UnsupportedConfigException for a type this exporter does not build or a malformed option, naming it
     */
    static RotaryFrequencies read(ModelConfig config, double base, long dim) {
        Optional<Map<String, Object>> found = config.optionalObject("rope_scaling");
        if (found.isEmpty()) {
            return unscaled(base, dim);
        }
        Scaling scaling = new Scaling(config, found.get());
        return switch (scaling.type()) {
            case "default" -> unscaled(base, dim);
            case "linear" -> linear(base, dim, scaling.factor());
            case "dynamic" -> new DynamicNtk(base, dim, scaling.factor(), config.intValue("max_position_embeddings"));
            case "llama3" -> llama3(base, dim, scaling);
            case "yarn" -> yarn(base, dim, config, scaling);
            case "longrope", "su" -> longRope(base, dim, config, scaling);
            default -> throw new UnsupportedConfigException(config.source() + " sets rope_scaling " + found.get()
                    + " of type \"" + scaling.type() + "\", which exporters4j does not build; supported types: "
                    + String.join(", ", TYPES) + ", or rope_scaling null");
        };
    }

    /**
     * The frequencies of a Phi-3 config: {@code rope_scaling} null or absent gives the default; {@code longrope},
     * {@code su} and {@code yarn} (which {@code Phi3Config._rope_scaling_adjustment} renames to {@code longrope})
     * give LongRoPE; any other type is refused, as {@code Phi3Config._rope_scaling_validation} refuses it.
     */
    static RotaryFrequencies readLongRopeOnly(ModelConfig config, double base, long dim) {
        Optional<Map<String, Object>> found = config.optionalObject("rope_scaling");
        if (found.isEmpty()) {
            return unscaled(base, dim);
        }
        Scaling scaling = new Scaling(config, found.get());
        return switch (scaling.type()) {
            case "longrope", "su", "yarn" -> longRope(base, dim, config, scaling);
            default -> throw new UnsupportedConfigException(config.source() + " sets rope_scaling " + found.get()
                    + " of type \"" + scaling.type() + "\"; " + config.modelType() + " accepts longrope only (its "
                    + "old names su and yarn are read as longrope, as Phi3Config renames them), with short_factor "
                    + "and long_factor, or rope_scaling null");
        };
    }

    /** {@code _compute_linear_scaling_rope_parameters}: the default frequencies divided by the factor. */
    private static Fixed linear(double base, long dim, double factor) {
        float[] inverse = standard(base, dim);
        for (int i = 0; i < inverse.length; i++) {
            inverse[i] = inverse[i] / (float) factor;
        }
        return new Fixed(inverse, 1.0);
    }

    /**
     * {@code _compute_llama3_parameters}: wavelengths beyond {@code original / low_freq_factor} divided by the
     * factor, below {@code original / high_freq_factor} kept, in between smoothly interpolated.
     */
    private static Fixed llama3(double base, long dim, Scaling scaling) {
        double factor = scaling.factor();
        double low = scaling.number("low_freq_factor");
        double high = scaling.number("high_freq_factor");
        double original = scaling.number("original_max_position_embeddings");
        float lowWavelength = (float) (original / low);
        float highWavelength = (float) (original / high);
        float[] inverse = standard(base, dim);
        float[] result = new float[inverse.length];
        for (int i = 0; i < inverse.length; i++) {
            float wavelength = (float) (2 * Math.PI) / inverse[i];
            float scaled = wavelength > lowWavelength ? inverse[i] / (float) factor : inverse[i];
            float smooth = ((float) original / wavelength - (float) low) / (float) (high - low);
            float smoothed = (1 - smooth) * scaled / (float) factor + smooth * scaled;
            boolean medium = !(wavelength < highWavelength) && !(wavelength > lowWavelength);
            result[i] = medium ? smoothed : scaled;
        }
        return new Fixed(result, 1.0);
    }

    /**
     * {@code _compute_yarn_parameters}: extrapolated and interpolated frequencies blended by a linear ramp between
     * the correction dimensions of {@code beta_fast} and {@code beta_slow} rotations; cos/sin scaled by
     * {@code attention_factor} (default {@code 0.1 · ln(factor) + 1}, or DeepSeek's ratio of {@code mscale} and
     * {@code mscale_all_dim}). A {@code rope_scaling.original_max_position_embeddings} sets the original length, and
     * the factor becomes {@code max_position_embeddings} over it.
     */
    private static Fixed yarn(double base, long dim, ModelConfig config, Scaling scaling) {
        double factor = scaling.factor();
        long maxPositions = config.intValue("max_position_embeddings");
        long original = maxPositions;
        if (scaling.has("original_max_position_embeddings")) {
            original = (long) scaling.number("original_max_position_embeddings");
            factor = (double) maxPositions / original;
        }
        double attention;
        if (scaling.has("attention_factor")) {
            attention = scaling.number("attention_factor");
        } else if (scaling.nonZero("mscale") && scaling.nonZero("mscale_all_dim")) {
            attention = yarnScale(factor, scaling.number("mscale")) / yarnScale(factor,
                    scaling.number("mscale_all_dim"));
        } else {
            attention = yarnScale(factor, 1.0);
        }
        double betaFast = scaling.nonZero("beta_fast") ? scaling.number("beta_fast") : 32;
        double betaSlow = scaling.nonZero("beta_slow") ? scaling.number("beta_slow") : 1;
        double lowDim = Math.max(Math.floor(correctionDim(betaFast, dim, base, original)), 0);
        double highDim = Math.min(Math.ceil(correctionDim(betaSlow, dim, base, original)), dim - 1);
        if (lowDim == highDim) {
            highDim += 0.001; // as Transformers: no division by zero
        }
        float[] powers = powers(base, dim);
        float[] result = new float[powers.length];
        for (int i = 0; i < result.length; i++) {
            float extrapolation = 1.0f / powers[i];
            float interpolation = 1.0f / ((float) factor * powers[i]);
            float ramp = Math.min(Math.max(((float) i - (float) lowDim) / (float) (highDim - lowDim), 0f), 1f);
            float extrapolationFactor = 1 - ramp;
            result[i] = interpolation * (1 - extrapolationFactor) + extrapolation * extrapolationFactor;
        }
        return new Fixed(result, attention);
    }

    private static double yarnScale(double scale, double mscale) {
        return scale <= 1 ? 1.0 : 0.1 * mscale * Math.log(scale) + 1.0;
    }

    private static double correctionDim(double rotations, long dim, double base, long maxPositions) {
        return (dim * Math.log(maxPositions / (rotations * 2 * Math.PI))) / (2 * Math.log(base));
    }

    /**
     * {@code _compute_longrope_parameters}: {@code 1 / (factors · base^(2i / dim))} for the short and the long
     * factors ({@code dim / 2} each); the original length is the config's top-level
     * {@code original_max_position_embeddings} where it has one (Phi-3; the factor is then
     * {@code max_position_embeddings} over it), else {@code max_position_embeddings}; cos/sin scaled by
     * {@code attention_factor}, by default {@code √(1 + ln(factor) / ln(original))} (1 for a factor ≤ 1).
     */
    private static LongRope longRope(double base, long dim, ModelConfig config, Scaling scaling) {
        float[] shortFactors = scaling.factors("short_factor", dim);
        float[] longFactors = scaling.factors("long_factor", dim);
        long maxPositions = config.intValue("max_position_embeddings");
        Optional<Integer> topLevelOriginal = config.optionalInt("original_max_position_embeddings");
        long original = topLevelOriginal.map(Integer::longValue).orElse(maxPositions);
        double factor = topLevelOriginal.isPresent() ? (double) maxPositions / original : scaling.factor();
        double attention = scaling.has("attention_factor") ? scaling.number("attention_factor")
                : factor <= 1.0 ? 1.0 : Math.sqrt(1 + Math.log(factor) / Math.log(original));
        return new LongRope(scaledBy(base, dim, shortFactors), scaledBy(base, dim, longFactors), original, attention);
    }

    private static float[] scaledBy(double base, long dim, float[] factors) {
        float[] powers = powers(base, dim);
        float[] inverse = new float[powers.length];
        for (int i = 0; i < inverse.length; i++) {
            inverse[i] = 1.0f / (factors[i] * powers[i]);
        }
        return inverse;
    }

    /** A {@code rope_scaling} object and the config it came from, for typed reads with errors that name both. */
    final class Scaling {
        private final ModelConfig config;
        private final Map<String, Object> values;

        private Scaling(ModelConfig config, Map<String, Object> values) {
            this.config = Objects.requireNonNull(config, "config");
            this.values = Map.copyOf(values.entrySet().stream().filter(entry -> entry.getValue() != null)
                    .collect(java.util.stream.Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue)));
        }

        /**
         * The type: {@code type} where the object has it (Transformers' configs copy the old {@code type} key
         * over {@code rope_type}), else {@code rope_type}.
         */
        String type() {
            Object type = values.containsKey("type") ? values.get("type") : values.get("rope_type");
            if (!(type instanceof String name)) {
                throw invalid("has no rope_type (a string such as \"linear\")");
            }
            return name;
        }

        boolean has(String key) {
            return values.containsKey(key);
        }

        /** Whether the key is set to a number other than 0 (Python's {@code get(key) or default}). */
        boolean nonZero(String key) {
            return values.get(key) instanceof Number number && number.doubleValue() != 0;
        }

        double number(String key) {
            if (!(values.get(key) instanceof Number number)) {
                throw invalid("needs a number \"" + key + "\" for type " + type());
            }
            return number.doubleValue();
        }

        /** {@code factor}, at least 1 (Transformers warns below, and the types assume it). */
        double factor() {
            double factor = number("factor");
            if (!(factor >= 1.0)) {
                throw invalid("sets factor " + factor + "; the " + type() + " type needs a factor of at least 1");
            }
            return factor;
        }

        /** A list of {@code dim / 2} numbers, as float32. */
        float[] factors(String key, long dim) {
            if (!(values.get(key) instanceof List<?> list) || list.size() != dim / 2
                    || !list.stream().allMatch(Number.class::isInstance)) {
                throw invalid("needs \"" + key + "\" as a list of " + dim / 2 + " numbers (half the " + dim
                        + " rotated channels)");
            }
            List<Number> numbers = new ArrayList<>();
            list.forEach(element -> numbers.add((Number) element));
            float[] factors = new float[numbers.size()];
            for (int i = 0; i < factors.length; i++) {
                factors[i] = numbers.get(i).floatValue();
            }
            return factors;
        }

        private UnsupportedConfigException invalid(String problem) {
            return new UnsupportedConfigException(config.source() + ": rope_scaling " + values + " " + problem);
        }
    }
}
