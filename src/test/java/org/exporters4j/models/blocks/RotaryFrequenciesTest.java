package org.exporters4j.models.blocks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import java.nio.file.Path;
import java.util.Map;
import org.exporters4j.checkpoint.ModelConfig;
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

/**
 * Every rotary scaling type against its definition, computed here in float64 from the formulas of its paper as
 * Transformers documents them (modeling_rope_utils): the fixed types on their values, the types that depend on the
 * positions (longrope, dynamic) run in ONNX Runtime on positions below and beyond their switch-over length.
 */
class RotaryFrequenciesTest {
    private static final double BASE = 10000.0;
    private static final int DIM = 64;

    @TempDir
    Path folder;

    private static ModelConfig config(String ropeScaling, String extra) {
        return ModelConfig.parse("{\"model_type\": \"llama\", \"max_position_embeddings\": 2048"
                + (extra.isEmpty() ? "" : ", " + extra) + ", \"rope_scaling\": " + ropeScaling + "}", "config.json");
    }

    private static double plain(int i) {
        return 1 / Math.pow(BASE, 2.0 * i / DIM);
    }

    private static float[] fixed(String ropeScaling) {
        return assertInstanceOf(RotaryFrequencies.Fixed.class,
                RotaryFrequencies.read(config(ropeScaling, ""), BASE, DIM)).values();
    }

    private static void assertClose(double expected, double actual, String what) {
        assertTrue(Math.abs(expected - actual) <= 2e-6 * Math.abs(expected), what + ": " + actual + ", expected "
                + expected);
    }

    @Test
    void defaultAndLinearFollowTheBaseAndDivideByTheFactor() {
        float[] none = fixed("null");
        float[] byDefault = fixed("{\"rope_type\": \"default\"}");
        float[] linear = fixed("{\"type\": \"linear\", \"factor\": 4.0}");
        for (int i = 0; i < DIM / 2; i++) {
            assertClose(plain(i), none[i], "default " + i);
            assertEquals(none[i], byDefault[i]);
            assertClose(plain(i) / 4, linear[i], "linear " + i);
        }
        // Transformers' configs copy the old "type" over "rope_type"
        assertEquals(linear[5], fixed("{\"type\": \"linear\", \"rope_type\": \"default\", \"factor\": 4.0}")[5]);
    }

    /** Llama 3.1's bands: long wavelengths divided by the factor, short ones kept, a linear blend in between. */
    @Test
    void llama3ScalesByWavelengthBand() {
        float[] scaled = fixed("{\"rope_type\": \"llama3\", \"factor\": 8.0, \"low_freq_factor\": 1.0, "
                + "\"high_freq_factor\": 4.0, \"original_max_position_embeddings\": 512}");
        int kept = 0;
        int divided = 0;
        int blended = 0;
        for (int i = 0; i < DIM / 2; i++) {
            double wavelength = 2 * Math.PI / plain(i);
            double expected;
            if (wavelength < 512 / 4.0) {
                expected = plain(i);
                kept++;
            } else if (wavelength > 512 / 1.0) {
                expected = plain(i) / 8;
                divided++;
            } else {
                double smooth = (512 / wavelength - 1) / (4 - 1);
                expected = (1 - smooth) * plain(i) / 8 + smooth * plain(i);
                blended++;
            }
            assertClose(expected, scaled[i], "llama3 " + i);
        }
        assertTrue(kept > 0 && divided > 0 && blended > 0, kept + " " + divided + " " + blended);
    }

    /**
     * YaRN: dimensions rotating more than beta_fast times over the original length keep their frequency, those
     * rotating fewer than beta_slow times are divided by the factor, a linear ramp between; cos/sin scaled by
     * 0.1·ln(factor) + 1, or by an explicit attention_factor.
     */
    @Test
    void yarnRampsBetweenExtrapolationAndInterpolation() {
        String scaling = "{\"rope_type\": \"yarn\", \"factor\": 4.0}";
        RotaryFrequencies.Fixed yarn = assertInstanceOf(RotaryFrequencies.Fixed.class,
                RotaryFrequencies.read(config(scaling, ""), BASE, DIM));
        double low = Math.max(Math.floor(DIM * Math.log(2048 / (32 * 2 * Math.PI)) / (2 * Math.log(BASE))), 0);
        double high = Math.min(Math.ceil(DIM * Math.log(2048 / (1 * 2 * Math.PI)) / (2 * Math.log(BASE))), DIM - 1);
        for (int i = 0; i < DIM / 2; i++) {
            double ramp = Math.min(Math.max((i - low) / (high - low), 0), 1);
            double expected = plain(i) / 4 * ramp + plain(i) * (1 - ramp);
            assertClose(expected, yarn.values()[i], "yarn " + i);
        }
        assertEquals(0.1 * Math.log(4) + 1, yarn.attentionScaling(), 1e-12);
        RotaryFrequencies explicit = RotaryFrequencies.read(config("{\"rope_type\": \"yarn\", \"factor\": 4.0, "
                + "\"attention_factor\": 0.5}", ""), BASE, DIM);
        assertEquals(0.5, explicit.attentionScaling());
        // an original length in rope_scaling sets the factor to max_position_embeddings over it (DeepSeek-V3, Qwen3)
        RotaryFrequencies.Fixed original = assertInstanceOf(RotaryFrequencies.Fixed.class, RotaryFrequencies.read(
                config("{\"rope_type\": \"yarn\", \"factor\": 4.0, \"original_max_position_embeddings\": 1024}", ""),
                BASE, DIM));
        assertEquals(0.1 * Math.log(2) + 1, original.attentionScaling(), 1e-12);
        assertClose(plain(DIM / 2 - 1) / 2, original.values()[DIM / 2 - 1], "yarn with an original length");
    }

    /** LongRoPE: short factors up to the original length, long ones beyond, both dividing the frequencies. */
    @Test
    void longRopeSwitchesFactorsPastTheOriginalLength() throws Exception {
        StringBuilder shortFactors = new StringBuilder();
        StringBuilder longFactors = new StringBuilder();
        for (int i = 0; i < DIM / 2; i++) {
            shortFactors.append(i == 0 ? "" : ", ").append(1.0 + i * 0.01);
            longFactors.append(i == 0 ? "" : ", ").append(2.0 + i * 0.5);
        }
        RotaryFrequencies longRope = RotaryFrequencies.read(config("{\"type\": \"su\", \"short_factor\": ["
                + shortFactors + "], \"long_factor\": [" + longFactors + "]}", "\"original_max_position_embeddings\": "
                + "512"), BASE, DIM);
        assertEquals(Math.sqrt(1 + Math.log(4.0) / Math.log(512)), longRope.attentionScaling(), 1e-12);
        float[] within = run(longRope, 0, 511);
        float[] beyond = run(longRope, 3, 512);
        for (int i = 0; i < DIM / 2; i++) {
            assertClose(plain(i) / (1.0 + i * 0.01), within[i], "short " + i);
            assertClose(plain(i) / (2.0 + i * 0.5), beyond[i], "long " + i);
        }
    }

    /** Dynamic NTK: the plain frequencies up to max_position_embeddings, a grown base past it. */
    @Test
    void dynamicNtkGrowsTheBaseWithTheLongestPosition() throws Exception {
        RotaryFrequencies dynamic = RotaryFrequencies.read(config("{\"type\": \"dynamic\", \"factor\": 2.0}", ""),
                BASE, DIM);
        float[] within = run(dynamic, 5, 2047);
        float[] beyond = run(dynamic, 7, 4095);
        double grownBase = BASE * Math.pow(2.0 * 4096 / 2048 - 1, DIM / (DIM - 2.0));
        for (int i = 0; i < DIM / 2; i++) {
            assertClose(plain(i), within[i], "dynamic within " + i);
            assertClose(1 / Math.pow(grownBase, 2.0 * i / DIM), beyond[i], "dynamic beyond " + i);
        }
    }

    @Test
    void typesItDoesNotBuildAndMalformedOptionsAreRefusedByName() {
        UnsupportedConfigException unknown = assertThrows(UnsupportedConfigException.class,
                () -> RotaryFrequencies.read(config("{\"rope_type\": \"mrope\", \"factor\": 2.0}", ""), BASE, DIM));
        assertTrue(unknown.getMessage().contains("\"mrope\"") && unknown.getMessage().contains(
                "default, linear, dynamic, yarn, longrope, su, llama3"), unknown.getMessage());
        UnsupportedConfigException small = assertThrows(UnsupportedConfigException.class,
                () -> RotaryFrequencies.read(config("{\"type\": \"linear\", \"factor\": 0.5}", ""), BASE, DIM));
        assertTrue(small.getMessage().contains("factor 0.5") && small.getMessage().contains("at least 1"),
                small.getMessage());
        UnsupportedConfigException missing = assertThrows(UnsupportedConfigException.class,
                () -> RotaryFrequencies.read(config("{\"rope_type\": \"llama3\", \"factor\": 8.0}", ""), BASE, DIM));
        assertTrue(missing.getMessage().contains("low_freq_factor"), missing.getMessage());
        assertThrows(UnsupportedConfigException.class, () -> RotaryFrequencies.read(config("{\"factor\": 2.0}", ""),
                BASE, DIM));
    }

    @Test
    void partialRotaryFactorRotatesALeadingShareOfTheHead() {
        assertEquals(32, RotaryEmbedding.rotaryDimension(ModelConfig.parse("{\"model_type\": \"llama\", "
                + "\"partial_rotary_factor\": 0.5}", "c"), 64));
        assertEquals(64, RotaryEmbedding.rotaryDimension(ModelConfig.parse("{\"model_type\": \"llama\"}", "c"), 64));
        assertThrows(UnsupportedConfigException.class, () -> RotaryEmbedding.rotaryDimension(ModelConfig.parse(
                "{\"model_type\": \"llama\", \"partial_rotary_factor\": 1.5}", "c"), 64));
    }

    /** The frequencies of two rows of positions {@code [first, last]} each, as ONNX Runtime computes them. */
    private float[] run(RotaryFrequencies frequencies, long first, long last) throws Exception {
        OnnxGraphBuilder graph = new OnnxGraphBuilder("main_graph", 14);
        Value positions = graph.input("positions", ElementType.INT64, Shape.of(Dim.of(2), Dim.of(2)));
        graph.output("inverse", graph.identity(frequencies.inverse(graph, positions)), ElementType.FLOAT,
                Shape.of(Dim.of(DIM / 2)));
        Path out = folder.resolve("frequencies-" + first + "-" + last);
        new ModelWriter(WeightsLocation.AUTOMATIC).write(graph.build(), out);
        OrtEnvironment environment = OrtEnvironment.getEnvironment();
        try (OrtSession session = environment.createSession(out.resolve("model.onnx").toString());
             OnnxTensor input = OnnxTensor.createTensor(environment, new long[][] {{first, first}, {first, last}});
             OrtSession.Result result = session.run(Map.of("positions", input))) {
            return (float[]) result.get(0).getValue();
        }
    }
}
