package org.exporters4j.checkpoint;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Read-only memory mappings of one weight file, and the bytes of the tensors located in it ({@link TensorLocation}):
 * what every {@link Weights} implementation that reads a file serves its data from.
 *
 * <p>Mapping: Java 17 maps at most 2 GiB per buffer, so the file is mapped lazily in windows of {@code W} bytes
 * starting every {@code W/2} bytes. Any range of at most {@code W/2} bytes lies wholly inside one window, so it is a
 * zero-copy slice of a cached mapping; a longer range (at most 2 GiB) gets a mapping of its own, and
 * {@link #transferTo} streams longer tensors window by window. {@code W} is {@link #DEFAULT_WINDOW_BYTES}; tests pass
 * a few bytes to exercise the window arithmetic without 2 GiB files.
 *
 * <p>Safe for concurrent reads. {@link #close()} is idempotent and closes the channel; any other method afterwards
 * throws {@link IllegalStateException}, as {@link Weights} requires of closed weights. Buffers handed out before
 * {@code close()} stay readable: the JDK unmaps a window once no buffer refers to it.
 */
public final class MappedFile implements AutoCloseable {
    /** The default window: 1 GiB, so a tensor up to 512 MiB is a slice of a shared mapping. */
    public static final long DEFAULT_WINDOW_BYTES = 1L << 30;
    /** Buffer size for gathering strided tensors while streaming them. */
    private static final int GATHER_CHUNK_BYTES = 1 << 24;
    /**
     * Buffer size for streaming a contiguous tensor to a channel other than a file: small enough to stay in the
     * processor's cache while the channel (a conversion) reads it, and to be little garbage per tensor.
     */
    private static final int STREAM_CHUNK_BYTES = 1 << 16;

    private final Path file;
    private final FileChannel channel;
    private final long size;
    private final long windowBytes;
    private final long halfWindow;
    /** Window index to its mapping; guarded by itself. */
    private final Map<Long, ByteBuffer> windows = new HashMap<>();
    private volatile boolean closed;

    /**
     * Maps {@code file}, read through {@code channel}, in windows of {@code windowBytes}. Takes ownership of the
     * channel: {@link #close()} closes it (the caller closes it only when this constructor throws).
     *
     * @throws IllegalArgumentException if the window is under 2 bytes or over 2 GiB
     * @throws IOException if the channel's size cannot be read
     */
    public MappedFile(Path file, FileChannel channel, long windowBytes) throws IOException {
        if (windowBytes < 2 || windowBytes > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("window must be 2 bytes to 2 GiB, was " + windowBytes);
        }
        this.file = Objects.requireNonNull(file, "file");
        this.channel = Objects.requireNonNull(channel, "channel");
        this.size = channel.size();
        this.windowBytes = windowBytes;
        this.halfWindow = windowBytes / 2;
    }

    /** The file mapped. */
    public Path file() {
        return file;
    }

    /** The file's size in bytes when it was opened. */
    public long size() {
        return size;
    }

    /**
     * A read-only little-endian view of {@code length} bytes at {@code offset}: a slice of the cached window that
     * holds the range when it is at most half a window long, else a mapping of its own.
     *
     * @throws IllegalArgumentException if the range is not inside the file or longer than 2 GiB
     */
    public ByteBuffer region(long offset, long length) {
        requireOpen();
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
            requireOpen();
            window = windows.get(index);
            if (window == null) {
                window = map(windowStart, Math.min(windowBytes, size - windowStart));
                windows.put(index, window);
            }
        }
        return window.slice((int) (offset - windowStart), (int) length).order(ByteOrder.LITTLE_ENDIAN);
    }

    /**
     * The located tensor's bytes, as {@link Weights#bytes} hands them out: read-only, little-endian, position 0; a
     * zero-copy slice when the file stores the tensor contiguously, else gathered into an off-heap buffer.
     *
     * @throws CheckpointException if the tensor is larger than a buffer can hold (2 GiB)
     */
    public ByteBuffer bytes(TensorLocation location) {
        requireOpen();
        String name = location.info().name();
        long length = location.info().byteSize();
        if (length > Integer.MAX_VALUE) {
            throw new CheckpointException("tensor '" + name + "' in " + file + " is " + length + " bytes, more than"
                    + " one buffer can hold (2 GiB); stream it with Weights.transferTo instead");
        }
        if (location.isContiguous()) {
            return region(location.firstByte(), length);
        }
        ByteBuffer gathered = ByteBuffer.allocateDirect((int) length);
        try {
            ContiguousBytes.gather(location, span(location), this::region, halfWindow, gathered,
                    ContiguousBytes.Flush.NEVER);
        } catch (IOException e) {
            throw new IllegalStateException("gathering into memory performs no I/O", e);
        }
        gathered.flip();
        return gathered.asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN);
    }

    /**
     * Writes the located tensor's bytes (as {@link #bytes}) to {@code target} in pieces of at most half a window (a
     * contiguous tensor) or 16 MiB (a gathered one), so any size works, beyond 2 GiB too. A contiguous tensor
     * written to a file channel is copied by the kernel instead ({@code FileChannel.transferTo}).
     *
     * @throws IOException if writing to {@code target} fails
     */
    public void transferTo(TensorLocation location, WritableByteChannel target) throws IOException {
        requireOpen();
        try {
            transferChecked(location, target);
        } catch (IOException | InternalError e) {
            // a truncated file: a write from its mapping fails (EFAULT), or reading the mapping faults (SIGBUS,
            // which the JVM raises as an InternalError)
            CheckpointException changed = changedSinceOpened(e);
            if (changed != null) {
                throw changed;
            }
            throw e;
        }
    }

    private void transferChecked(TensorLocation location, WritableByteChannel target) throws IOException {
        long length = location.info().byteSize();
        if (location.isContiguous()) {
            long start = location.firstByte();
            long done = 0;
            if (target instanceof FileChannel file) {
                // file to file: the kernel copies (copy_file_range / sendfile); the bytes are neither mapped into
                // this process nor copied through it, so memory stays flat however large the checkpoint is
                while (done < length) {
                    long moved = channel.transferTo(start + done, length - done, file);
                    if (moved <= 0) {
                        break; // the platform refused: write the rest from the mapping below
                    }
                    done += moved;
                }
            }
            // to another channel (e.g. one converting bf16 to float32 while it writes): positional reads through a
            // small buffer, so the file's pages stay in the page cache and are never mapped into this process (a
            // mapping touched page by page would count the whole checkpoint in the resident set); the buffer is
            // direct, so the kernel reads into it without a copy through a temporary direct buffer
            ByteBuffer buffer = ByteBuffer.allocateDirect((int) Math.min(Math.min(halfWindow, STREAM_CHUNK_BYTES),
                    length - done));
            while (done < length) {
                buffer.clear().limit((int) Math.min(buffer.capacity(), length - done));
                while (buffer.hasRemaining()) {
                    if (channel.read(buffer, start + done + buffer.position()) < 0) {
                        throw new IOException(file + " ends before the tensor's last byte (" + (start + length)
                                + ")");
                    }
                }
                buffer.flip();
                done += buffer.remaining();
                writeFully(buffer, target);
            }
            return;
        }
        ByteBuffer chunk = ByteBuffer.allocateDirect((int) Math.min(length, GATHER_CHUNK_BYTES));
        ContiguousBytes.Flush flush = () -> {
            chunk.flip();
            writeFully(chunk, target);
            chunk.clear();
        };
        ContiguousBytes.gather(location, span(location), this::region, halfWindow, chunk, flush);
        flush.run();
    }

    /**
     * Throws the {@link IllegalStateException} that {@link Weights} requires once the weights are closed, naming
     * the file and the fix; does nothing while open.
     */
    public void requireOpen() {
        if (closed) {
            throw new IllegalStateException("the weights of " + file + " are closed; open the checkpoint again"
                    + " (Checkpoints.openWeights) and read them inside its try-with-resources block");
        }
    }

    /** Releases the mappings and closes the channel; idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        synchronized (windows) {
            windows.clear(); // the JDK unmaps each window once no buffer refers to it
        }
        try {
            channel.close();
        } catch (IOException e) {
            throw new CheckpointException("cannot close " + file + ": " + e.getMessage(), e);
        }
    }

    @Override
    public String toString() {
        return "MappedFile[" + file + ", " + size + " bytes]";
    }

    /** The number of windows mapped so far (for tests of the window arithmetic). */
    int mappedWindowCount() {
        synchronized (windows) {
            return windows.size();
        }
    }

    /**
     * The whole range a strided view reads, as one buffer, when a buffer can hold it (2 GiB; twice the window, so
     * that tests with small windows also exercise the piecewise path beyond it); else null, to read piece by piece.
     */
    private ByteBuffer span(TensorLocation location) {
        long spanBytes = ContiguousBytes.spanBytes(location);
        return spanBytes <= Math.min(Integer.MAX_VALUE, 2 * windowBytes) ? region(location.firstByte(), spanBytes)
                : null;
    }

    private ByteBuffer map(long offset, long length) {
        try {
            return channel.map(FileChannel.MapMode.READ_ONLY, offset, length);
        } catch (IOException e) {
            requireOpen();
            CheckpointException changed = changedSinceOpened(e);
            if (changed != null) {
                throw changed; // the JDK says "Channel not open for writing" when mapping past a truncated end
            }
            throw new CheckpointException("cannot memory-map bytes " + offset + " to " + (offset + length) + " of "
                    + file + ": " + e.getMessage() + "; check that the file is readable and not being rewritten", e);
        }
    }

    /**
     * The error to report when the file is no longer the size it had when opened (truncated or rewritten by another
     * process during the export), else null: reading it further would fail with an error about its symptom.
     */
    private CheckpointException changedSinceOpened(Throwable cause) {
        long now;
        try {
            now = channel.size();
        } catch (IOException e) {
            return null;
        }
        return now == size ? null : new CheckpointException(file + " changed while the export read it: it was "
                + size + " bytes when opened and is " + now + " bytes now; leave the checkpoint unchanged until the "
                + "export ends, then run it again", cause);
    }

    private static void writeFully(ByteBuffer source, WritableByteChannel target) throws IOException {
        while (source.hasRemaining()) {
            target.write(source);
        }
    }
}
