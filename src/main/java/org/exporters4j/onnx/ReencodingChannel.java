package org.exporters4j.onnx;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.WritableByteChannel;

/**
 * A {@link WholeElementChannel} that re-encodes the whole elements of a tensor into an output buffer and writes it on
 * to a downstream channel ({@link ConvertedTensorData}, {@link NarrowedTensorData}). The output is direct, so that
 * writing it to a file channel needs no copy into a temporary direct buffer; {@link #finished()} writes what it still
 * holds.
 */
abstract class ReencodingChannel extends WholeElementChannel {
    private final WritableByteChannel downstream;
    /** Filled from position 0 by the subclass, little-endian; {@link #flushOutput()} writes and clears it. */
    protected final ByteBuffer output;

    ReencodingChannel(ElementType source, WritableByteChannel downstream, int outputBytes) {
        super(source.byteWidth());
        this.downstream = downstream;
        this.output = ByteBuffer.allocateDirect(outputBytes).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** Writes the output's bytes up to its position downstream, then clears it. */
    protected final void flushOutput() throws IOException {
        output.flip();
        while (output.hasRemaining()) {
            downstream.write(output);
        }
        output.clear();
    }

    @Override
    protected void finished() throws IOException {
        flushOutput();
    }
}
