package org.exporters4j.onnx;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import java.util.List;

/** The same bytes under other dimensions (row-major order makes a reshape free). */
final class ReshapedTensorData implements TensorData {
    private final TensorData source;
    private final List<Long> dims;

    ReshapedTensorData(TensorData source, List<Long> dims) {
        this.dims = TensorDims.checked(dims);
        if (TensorDims.elementCount(this.dims) != source.elementCount()) {
            throw new OnnxGraphException("cannot reshape a " + source.elementType().onnxName() + source.dims()
                    + " tensor (" + source.elementCount() + " elements) to " + this.dims + " ("
                    + TensorDims.elementCount(this.dims) + " elements); the element counts must be equal");
        }
        this.source = source;
    }

    @Override
    public ElementType elementType() {
        return source.elementType();
    }

    @Override
    public List<Long> dims() {
        return dims;
    }

    @Override
    public void writeTo(WritableByteChannel channel) throws IOException {
        source.writeTo(channel);
    }

    @Override
    public ByteBuffer bytes() {
        return source.bytes();
    }

    @Override
    public Object identity() {
        return new DerivedIdentity("reshaped", List.of(source.identity(), dims));
    }

    @Override
    public String toString() {
        return "reshaped(" + source + ", " + dims + ")";
    }
}
