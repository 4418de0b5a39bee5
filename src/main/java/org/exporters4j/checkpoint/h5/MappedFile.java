package org.exporters4j.checkpoint.h5;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.exporters4j.checkpoint.CheckpointException;

/**
 * Read-only memory mappings of one file. Java 17 maps at most 2 GiB per buffer, so the file is mapped lazily in
 * windows of {@code W} bytes starting every {@code W/2} bytes: any range of at most {@code W/2} bytes lies inside one
 * window and is a zero-copy slice of it; a longer range (up to 2 GiB) gets a mapping of its own. Windows are
 * unmapped by the JDK once no buffer refers to them, so buffers handed out stay valid after {@link #close()}.
 */
final class MappedFile implements AutoCloseable {
    /** 1 GiB windows: a tensor up to 512 MiB is a slice of a shared mapping. */
    static final long DEFAULT_WINDOW_BYTES = 1L << 30;

    private final Path file;
    private final FileChannel channel;
    private final long size;
    private final long windowBytes;
    private final long halfWindow;
    /** Window index to its mapping; guarded by itself. */
    private final Map<Long, ByteBuffer> windows = new HashMap<>();

    MappedFile(Path file, FileChannel channel, long windowBytes) throws IOException {
        if (windowBytes < 16 || windowBytes > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("window must be 16 bytes to 2 GiB, was " + windowBytes);
        }
        this.file = file;
        this.channel = channel;
        this.size = channel.size();
        this.windowBytes = windowBytes;
        this.halfWindow = windowBytes / 2;
    }

    long size() {
        return size;
    }

    /** The longest range {@link #region} returns as a slice of a shared window. */
    long halfWindow() {
        return halfWindow;
    }

    /**
     * The longest range mapped as one buffer when a whole tensor is needed at once: 2 GiB, the most a buffer holds
     * (twice the window, so tests with small windows also exercise the piecewise path beyond it).
     */
    long wholeMappingLimit() {
        return Math.min(Integer.MAX_VALUE, 2 * windowBytes);
    }

    /** A read-only little-endian view of {@code length} bytes at {@code offset}. */
    ByteBuffer region(long offset, long length) {
        if (offset < 0 || length < 0 || length > Integer.MAX_VALUE || offset > size || length > size - offset) {
            throw new IllegalArgumentException("range " + offset + "+" + length + " is outside " + file);
        }
        if (length == 0) {
            return ByteBuffer.allocateDirect(0).asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN);
        }
        if (length > halfWindow) {
            return map(offset, length).order(ByteOrder.LITTLE_ENDIAN);
        }
        long index = offset / halfWindow;
        long windowStart = index * halfWindow;
        ByteBuffer window;
        synchronized (windows) {
            window = windows.get(index);
            if (window == null) {
                window = map(windowStart, Math.min(windowBytes, size - windowStart));
                windows.put(index, window);
            }
        }
        return window.slice((int) (offset - windowStart), (int) length).order(ByteOrder.LITTLE_ENDIAN);
    }

    private ByteBuffer map(long offset, long length) {
        try {
            return channel.map(FileChannel.MapMode.READ_ONLY, offset, length);
        } catch (IOException e) {
            throw new CheckpointException("cannot memory-map bytes " + offset + " to " + (offset + length) + " of "
                    + file + ": " + e.getMessage() + "; check that the file is readable and not being rewritten", e);
        }
    }

    @Override
    public void close() throws IOException {
        synchronized (windows) {
            windows.clear();
        }
        channel.close();
    }
}
