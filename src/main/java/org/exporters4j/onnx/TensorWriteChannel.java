package org.exporters4j.onnx;

import java.nio.channels.WritableByteChannel;

/**
 * A channel that exists only while one tensor is written into memory or into another channel: closing it releases
 * nothing (its target belongs to the caller) and only marks it closed, as {@link WritableByteChannel} requires.
 */
abstract class TensorWriteChannel implements WritableByteChannel {
    private boolean open = true;

    @Override
    public final boolean isOpen() {
        return open;
    }

    @Override
    public final void close() {
        open = false;
    }
}
