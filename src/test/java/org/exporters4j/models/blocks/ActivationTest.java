package org.exporters4j.models.blocks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.DoubleUnaryOperator;
import org.exporters4j.models.UnsupportedConfigException;
import org.exporters4j.onnx.Dim;
import org.exporters4j.onnx.ElementType;
import org.exporters4j.onnx.ModelWriter;
import org.exporters4j.onnx.OnnxGraphBuilder;
import org.exporters4j.onnx.Shape;
import org.exporters4j.onnx.Value;
import org.exporters4j.onnx.WeightsLocation;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every activation, run in ONNX Runtime, against its formula in transformers/activations.py (float64 here). */
class ActivationTest {
    private static final float[] POINTS = {-12f, -5f, -2.5f, -1f, -0.3f, 0f, 0.2f, 0.7f, 1.5f, 3f, 8f, 12f, 95f};

    @TempDir
    Path folder;

    @Test
    void everyActivationMatchesItsFormula() throws Exception {
        for (Activation activation : Activation.values()) {
            float[] actual = run(activation, 11);
            for (int i = 0; i < POINTS.length; i++) {
                double expected = reference(activation).applyAsDouble(POINTS[i]);
                double tolerance = 2e-6 * Math.max(1, Math.abs(expected));
                assertTrue(Math.abs(actual[i] - expected) <= tolerance, activation + "(" + POINTS[i] + ") = "
                        + actual[i] + ", expected " + expected);
            }
        }
    }

    @Test
    void nativeGeluAtOpset20GivesTheDecomposedValues() throws Exception {
        float[] decomposed = run(Activation.GELU_NEW, 11);
        float[] nativeGelu = run(Activation.GELU_NEW, 20);
        for (int i = 0; i < POINTS.length; i++) {
            assertEquals(decomposed[i], nativeGelu[i], 1e-5, "gelu_new(" + POINTS[i] + ")");
        }
    }

    @Test
    void configNamesResolveAndUnknownNamesListTheChoices() {
        assertEquals(Activation.GELU_NEW, Activation.named("gelu_new", "hidden_act", "config.json"));
        assertEquals(Activation.SWISH, Activation.named("swish", "hidden_act", "config.json"));
        UnsupportedConfigException error = assertThrows(UnsupportedConfigException.class,
                () -> Activation.named("gelu_tanh", "hidden_act", "x/config.json"));
        assertTrue(error.getMessage().startsWith("x/config.json sets hidden_act \"gelu_tanh\""), error.getMessage());
        assertTrue(error.getMessage().contains("gelu_pytorch_tanh"), error.getMessage());
    }

    private float[] run(Activation activation, int opset) throws Exception {
        OnnxGraphBuilder graph = new OnnxGraphBuilder("main_graph", opset);
        Value x = graph.input("x", ElementType.FLOAT, Shape.of(Dim.symbolic("n")));
        Value y = activation == Activation.LINEAR ? graph.identity(x) : activation.apply(graph, x);
        graph.output("y", y, ElementType.FLOAT, Shape.of(Dim.symbolic("n")));
        Path out = folder.resolve(activation + "-" + opset);
        new ModelWriter(WeightsLocation.AUTOMATIC).write(graph.build(), out);
        OrtEnvironment environment = OrtEnvironment.getEnvironment();
        try (OrtSession session = environment.createSession(out.resolve("model.onnx").toString());
             OnnxTensor input = OnnxTensor.createTensor(environment, POINTS);
             OrtSession.Result result = session.run(Map.of("x", input))) {
            return (float[]) result.get(0).getValue();
        }
    }

    private static DoubleUnaryOperator reference(Activation activation) {
        DoubleUnaryOperator gelu = x -> 0.5 * x * (1 + erf(x / Math.sqrt(2)));
        DoubleUnaryOperator tanhGelu = x -> 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x * x * x)));
        DoubleUnaryOperator sigmoid = x -> 1 / (1 + Math.exp(-x));
        return switch (activation) {
            case GELU, GELU_PYTHON -> gelu;
            case GELU_10 -> x -> Math.max(-10, Math.min(10, gelu.applyAsDouble(x)));
            case GELU_FAST -> x -> 0.5 * x * (1 + Math.tanh(x * 0.7978845608 * (1 + 0.044715 * x * x)));
            case GELU_NEW, GELU_PYTORCH_TANH -> tanhGelu;
            case LINEAR -> x -> x;
            case MISH -> x -> x * Math.tanh(Math.log1p(Math.exp(x)));
            case QUICK_GELU -> x -> x * sigmoid.applyAsDouble(1.702 * x);
            case RELU -> x -> Math.max(0, x);
            case RELU6 -> x -> Math.min(Math.max(0, x), 6);
            case SIGMOID -> sigmoid;
            case SILU, SWISH -> x -> x * sigmoid.applyAsDouble(x);
            case TANH -> Math::tanh;
        };
    }

    /** erf to double precision (Abramowitz–Stegun 7.1.26 is too coarse): the series / continued fraction. */
    private static double erf(double x) {
        double t = Math.abs(x);
        double result;
        if (t < 3) {
            double term = t;
            double sum = t;
            for (int n = 1; n < 200; n++) {
                term *= -t * t / n;
                sum += term / (2 * n + 1);
            }
            result = 2 / Math.sqrt(Math.PI) * sum;
        } else {
            double fraction = 0;
            for (int n = 60; n >= 1; n--) {
                fraction = n / 2.0 / (t + fraction);
            }
            result = 1 - Math.exp(-t * t) / Math.sqrt(Math.PI) / (t + fraction);
        }
        return Math.copySign(result, x);
    }
}
