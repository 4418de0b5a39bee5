package org.exporters4j.models;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * The form of the graph beside its interface: which operators compute it, in which precision, with which weights.
 * The interface (names, element types, axes) is the same in every form; {@link #PLAIN} is what Optimum exports
 * (standard ONNX operators, float32, weights as the checkpoint has them).
 *
 * @param operators standard ONNX operators, or ONNX Runtime's fused {@code com.microsoft} operators where a family
 *     has them ({@code --optimize})
 * @param precision the weights' and activations' floating-point type ({@code --dtype})
 * @param quantization how matrix-product weights are stored ({@code --quantize})
 */
public record ModelForm(Operators operators, Precision precision, WeightQuantization quantization) {
    /** Optimum's form: standard operators, float32, unquantized weights. */
    public static final ModelForm PLAIN = new ModelForm(Operators.STANDARD, Precision.FLOAT32,
            WeightQuantization.NONE);

    /** The operators a graph is written with. */
    public enum Operators {
        /** The ai.onnx operators every runtime has, as Optimum's traced graphs. */
        STANDARD,
        /**
         * ONNX Runtime's {@code com.microsoft} contrib operators (fused attention, skip layer norms, fused GELUs)
         * where the family writes them, standard operators elsewhere; only ONNX Runtime runs such a graph.
         */
        FUSED
    }

    /** The floating-point type of weights and activations. */
    public enum Precision {
        FLOAT32,
        FLOAT16,
        BFLOAT16
    }

    public ModelForm {
        Objects.requireNonNull(operators, "operators");
        Objects.requireNonNull(precision, "precision");
        Objects.requireNonNull(quantization, "quantization");
    }

    /** Whether the family should write its fused operators ({@code --optimize}). */
    public boolean fused() {
        return operators == Operators.FUSED;
    }

    /**
     * How reports name the float32 graph a quantized export of this form is compared with: {@code plain float32}
     * beside fused operators (the reference is the plain graph), else {@code float32}.
     */
    public String float32ReferenceLabel() {
        return fused() ? "plain float32" : "float32";
    }

    public ModelForm withOperators(Operators newOperators) {
        return new ModelForm(newOperators, precision, quantization);
    }

    public ModelForm withPrecision(Precision newPrecision) {
        return new ModelForm(operators, newPrecision, quantization);
    }

    public ModelForm withQuantization(WeightQuantization newQuantization) {
        return new ModelForm(operators, precision, newQuantization);
    }

    /** "plain", or what differs from it, e.g. "fused operators, float16". */
    @Override
    public String toString() {
        if (equals(PLAIN)) {
            return "plain";
        }
        List<String> parts = new ArrayList<>();
        if (operators != Operators.STANDARD) {
            parts.add(operators.name().toLowerCase(Locale.ROOT) + " operators");
        }
        if (precision != Precision.FLOAT32) {
            parts.add(precision.name().toLowerCase(Locale.ROOT));
        }
        if (!quantization.equals(WeightQuantization.NONE)) {
            parts.add(quantization + " weights");
        }
        return String.join(", ", parts);
    }
}
