package org.exporters4j.checkpoint;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.WritableByteChannel;

/**
 * Test side: a tensor's bytes as an array, as {@link Weights#bytes} hands them out or as {@link Weights#transferTo}
 * streams them, so every reader's tests compare the two paths the same way.
 */
public final class WeightBytes {
    private WeightBytes() {}

    /** The remaining bytes of a buffer, without moving it. */
    public static byte[] toArray(ByteBuffer buffer) {
        byte[] bytes = new byte[buffer.remaining()];
        buffer.duplicate().get(bytes);
        return bytes;
    }

    /** What {@link Weights#transferTo} writes for the tensor. */
    public static byte[] streamed(Weights weights, String name) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (WritableByteChannel channel = Channels.newChannel(out)) {
            weights.transferTo(name, channel);
        }
        return out.toByteArray();
    }
}
