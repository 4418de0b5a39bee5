package org.exporters4j.models;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import java.util.List;
import java.util.Objects;
import org.exporters4j.checkpoint.DType;
import org.exporters4j.checkpoint.TensorInfo;
import org.exporters4j.checkpoint.Weights;
import org.exporters4j.onnx.ElementType;
import org.exporters4j.onnx.TensorData;

/**
 * A checkpoint tensor as ONNX tensor data: its bytes stream from the (memory-mapped) checkpoint when the model is
 * written, never copied onto the heap. Tensors that share storage in the checkpoint (tied weights in a
 * {@code pytorch_model.bin}) have equal identities, so the graph stores them once.
 */
final class CheckpointTensor implements TensorData {
    private final Weights weights;
    private final TensorInfo info;
    private final ElementType elementType;

    CheckpointTensor(Weights weights, TensorInfo info) {
        this.weights = Objects.requireNonNull(weights, "weights");
        this.info = Objects.requireNonNull(info, "info");
        this.elementType = elementTypeOf(info);
    }

    @Override
    public ElementType elementType() {
        return elementType;
    }

    @Override
    public List<Long> dims() {
        return info.shape();
    }

    @Override
    public void writeTo(WritableByteChannel channel) throws IOException {
        weights.transferTo(info.name(), channel);
    }

    /**
     * The checkpoint's own bytes ({@link Weights#bytes}: a slice of the mapped file, or an off-heap gather of a
     * strided view), never a heap copy: quantizers read whole weights through this view. Like every tensor view, it
     * is refused for tensors of 2 GiB or more.
     */
    @Override
    public ByteBuffer bytes() {
        return weights.bytes(info.name());
    }

    @Override
    public Object identity() {
        return new Identity(weights, weights.storageIdentity(info.name()));
    }

    private record Identity(Weights weights, Object storage) {
        @Override
        public boolean equals(Object other) {
            return other instanceof Identity that && that.weights == weights && that.storage.equals(storage);
        }

        @Override
        public int hashCode() {
            return System.identityHashCode(weights) * 31 + storage.hashCode();
        }
    }

    private static ElementType elementTypeOf(TensorInfo info) {
        return switch (info.dtype()) {
            case F64 -> ElementType.DOUBLE;
            case F32 -> ElementType.FLOAT;
            case F16 -> ElementType.FLOAT16;
            case BF16 -> ElementType.BFLOAT16;
            case I64 -> ElementType.INT64;
            case I32 -> ElementType.INT32;
            case I8 -> ElementType.INT8;
            case U8 -> ElementType.UINT8;
            case BOOL -> ElementType.BOOL;
            case I16 -> throw new ArchitectureException("tensor '" + info.name() + "' is " + DType.I16.torchName()
                    + ", which no ONNX graph of this project reads; re-save the checkpoint in float32");
        };
    }
}
