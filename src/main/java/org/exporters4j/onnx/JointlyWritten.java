package org.exporters4j.onnx;

import java.io.IOException;
import java.nio.channels.WritableByteChannel;
import java.util.List;

/**
 * Tensor data computed with other tensors in one pass over a shared source, as a quantized weight's codes, scales
 * and zero points all come from the same blocks of the weight. Each part still writes itself alone
 * ({@link #writeTo}, a pass over the source of its own); a writer that has every part of the {@link Joint} to place
 * writes them with {@link Joint#writeTo(List)} instead, reading and computing the source once.
 */
interface JointlyWritten extends TensorData {
    /** The parts computed together with this one (this one among them). */
    Joint joint();

    /** The parts of one pass over a source. */
    interface Joint {
        /** Every part, each a {@link JointlyWritten} whose {@link #joint()} is this, in a fixed order. */
        List<TensorData> parts();

        /**
         * Writes each part into its channel, {@code channels} in the order of {@link #parts()}: exactly the bytes its
         * own {@code writeTo} writes, in one pass over the source.
         */
        void writeTo(List<WritableByteChannel> channels) throws IOException;
    }
}
