package org.exporters4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.exporters4j.SharedFiles;
import org.exporters4j.checkpoint.DType;
import org.exporters4j.checkpoint.SafetensorsFileWriter;
import org.exporters4j.models.EditedCheckpoint;
import org.exporters4j.models.Fixture;
import org.exporters4j.models.OnnxRuntimeRun;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 9: most Hub checkpoints are bf16. A bf16 and an fp16 copy of a decoder checkpoint (written here: every weight
 * of fixtures-today's qwen2 with-past checkpoint rounded to nearest-even) export through the CLI, with validation,
 * and their models give, within 1e-5, the outputs of the export of the same rounded weights stored as float32, on
 * the fixture's step inputs (a real cache); the rounding itself moves the outputs, so the comparison has teeth.
 */
class ExportHalfPrecisionTest {
    private static final String FIXTURE = "qwen2--text-generation-with-past";

    @TempDir
    Path folder;

    @Test
    void bf16AndFp16CheckpointsExportAsTheirFloat32Rounding() throws Exception {
        Fixture fixture = Fixture.read(SharedFiles.fixturesToday().resolve(FIXTURE));
        EditedCheckpoint original = EditedCheckpoint.of(fixture.checkpoint());
        Map<String, OnnxRuntimeRun.Output> exact = export(original.write(folder.resolve("f32")), "f32", fixture);
        for (DType half : new DType[] {DType.BF16, DType.F16}) {
            EditedCheckpoint rounded = EditedCheckpoint.of(fixture.checkpoint());
            SafetensorsFileWriter halfFile = new SafetensorsFileWriter().metadata("format", "pt");
            for (String name : original.names()) {
                EditedCheckpoint.Tensor tensor = original.tensor(name);
                float[] values = new float[tensor.values().length];
                ByteBuffer bytes = ByteBuffer.allocate(values.length * 2).order(ByteOrder.LITTLE_ENDIAN);
                for (int i = 0; i < values.length; i++) {
                    short bits = half == DType.BF16 ? toBfloat16(tensor.values()[i]) : toFloat16(tensor.values()[i]);
                    bytes.putShort(bits);
                    values[i] = half == DType.BF16 ? fromBfloat16(bits) : fromFloat16(bits);
                }
                rounded.put(name, new EditedCheckpoint.Tensor(tensor.shape(), values));
                halfFile.add(name, half, tensor.shape(), bytes.array());
            }
            Path roundedCheckpoint = rounded.write(folder.resolve(half + "-as-f32"));
            Path halfCheckpoint = Files.createDirectories(folder.resolve(half.toString()));
            Files.copy(fixture.checkpoint().resolve("config.json"), halfCheckpoint.resolve("config.json"));
            halfFile.write(halfCheckpoint.resolve("model.safetensors"));

            Map<String, OnnxRuntimeRun.Output> fromHalf = export(halfCheckpoint, half.toString(), fixture);
            Map<String, OnnxRuntimeRun.Output> fromRounded = export(roundedCheckpoint, half + "-as-f32", fixture);
            for (String name : fixture.outputNames()) {
                assertEquals(fromRounded.get(name).shape(), fromHalf.get(name).shape(), half + " " + name);
                double diff = OnnxRuntimeRun.maxAbsDiff(fromRounded.get(name).values(), fromHalf.get(name).values());
                assertTrue(diff <= 1e-5, half + " " + name + ": max abs diff " + diff);
            }
            double moved = OnnxRuntimeRun.maxAbsDiff(exact.get("logits").values(), fromHalf.get("logits").values());
            assertTrue(moved > 1e-5, half + " rounding leaves the logits unchanged (" + moved + ")");
        }
    }

    /** Exports {@code checkpoint} through the CLI with validation and runs the model on the fixture's inputs. */
    private Map<String, OnnxRuntimeRun.Output> export(Path checkpoint, String name, Fixture fixture) throws Exception {
        Path output = folder.resolve(name + "-onnx");
        MainTest.Run run = MainTest.run("export", "onnx", "--model", checkpoint.toString(), "--task",
                "text-generation-with-past", output.toString());
        assertEquals(0, run.exitCode(), run.err());
        assertTrue(run.err().contains("validation passed"), run.err());
        return OnnxRuntimeRun.run(output.resolve("model.onnx"), fixture.inputsFile());
    }

    /** float32 → bfloat16, round to nearest even (as PyTorch's {@code .to(torch.bfloat16)}). */
    static short toBfloat16(float value) {
        int bits = Float.floatToRawIntBits(value);
        int roundingBias = 0x7FFF + ((bits >>> 16) & 1);
        return (short) ((bits + roundingBias) >>> 16);
    }

    static float fromBfloat16(short bits) {
        return Float.intBitsToFloat((bits & 0xFFFF) << 16);
    }

    /** float32 → IEEE half, round to nearest even, subnormals kept (as PyTorch's {@code .to(torch.float16)}). */
    static short toFloat16(float value) {
        int bits = Float.floatToRawIntBits(value);
        int sign = (bits >>> 16) & 0x8000;
        int exponent = ((bits >>> 23) & 0xFF) - 127 + 15;
        int mantissa = bits & 0x7FFFFF;
        if (exponent >= 0x1F) {
            return (short) (sign | 0x7C00);
        }
        if (exponent <= 0) {
            if (exponent < -10) {
                return (short) sign;
            }
            mantissa |= 0x800000;
            int shift = 14 - exponent;
            int half = mantissa >> shift;
            int rest = mantissa & ((1 << shift) - 1);
            int halfway = 1 << (shift - 1);
            if (rest > halfway || (rest == halfway && (half & 1) == 1)) {
                half++;
            }
            return (short) (sign | half);
        }
        int half = (exponent << 10) | (mantissa >> 13);
        int rest = mantissa & 0x1FFF;
        if (rest > 0x1000 || (rest == 0x1000 && (half & 1) == 1)) {
            half++; // a carry into the exponent is the right rounding
        }
        return (short) (sign | half);
    }

    static float fromFloat16(short bits) {
        int sign = (bits & 0x8000) != 0 ? -1 : 1;
        int exponent = (bits >>> 10) & 0x1F;
        int mantissa = bits & 0x3FF;
        if (exponent == 0) {
            return sign * mantissa * 0x1p-24f;
        }
        if (exponent == 0x1F) {
            return mantissa == 0 ? sign * Float.POSITIVE_INFINITY : Float.NaN;
        }
        return sign * Float.intBitsToFloat(((exponent - 15 + 127) << 23) | (mantissa << 13));
    }
}
