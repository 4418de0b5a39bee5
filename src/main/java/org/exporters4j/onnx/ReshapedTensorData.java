package org.exporters4j.onnx;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import java.util.List;

/** The same bytes under other dimensions (row-major order makes a reshape free). */
final class ReshapedTensorData extends DerivedTensorData {
    ReshapedTensorData(TensorData source, List<Long> dims) {
        super("reshaped", source, source.elementType(), sameCount(source, TensorDims.checked(dims)));
    }

    private static List<Long> sameCount(TensorData source, List<Long> dims) {
        if (TensorDims.elementCount(dims) != source.elementCount()) {
            throw new OnnxGraphException("cannot reshape a " + source.elementType().onnxName() + source.dims()
                    + " tensor (" + source.elementCount() + " elements) to " + dims + " ("
                    + TensorDims.elementCount(dims) + " elements); the element counts must be equal");
        }
        return dims;
    }

    /** The new dimensions. */
    @Override
    protected List<Object> arguments() {
        return List.of(dims());
    }

    /** The narrowed source under these dimensions. */
    @Override
    public TensorData narrowedTo(ElementType half) {
        return half == elementType() ? this : new ReshapedTensorData(source.narrowedTo(half), dims());
    }

    @Override
    public void writeTo(WritableByteChannel channel) throws IOException {
        source.writeTo(channel);
    }

    @Override
    public ByteBuffer bytes() {
        return source.bytes();
    }
}
