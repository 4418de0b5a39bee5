package org.exporters4j.checkpoint;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Objects;

/**
 * The elements of a strided view ({@link TensorLocation}) copied into contiguous row-major little-endian bytes, as
 * PyTorch's {@code Tensor.contiguous()} lays them out; big-endian elements are byte-swapped on the way. One gathering
 * loop serves every reader: {@link MappedFile} runs it over memory-mapped file data, {@link #of} over a storage
 * already in memory (the h5 reader's chunked datasets).
 */
public final class ContiguousBytes {
    private ContiguousBytes() {}

    /**
     * The view's bytes, gathered from {@code storage}, which holds the view's storage: its byte 0 (at the buffer's
     * position) is the location's {@code storageStart}. Returns a read-only little-endian buffer at position 0: a
     * slice of {@code storage} when the view is contiguous, else an off-heap copy.
     *
     * @throws IllegalArgumentException if {@code storage} holds fewer than the location's {@code storageLength} bytes
     */
    public static ByteBuffer of(ByteBuffer storage, TensorLocation view) {
        Objects.requireNonNull(storage, "storage");
        Objects.requireNonNull(view, "view");
        if (storage.remaining() < view.storageLength()) {
            throw new IllegalArgumentException("tensor '" + view.info().name() + "' needs a storage of "
                    + view.storageLength() + " bytes but was given " + storage.remaining());
        }
        long size = view.info().byteSize();
        if (size == 0) {
            return ByteBuffer.allocateDirect(0).asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN);
        }
        int firstByte = Math.toIntExact(view.firstByte() - view.storageStart());
        if (view.isContiguous()) {
            return storage.slice(storage.position() + firstByte, (int) size).asReadOnlyBuffer()
                    .order(ByteOrder.LITTLE_ENDIAN);
        }
        ByteBuffer span = storage.slice(storage.position() + firstByte, (int) spanBytes(view));
        ByteBuffer out = ByteBuffer.allocateDirect((int) size);
        try {
            gather(view, span, null, 0, out, Flush.NEVER);
        } catch (IOException e) {
            throw new IllegalStateException("gathering into memory performs no I/O", e);
        }
        out.flip();
        return out.asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN);
    }

    /** Reads a piece of the file: {@code length} bytes at absolute file offset {@code offset}. */
    @FunctionalInterface
    interface Pieces {
        ByteBuffer region(long offset, long length);
    }

    /** Empties a full gathering buffer into its destination. */
    @FunctionalInterface
    interface Flush {
        /** For a buffer of the tensor's whole size, which cannot fill before the tensor ends. */
        Flush NEVER = () -> {
            throw new IllegalStateException("a buffer of the tensor's size cannot fill before the tensor ends");
        };

        void run() throws IOException;
    }

    /**
     * Bytes from the view's first element to the end of its last one: what {@code span} must hold in
     * {@link #gather}. Zero for an empty view.
     */
    static long spanBytes(TensorLocation view) {
        TensorInfo info = view.info();
        if (info.elementCount() == 0) {
            return 0;
        }
        long lastElement = 0;
        for (int d = 0; d < info.rank(); d++) {
            lastElement += (info.shape().get(d) - 1) * view.strides().get(d);
        }
        return (lastElement + 1) * info.dtype().byteSize();
    }

    /**
     * Copies the view's elements in row-major order into {@code out}, little-endian, calling {@code flush} whenever
     * {@code out} is full. Reads from {@code span} (the view's {@link #spanBytes} from its first byte) when it is
     * given, else piece by piece through {@code pieces}, at most {@code pieceLimit} bytes at a time (a single
     * element may be longer). Runs of contiguous elements are copied in bulk, single elements of a transposed view
     * as one primitive.
     */
    static void gather(TensorLocation view, ByteBuffer span, Pieces pieces, long pieceLimit, ByteBuffer out,
                       Flush flush) throws IOException {
        TensorInfo info = view.info();
        if (info.elementCount() == 0) {
            return;
        }
        int elementBytes = info.dtype().byteSize();
        boolean swap = elementBytes > 1 && view.byteOrder() != ByteOrder.LITTLE_ENDIAN;
        List<Long> shape = info.shape();
        List<Long> strides = view.strides();
        int rank = shape.size();
        boolean innerRun = rank > 0 && !swap && strides.get(rank - 1) == 1;
        int outer = innerRun ? rank - 1 : rank;
        long runBytes = (innerRun ? shape.get(rank - 1) : 1) * elementBytes;
        long firstByte = view.firstByte();
        // same order on both sides, so a primitive read and written back keeps the bytes as they are
        ByteBuffer primitives = span == null ? null : span.duplicate().order(out.order());

        long[] index = new long[outer];
        long relativeElement = 0;
        while (true) {
            long relativeByte = relativeElement * elementBytes;
            if (swap) {
                if (out.remaining() < elementBytes) {
                    flush.run();
                }
                ByteBuffer element = span != null ? span : pieces.region(firstByte + relativeByte, elementBytes);
                int at = span != null ? (int) relativeByte : 0;
                for (int b = elementBytes - 1; b >= 0; b--) {
                    out.put(element.get(at + b));
                }
            } else if (!innerRun && primitives != null) {
                if (out.remaining() < elementBytes) {
                    flush.run();
                }
                int at = (int) relativeByte;
                switch (elementBytes) {
                    case 1 -> out.put(primitives.get(at));
                    case 2 -> out.putShort(primitives.getShort(at));
                    case 4 -> out.putInt(primitives.getInt(at));
                    case 8 -> out.putLong(primitives.getLong(at));
                    default -> throw new IllegalStateException("no element type is " + elementBytes + " bytes");
                }
            } else {
                copy(span, pieces, pieceLimit, firstByte, relativeByte, runBytes, out, flush);
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

    private static void copy(ByteBuffer span, Pieces pieces, long pieceLimit, long firstByte, long relativeByte,
                             long length, ByteBuffer out, Flush flush) throws IOException {
        for (long done = 0; done < length; ) {
            if (!out.hasRemaining()) {
                flush.run();
            }
            long piece = Math.min(out.remaining(), length - done);
            ByteBuffer source;
            if (span != null) {
                source = span.slice((int) (relativeByte + done), (int) piece);
            } else {
                piece = Math.min(piece, pieceLimit);
                source = pieces.region(firstByte + relativeByte + done, piece);
            }
            out.put(source);
            done += piece;
        }
    }
}
