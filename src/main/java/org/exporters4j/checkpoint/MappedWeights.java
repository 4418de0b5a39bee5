package org.exporters4j.checkpoint;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Path;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The weights of one file, served from memory mappings of it, whatever its format: the format readers turn the
 * file's header into {@link TensorLocation}s, this class hands out the bytes.
 *
 * <p>Mapping: Java 17 maps at most 2 GiB per buffer, so the file is mapped lazily in windows of {@code W} bytes
 * starting every {@code W/2} bytes. Any range of at most {@code W/2} bytes lies wholly inside one window, so it is a
 * zero-copy slice of a cached mapping; a longer range (a tensor over {@code W/2}, at most 2 GiB) gets a mapping of
 * its own, and {@link #transferTo} streams longer ones window by window. {@code W} is 1 GiB; tests pass a few bytes
 * through the package-private constructor to exercise the window arithmetic without 2 GiB files.
 */
final class MappedWeights implements Weights {
    /** The default window: 1 GiB, so a tensor up to 512 MiB is a slice of a shared mapping. */
    static final long DEFAULT_WINDOW_BYTES = 1L << 30;
    /** Buffer size for gathering strided tensors while streaming them. */
    private static final int GATHER_CHUNK_BYTES = 1 << 24;

    private final WeightsFormat format;
    private final Path file;
    private final FileChannel channel;
    private final long fileSize;
    private final long windowBytes;
    private final long halfWindow;
    private final SortedMap<String, TensorLocation> tensors;
    private final List<String> names;
    /** Window index to its mapping; guarded by itself. */
    private final Map<Long, ByteBuffer> windows = new HashMap<>();
    private volatile boolean closed;

    /**
     * Takes ownership of {@code channel} (closed by {@link #close()}). Locations must lie inside the file and names
     * must be unique; a violation is a corrupt file.
     */
    MappedWeights(WeightsFormat format, Path file, FileChannel channel, List<TensorLocation> locations,
                  long windowBytes) throws IOException {
        if (windowBytes < 2 || windowBytes > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("window must be 2 bytes to 2 GiB, was " + windowBytes);
        }
        this.format = Objects.requireNonNull(format, "format");
        this.file = Objects.requireNonNull(file, "file");
        this.channel = Objects.requireNonNull(channel, "channel");
        this.fileSize = channel.size();
        this.windowBytes = windowBytes;
        this.halfWindow = windowBytes / 2;
        SortedMap<String, TensorLocation> byName = new TreeMap<>();
        for (TensorLocation location : locations) {
            String name = location.info().name();
            if (byName.put(name, location) != null) {
                throw new CorruptCheckpointException(file + " holds tensor '" + name + "' twice; the file is damaged"
                        + " or was not written by safetensors or torch.save: re-save the checkpoint");
            }
            if (location.storageStart() + location.storageLength() > fileSize) {
                throw new CorruptCheckpointException(file + " is truncated: tensor '" + name + "' needs bytes "
                        + location.storageStart() + " to " + (location.storageStart() + location.storageLength())
                        + " but the file has " + fileSize + "; download or save the checkpoint again");
            }
        }
        this.tensors = Collections.unmodifiableSortedMap(byName);
        this.names = List.copyOf(byName.keySet());
    }

    @Override
    public List<String> names() {
        ensureOpen();
        return names;
    }

    @Override
    public boolean contains(String name) {
        ensureOpen();
        return tensors.containsKey(name);
    }

    @Override
    public TensorInfo info(String name) {
        return locate(name).info();
    }

    /** Where the tensor lies in the file. */
    TensorLocation locate(String name) {
        ensureOpen();
        TensorLocation location = tensors.get(name);
        if (location == null) {
            throw new MissingTensorException(name, "no tensor '" + name + "' in " + file + " (" + tensors.size()
                    + " tensors" + CloseMatches.describe(name, tensors.keySet()) + "); check the name against the"
                    + " checkpoint's state-dict keys");
        }
        return location;
    }

    @Override
    public ByteBuffer bytes(String name) {
        TensorLocation location = locate(name);
        long size = location.info().byteSize();
        if (size > Integer.MAX_VALUE) {
            throw new CheckpointException("tensor '" + name + "' in " + file + " is " + size + " bytes, more than"
                    + " one buffer can hold (2 GiB); stream it with Weights.transferTo instead");
        }
        if (location.isContiguous()) {
            return region(location.firstByte(), size);
        }
        ByteBuffer gathered = ByteBuffer.allocateDirect((int) size);
        try {
            gather(location, gathered, () -> {
                throw new IllegalStateException("a buffer of the tensor's size cannot fill before the tensor ends");
            });
        } catch (IOException e) {
            throw new IllegalStateException("gathering into memory performs no I/O", e);
        }
        gathered.flip();
        return gathered.asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN);
    }

    @Override
    public void transferTo(String name, WritableByteChannel target) throws IOException {
        TensorLocation location = locate(name);
        long size = location.info().byteSize();
        if (location.isContiguous()) {
            long start = location.firstByte();
            long done = 0;
            if (target instanceof FileChannel file) {
                // file to file: the kernel copies (copy_file_range / sendfile); the bytes are neither mapped into
                // this process nor copied through it, so memory stays flat however large the checkpoint is
                while (done < size) {
                    long moved = channel.transferTo(start + done, size - done, file);
                    if (moved <= 0) {
                        break; // the platform refused: write the rest from the mapping below
                    }
                    done += moved;
                }
            }
            while (done < size) {
                long piece = Math.min(halfWindow, size - done);
                writeFully(region(start + done, piece), target);
                done += piece;
            }
            return;
        }
        ByteBuffer chunk = ByteBuffer.allocateDirect((int) Math.min(size, GATHER_CHUNK_BYTES));
        Flush flush = () -> {
            chunk.flip();
            writeFully(chunk, target);
            chunk.clear();
        };
        gather(location, chunk, flush);
        flush.run();
    }

    @Override
    public Object storageIdentity(String name) {
        TensorLocation location = locate(name);
        return new StorageIdentity(file, location.firstByte(), location.info().dtype(), location.info().shape(),
                location.strides());
    }

    @Override
    public List<Path> files() {
        ensureOpen();
        return List.of(file);
    }

    @Override
    public WeightsFormat format() {
        ensureOpen();
        return format;
    }

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
        return "MappedWeights[" + format + ", " + file + ", " + tensors.size() + " tensors]";
    }

    /** The same bytes: one file position, type and view. */
    private record StorageIdentity(Path file, long firstByte, DType dtype, List<Long> shape, List<Long> strides) {}

    /** Empties a full gathering buffer into its destination. */
    @FunctionalInterface
    private interface Flush {
        void run() throws IOException;
    }

    /**
     * A read-only little-endian view of {@code length} bytes at {@code offset}: a slice of the cached window that
     * holds the range when it is at most half a window long, else a mapping of its own.
     */
    ByteBuffer region(long offset, long length) {
        ensureOpen();
        if (offset < 0 || length < 0 || length > Integer.MAX_VALUE || offset + length > fileSize) {
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
            ensureOpen();
            window = windows.get(index);
            if (window == null) {
                window = map(windowStart, Math.min(windowBytes, fileSize - windowStart));
                windows.put(index, window);
            }
        }
        return window.slice((int) (offset - windowStart), (int) length).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** The number of windows mapped so far (for tests of the window arithmetic). */
    int mappedWindowCount() {
        synchronized (windows) {
            return windows.size();
        }
    }

    private ByteBuffer map(long offset, long length) {
        try {
            return channel.map(FileChannel.MapMode.READ_ONLY, offset, length);
        } catch (IOException e) {
            ensureOpen();
            throw new CheckpointException("cannot memory-map bytes " + offset + " to " + (offset + length) + " of "
                    + file + ": " + e.getMessage() + "; check that the file is readable and not being rewritten", e);
        }
    }

    /**
     * Copies the elements of a strided (or big-endian) view into {@code out} in row-major order, little-endian,
     * calling {@code flush} whenever {@code out} is full. Runs of contiguous elements are copied in bulk.
     */
    private void gather(TensorLocation location, ByteBuffer out, Flush flush) throws IOException {
        TensorInfo info = location.info();
        if (info.elementCount() == 0) {
            return;
        }
        int elementBytes = info.dtype().byteSize();
        boolean swap = elementBytes > 1 && location.byteOrder() != ByteOrder.LITTLE_ENDIAN;
        List<Long> shape = info.shape();
        List<Long> strides = location.strides();
        int rank = shape.size();
        boolean innerRun = rank > 0 && !swap && strides.get(rank - 1) == 1;
        int outer = innerRun ? rank - 1 : rank;
        long runBytes = (innerRun ? shape.get(rank - 1) : 1) * elementBytes;

        long lastElement = location.elementOffset();
        for (int d = 0; d < rank; d++) {
            lastElement += (shape.get(d) - 1) * strides.get(d);
        }
        long spanBytes = (lastElement - location.elementOffset() + 1) * elementBytes;
        ByteBuffer span = spanBytes <= halfWindow ? region(location.firstByte(), spanBytes) : null;

        long[] index = new long[outer];
        long relativeElement = 0;
        while (true) {
            long relativeByte = relativeElement * elementBytes;
            if (swap) {
                if (out.remaining() < elementBytes) {
                    flush.run();
                }
                ByteBuffer element = span != null ? span : region(location.firstByte() + relativeByte, elementBytes);
                int at = span != null ? (int) relativeByte : 0;
                for (int b = elementBytes - 1; b >= 0; b--) {
                    out.put(element.get(at + b));
                }
            } else {
                copy(span, location.firstByte(), relativeByte, runBytes, out, flush);
            }
            int d = outer - 1;
            while (d >= 0) {
                index[d]++;
                relativeElement += strides.get(d);
                if (index[d] < shape.get(d)) {
                    break;
                }
                relativeElement -= strides.get(d) * shape.get(d);
                index[d] = 0;
                d--;
            }
            if (d < 0) {
                return;
            }
        }
    }

    private void copy(ByteBuffer span, long firstByte, long relativeByte, long length, ByteBuffer out, Flush flush)
            throws IOException {
        for (long done = 0; done < length; ) {
            if (!out.hasRemaining()) {
                flush.run();
            }
            long piece = Math.min(out.remaining(), length - done);
            ByteBuffer source;
            if (span != null) {
                source = span.slice((int) (relativeByte + done), (int) piece);
            } else {
                piece = Math.min(piece, halfWindow);
                source = region(firstByte + relativeByte + done, piece);
            }
            out.put(source);
            done += piece;
        }
    }

    private static void writeFully(ByteBuffer source, WritableByteChannel target) throws IOException {
        while (source.hasRemaining()) {
            target.write(source);
        }
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("the weights of " + file + " are closed; open the checkpoint again"
                    + " (Checkpoints.openWeights) and read them inside its try-with-resources block");
        }
    }
}
