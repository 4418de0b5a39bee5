package org.exporters4j.onnx;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A channel that takes a tensor's bytes in writes of any size and hands on whole elements only: the bytes of an
 * element split across two writes (a checkpoint streamed in pieces whose sizes ignore element boundaries) are held
 * back until the element is whole. What comes downstream of it (conversion, narrowing, rows for a quantizer) is
 * written once, here.
 */
abstract class WholeElementChannel extends TensorWriteChannel {
    private final int elementWidth;
    private final ByteBuffer pending;

    WholeElementChannel(int elementWidth) {
        this.elementWidth = elementWidth;
        this.pending = ByteBuffer.allocate(elementWidth).order(ByteOrder.LITTLE_ENDIAN);
    }

    @Override
    public final int write(ByteBuffer input) throws IOException {
        int count = input.remaining();
        ByteBuffer in = input.slice().order(ByteOrder.LITTLE_ENDIAN);
        input.position(input.limit());
        if (pending.position() > 0) {
            while (pending.position() < elementWidth && in.hasRemaining()) {
                pending.put(in.get());
            }
            if (pending.position() < elementWidth) {
                return count;
            }
            pending.flip();
            acceptElements(pending, 1);
            pending.clear();
        }
        acceptElements(in, in.remaining() / elementWidth);
        pending.put(in);
        return count;
    }

    /** Consumes {@code count} whole little-endian elements from {@code in}, advancing it past them. */
    protected abstract void acceptElements(ByteBuffer in, int count) throws IOException;

    /**
     * Writes all of {@code source} through this channel, then {@link #finished()}; a source that ends in the middle
     * of an element (a truncated file) fails.
     */
    final void transfer(TensorData source) throws IOException {
        source.writeTo(this);
        if (endsMidElement()) {
            throw new IOException("the source tensor ended in the middle of a " + source.elementType().onnxName()
                    + " element");
        }
        finished();
    }

    /** Called by {@link #transfer} once every whole element was accepted: hands on what is still held back. */
    protected void finished() throws IOException {}

    /** Whether the stream so far ended in the middle of an element (a truncated source). */
    final boolean endsMidElement() {
        return pending.position() != 0;
    }
}
