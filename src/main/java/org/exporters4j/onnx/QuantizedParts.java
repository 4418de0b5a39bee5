package org.exporters4j.onnx;

import java.io.IOException;
import java.nio.channels.WritableByteChannel;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * The parts of one weight's quantization (codes, scales and, with zero points, zero points), computed in one pass
 * over the weight: the model writer writes them together ({@link JointlyWritten}); a part written alone makes the
 * same pass for its own bytes. {@link BlockInt4} and {@link ChannelInt8} each say what their parts are and how a pass
 * writes them ({@link #write}).
 */
abstract class QuantizedParts implements JointlyWritten.Joint {
    enum PartKind { VALUES, SCALES, ZERO_POINTS }

    /** A part's tensor: its element type and shape, and what besides the weight identifies its bytes. */
    record PartSpec(ElementType elementType, List<Long> dims, List<Object> arguments) {}

    protected final TensorData weight;
    private final List<TensorData> parts;

    /**
     * @param operation names the parts' derivation in their identity and {@code toString}, e.g. {@code int4Blockwise}
     * @param spec      each part's tensor, from the weight and the quantizer's settings alone (it is called before a
     *                  subclass's fields are set)
     */
    QuantizedParts(String operation, TensorData weight, QuantizationSymmetry symmetry,
                   Function<PartKind, PartSpec> spec) {
        this.weight = weight;
        List<PartKind> kinds = symmetry == QuantizationSymmetry.WITH_ZERO_POINTS
                ? List.of(PartKind.VALUES, PartKind.SCALES, PartKind.ZERO_POINTS)
                : List.of(PartKind.VALUES, PartKind.SCALES);
        this.parts = kinds.stream().map(kind -> (TensorData) new Part(this, operation, kind, spec.apply(kind)))
                .toList();
    }

    final QuantizedMatrix matrix() {
        return new QuantizedMatrix(parts.get(0), parts.get(1),
                parts.size() > 2 ? Optional.of(parts.get(2)) : Optional.empty());
    }

    @Override
    public final List<TensorData> parts() {
        return parts;
    }

    @Override
    public final void writeTo(List<WritableByteChannel> channels) throws IOException {
        if (channels.size() != parts.size()) {
            throw new IllegalArgumentException("the " + parts.size() + " parts of " + parts.get(0)
                    + " are written into as many channels, got " + channels.size());
        }
        write(parts.stream().map(part -> ((Part) part).kind).toList(), channels);
    }

    /** Writes each part of {@code kinds} into the channel at the same index, in one pass over the weight. */
    abstract void write(List<PartKind> kinds, List<WritableByteChannel> channels) throws IOException;

    /** One of the parts, computed from the weight when written. */
    private static final class Part extends DerivedTensorData implements JointlyWritten {
        private final QuantizedParts joint;
        private final PartKind kind;
        private final List<Object> arguments;

        Part(QuantizedParts joint, String operation, PartKind kind, PartSpec spec) {
            super(operation, joint.weight, spec.elementType(), spec.dims());
            this.joint = joint;
            this.kind = kind;
            this.arguments = spec.arguments();
        }

        @Override
        protected List<Object> arguments() {
            return arguments;
        }

        @Override
        public JointlyWritten.Joint joint() {
            return joint;
        }

        /** This part alone: a pass over the weight for its bytes only. */
        @Override
        public void writeTo(WritableByteChannel channel) throws IOException {
            joint.write(List.of(kind), List.of(channel));
        }
    }
}
