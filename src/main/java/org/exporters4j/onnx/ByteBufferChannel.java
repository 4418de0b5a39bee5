package org.exporters4j.onnx;

import java.io.IOException;
import java.nio.ByteBuffer;

/** A channel that fills a buffer of fixed capacity; writing past its end is an error, not a silent truncation. */
final class ByteBufferChannel extends TensorWriteChannel {
    private final ByteBuffer target;

    ByteBufferChannel(ByteBuffer target) {
        this.target = target;
    }

    @Override
    public int write(ByteBuffer source) throws IOException {
        int count = source.remaining();
        if (count > target.remaining()) {
            throw new IOException("the tensor wrote more bytes than its declared size of " + target.capacity());
        }
        target.put(source);
        return count;
    }
}
