package org.exporters4j.onnx;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Tensors joined along one axis, computed while written. Along the outermost non-trivial axis the parts are
 * streamed one after the other; along an inner axis their slices are interleaved from views of the parts.
 */
final class ConcatenatedTensorData implements TensorData {
    private final List<TensorData> parts;
    private final int axis;
    private final List<Long> dims;

    ConcatenatedTensorData(int axis, List<? extends TensorData> parts) {
        if (parts == null || parts.isEmpty() || parts.stream().anyMatch(Objects::isNull)) {
            throw new OnnxGraphException("concatenating tensor data needs at least one tensor and no nulls");
        }
        this.parts = List.copyOf(parts);
        TensorData first = this.parts.get(0);
        int rank = first.dims().size();
        if (rank == 0) {
            throw new OnnxGraphException("scalars cannot be concatenated; reshape them to [1] first");
        }
        if (axis < -rank || axis >= rank) {
            throw new OnnxGraphException("concatenation axis " + axis + " is out of range for rank " + rank
                    + "; use an axis from " + -rank + " to " + (rank - 1));
        }
        this.axis = axis < 0 ? axis + rank : axis;
        long joined = 0;
        for (TensorData part : this.parts) {
            boolean compatible = part.elementType() == first.elementType() && part.dims().size() == rank;
            for (int i = 0; compatible && i < rank; i++) {
                compatible = i == this.axis || part.dims().get(i).equals(first.dims().get(i));
            }
            if (!compatible) {
                throw new OnnxGraphException("cannot concatenate a " + part.elementType().onnxName() + part.dims()
                        + " tensor with a " + first.elementType().onnxName() + first.dims() + " tensor along axis "
                        + this.axis + "; element types must match and dimensions may differ only along the axis");
            }
            joined = Math.addExact(joined, part.dims().get(this.axis));
        }
        List<Long> result = new ArrayList<>(first.dims());
        result.set(this.axis, joined);
        this.dims = TensorDims.checked(result);
    }

    @Override
    public ElementType elementType() {
        return parts.get(0).elementType();
    }

    @Override
    public List<Long> dims() {
        return dims;
    }

    /** The narrowed parts, concatenated. */
    @Override
    public TensorData narrowedTo(ElementType half) {
        return half == elementType() ? this
                : new ConcatenatedTensorData(axis, parts.stream().map(part -> part.narrowedTo(half)).toList());
    }

    @Override
    public Object identity() {
        List<Object> arguments = new ArrayList<>();
        arguments.add(axis);
        for (TensorData part : parts) {
            arguments.add(part.identity());
        }
        return new DerivedIdentity("concatenated", arguments);
    }

    @Override
    public void writeTo(WritableByteChannel channel) throws IOException {
        long outer = TensorDims.product(dims, 0, axis);
        if (outer == 1) {
            for (TensorData part : parts) {
                part.writeTo(channel);
            }
            return;
        }
        int width = elementType().byteWidth();
        List<ByteBuffer> views = new ArrayList<>();
        List<Integer> blockBytes = new ArrayList<>();
        for (TensorData part : parts) {
            views.add(part.bytes());
            blockBytes.add(Math.toIntExact(TensorDims.product(part.dims(), axis, part.dims().size()) * width));
        }
        for (long o = 0; o < outer; o++) {
            for (int p = 0; p < parts.size(); p++) {
                int size = blockBytes.get(p);
                int start = Math.toIntExact(o * size);
                ByteBuffer slice = views.get(p).duplicate().position(start).limit(start + size);
                while (slice.hasRemaining()) {
                    channel.write(slice);
                }
            }
        }
    }

    @Override
    public String toString() {
        return "concatenated(" + axis + ", " + parts + ")";
    }
}
