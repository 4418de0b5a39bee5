package org.exporters4j.onnx;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.WritableByteChannel;
import java.util.List;
import java.util.Objects;
import org.exporters4j.onnx.QuantizedParts.PartKind;

/**
 * Per-channel int8 quantization of a dense layer's weight, as ONNX Runtime's dynamic quantizer
 * ({@code quantize_dynamic(per_channel=True)}, weight type QInt8) computes it for a MatMul's right operand: one scale
 * (and zero point) per output channel, from the channel's minimum and maximum with zero included
 * ({@code compute_scale_zp}), the codes {@code clip(round_half_even(w / scale) + zero_point)}
 * ({@code quantize_nparray}).
 *
 * <ul>
 *   <li>{@link QuantizationSymmetry#SYMMETRIC} (the quantizer's default for int8 weights): codes in [-127, 127],
 *       {@code scale = (2·absmax) / 254} computed in float64 then rounded to float32, zero point 0 (not stored);</li>
 *   <li>{@link QuantizationSymmetry#WITH_ZERO_POINTS}: codes in [-128, 127], {@code scale = (max − min) / 255},
 *       {@code zero_point = round_half_even(−128 − min / scale)} (float64), then the scale rounded to float32.</li>
 * </ul>
 * A channel whose range is below float32's smallest normal gets scale 1 and zero point 0, as ONNX Runtime's.
 *
 * <p>The weight is given as PyTorch's {@code nn.Linear} stores it, {@code [out, in]}: each row is a channel. The codes
 * are written {@code [in, out]}, the right operand of {@code DynamicQuantizeMatMul}; scales and zero points are
 * {@code [out]}.
 */
public record ChannelInt8(QuantizationSymmetry symmetry) implements WeightQuantizer {
    public ChannelInt8 {
        Objects.requireNonNull(symmetry, "symmetry");
    }

    /** The codes {@code int8[in, out]}, scales {@code float[out]} and (with zero points) {@code int8[out]}. */
    @Override
    public QuantizedMatrix quantize(TensorData weight) {
        FloatRows.requireMatrix(weight, "int8 quantization"); // the shape now, the bytes when written
        if (weight.byteSize() > TensorDims.MAX_BUFFER_BYTES) {
            // the codes are written transposed, so the quantizer reads the weight as one view, not row by row
            throw new OnnxGraphException("int8 quantization reads each weight as one buffer, and a "
                    + weight.elementType().onnxName() + weight.dims() + " weight is " + weight.byteSize()
                    + " bytes (2 GiB at most); use --quantize int4, which streams it row by row, or keep that layer "
                    + "float32 (--no-quantize-lm-head for the LM head)");
        }
        return new Channels(weight, this).matrix();
    }

    int minCode() {
        return symmetry == QuantizationSymmetry.SYMMETRIC ? -127 : -128;
    }

    int maxCode() {
        return 127;
    }

    /** One channel's scale and zero point. */
    record Parameters(float scale, int zeroPoint) {}

    /** The scale and zero point of a channel whose smallest and largest values are {@code min} and {@code max}. */
    Parameters parameters(float min, float max) {
        float rmin = Math.min(min, 0f);
        float rmax = Math.max(max, 0f);
        if (symmetry == QuantizationSymmetry.SYMMETRIC) {
            float absmax = Math.max(Math.abs(rmin), Math.abs(rmax));
            rmin = -absmax;
            rmax = absmax;
        }
        double scale = (double) (rmax - rmin) / ((double) maxCode() - minCode());
        if (scale < Float.MIN_NORMAL) {
            return new Parameters(1f, 0);
        }
        int zeroPoint = symmetry == QuantizationSymmetry.SYMMETRIC ? 0 : (int) Math.rint(minCode() - rmin / scale);
        return new Parameters((float) scale, zeroPoint);
    }

    /** The code of {@code value}: {@code clip(round_half_even(value / scale) + zero_point)}, in float32. */
    int code(float value, Parameters parameters) {
        float rounded = (float) Math.rint(value / parameters.scale()) + parameters.zeroPoint();
        return (int) Math.max(minCode(), Math.min(maxCode(), rounded));
    }

    /** Every channel's parameters, in one pass over the weight. */
    Parameters[] channelParameters(FloatRows rows) {
        Parameters[] result = new Parameters[rows.rows()];
        float[] row = new float[rows.columns()];
        for (int channel = 0; channel < rows.rows(); channel++) {
            rows.read(channel, row);
            float min = Float.POSITIVE_INFINITY;
            float max = Float.NEGATIVE_INFINITY;
            for (float value : row) {
                if (!Float.isFinite(value)) {
                    throw new OnnxGraphException("cannot quantize a weight holding " + value + " (channel "
                            + channel + "); int8 quantization needs finite weights");
                }
                min = Math.min(min, value);
                max = Math.max(max, value);
            }
            result[channel] = parameters(min, max);
        }
        return result;
    }

    /** The parts of one weight's per-channel quantization ({@link QuantizedParts}), from one read of it. */
    private static final class Channels extends QuantizedParts {
        /** Output bytes per write of the codes: several output rows at a time. */
        private static final int BLOCK_BYTES = 1 << 20;
        private final ChannelInt8 quantization;

        Channels(TensorData weight, ChannelInt8 quantization) {
            super("int8PerChannel", weight, quantization.symmetry(), kind -> spec(weight, quantization, kind));
            this.quantization = quantization;
        }

        /** Codes {@code [in, out]} int8 (transposed), scales and zero points {@code [out]}. */
        private static PartSpec spec(TensorData weight, ChannelInt8 quantization, PartKind kind) {
            List<Long> dims = kind == PartKind.VALUES ? List.of(weight.dims().get(1), weight.dims().get(0))
                    : List.of(weight.dims().get(0));
            return new PartSpec(kind == PartKind.SCALES ? ElementType.FLOAT : ElementType.INT8, dims,
                    List.of(kind, quantization.symmetry()));
        }

        /**
         * Reads the weight once ({@link FloatRows}, a view of its bytes), computes every channel's parameters, then
         * writes each part of {@code kinds} into the channel at the same index.
         */
        @Override
        void write(List<PartKind> kinds, List<WritableByteChannel> channels) throws IOException {
            FloatRows rows = FloatRows.of(weight, "int8 quantization");
            Parameters[] parameters = quantization.channelParameters(rows);
            for (int i = 0; i < kinds.size(); i++) {
                if (kinds.get(i) == PartKind.VALUES) {
                    writeCodes(rows, parameters, channels.get(i));
                } else {
                    writeParameters(kinds.get(i), parameters, channels.get(i));
                }
            }
        }

        private static void writeParameters(PartKind kind, Parameters[] parameters, WritableByteChannel channel)
                throws IOException {
            ByteBuffer out = ByteBuffer.allocate(parameters.length * (kind == PartKind.SCALES ? Float.BYTES : 1))
                    .order(ByteOrder.LITTLE_ENDIAN);
            for (Parameters p : parameters) {
                if (kind == PartKind.SCALES) {
                    out.putFloat(p.scale());
                } else {
                    out.put((byte) p.zeroPoint());
                }
            }
            write(out.flip(), channel);
        }

        /**
         * The codes {@code [in, out]}: output row i holds input feature i of every channel; a block of output rows
         * at a time.
         */
        private void writeCodes(FloatRows rows, Parameters[] parameters, WritableByteChannel channel)
                throws IOException {
            int channels = rows.rows();
            int inputs = rows.columns();
            int rowsPerBlock = Math.max(1, Math.min(inputs, BLOCK_BYTES / Math.max(1, channels)));
            byte[] block = new byte[rowsPerBlock * channels];
            float[] slice = new float[rowsPerBlock];
            for (int first = 0; first < inputs; first += rowsPerBlock) {
                int count = Math.min(rowsPerBlock, inputs - first);
                for (int c = 0; c < channels; c++) {
                    rows.read(c, first, slice, count);
                    for (int i = 0; i < count; i++) {
                        block[i * channels + c] = (byte) quantization.code(slice[i], parameters[c]);
                    }
                }
                write(ByteBuffer.wrap(block, 0, count * channels), channel);
            }
        }

        private static void write(ByteBuffer buffer, WritableByteChannel channel) throws IOException {
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
        }
    }
}
