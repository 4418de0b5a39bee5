package org.exporters4j.checkpoint.h5;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;
import org.exporters4j.checkpoint.CorruptCheckpointException;

/**
 * The bytes of a chunked HDF5 dataset, assembled chunk by chunk into one off-heap buffer of the dataset's declared
 * size, each chunk decoded through its filter pipeline with bounds: a chunk decodes to exactly its declared bytes
 * (a deflate stream that inflates further is stopped at the first byte beyond), every chunk of the dataset must be
 * present, chunks may not be larger than the dataset, and a dataset may have at most {@link #MAX_CHUNKS} chunks.
 * Memory is the dataset's size plus one chunk; jhdf's own reader held a heap array of the dataset, a typed copy of
 * it and chunks inflated without bound (a 1.2 MB file took 3.5 GB).
 *
 * <p>Filters, by the ids HDF5 registers: deflate (1, zlib format), shuffle (2) and fletcher32 (3, its checksum is
 * dropped unchecked, as jhdf does); h5py writes no others unless asked to. Decoding runs the pipeline backwards.
 */
final class ChunkedData {
    /** The most chunks one dataset may have: a 2 GiB tensor in h5py's automatic chunks needs a few hundred thousand. */
    static final long MAX_CHUNKS = 1_000_000;

    static final int DEFLATE = 1;
    static final int SHUFFLE = 2;
    static final int FLETCHER32 = 3;

    private ChunkedData() {}

    /** One filter of a dataset's pipeline, in write order: its HDF5 id, name and client data. */
    record Filter(int id, String name, int[] data) {
        Filter {
            data = data.clone();
        }
    }

    /** A chunk's stored (encoded) bytes by the element coordinates of its first element; null when absent. */
    @FunctionalInterface
    interface Chunks {
        ByteBuffer stored(int[] chunkOffset);
    }

    /**
     * Reads the dataset: {@code dimensions} elements of {@code elementBytes} each, stored in chunks of
     * {@code chunkDimensions}, in {@code order}; returns its row-major little-endian bytes, off the heap.
     * {@code what} names the dataset in errors ("weight 'x' of file").
     */
    static ByteBuffer read(String what, int[] dimensions, int[] chunkDimensions, List<Filter> filters,
                           int elementBytes, ByteOrder order, Chunks chunks) {
        int rank = dimensions.length;
        if (rank == 0 || chunkDimensions.length < rank) {
            throw corrupt(what, "has chunk dimensions " + Arrays.toString(chunkDimensions) + " for shape "
                    + Arrays.toString(dimensions));
        }
        long totalBytes = elementBytes;
        long chunkBytes = elementBytes;
        long chunkCount = 1;
        for (int d = 0; d < rank; d++) {
            int size = dimensions[d];
            int chunk = chunkDimensions[d];
            if (chunk < 1 || chunk > Math.max(size, 1)) {
                throw corrupt(what, "has chunks of " + Arrays.toString(Arrays.copyOf(chunkDimensions, rank))
                        + ", larger than its shape " + Arrays.toString(dimensions) + " or empty");
            }
            totalBytes = Math.multiplyExact(totalBytes, (long) size);
            chunkBytes *= chunk;
            chunkCount = Math.multiplyExact(chunkCount, (long) ((size + chunk - 1) / chunk));
        }
        if (totalBytes > Integer.MAX_VALUE) {
            throw corrupt(what, "is " + totalBytes + " bytes, more than one buffer holds (2 GiB); chunked datasets"
                    + " are read whole");
        }
        if (chunkCount > MAX_CHUNKS) {
            throw corrupt(what, "is stored in " + chunkCount + " chunks, more than the " + MAX_CHUNKS + " exporters4j"
                    + " reads for one dataset");
        }
        ByteBuffer out = ByteBuffer.allocateDirect((int) totalBytes).order(ByteOrder.LITTLE_ENDIAN);
        if (totalBytes == 0) {
            return out.asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN);
        }
        int[] chunkIndex = new int[rank];
        int[] chunkOffset = new int[rank];
        while (true) {
            for (int d = 0; d < rank; d++) {
                chunkOffset[d] = chunkIndex[d] * chunkDimensions[d];
            }
            ByteBuffer stored = chunks.stored(chunkOffset.clone());
            if (stored == null) {
                throw corrupt(what, "has no chunk at " + Arrays.toString(chunkOffset) + "; h5py writes every chunk of"
                        + " a weight");
            }
            byte[] decoded = decode(what, chunkOffset, stored, filters, (int) chunkBytes, elementBytes);
            place(decoded, chunkOffset, dimensions, chunkDimensions, elementBytes, out);
            int d = rank - 1;
            while (d >= 0 && (long) ++chunkIndex[d] * chunkDimensions[d] >= dimensions[d]) {
                chunkIndex[d] = 0;
                d--;
            }
            if (d < 0) {
                break;
            }
        }
        if (order == ByteOrder.BIG_ENDIAN && elementBytes > 1) {
            for (int at = 0; at < totalBytes; at += elementBytes) {
                for (int i = 0, j = elementBytes - 1; i < j; i++, j--) {
                    byte b = out.get(at + i);
                    out.put(at + i, out.get(at + j));
                    out.put(at + j, b);
                }
            }
        }
        return out.position(0).asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN);
    }

    /** A chunk's stored bytes through the pipeline backwards, to exactly {@code chunkBytes} bytes. */
    static byte[] decode(String what, int[] chunkOffset, ByteBuffer stored, List<Filter> filters, int chunkBytes,
                         int elementBytes) {
        byte[] data = new byte[stored.remaining()];
        stored.duplicate().get(data);
        long checksums = filters.stream().filter(f -> f.id() == FLETCHER32).count();
        for (int i = filters.size() - 1; i >= 0; i--) {
            Filter filter = filters.get(i);
            data = switch (filter.id()) {
                case DEFLATE -> inflate(what, chunkOffset, data, (int) Math.min(Integer.MAX_VALUE,
                        chunkBytes + 4 * checksums));
                case SHUFFLE -> unshuffle(data, filter.data().length > 0 ? filter.data()[0] : elementBytes);
                case FLETCHER32 -> {
                    if (data.length < 4) {
                        throw corrupt(what, "has a chunk at " + Arrays.toString(chunkOffset) + " too short for its"
                                + " fletcher32 checksum");
                    }
                    yield Arrays.copyOf(data, data.length - 4);
                }
                default -> throw corrupt(what, "uses HDF5 filter " + filter.id() + " (" + filter.name() + "); exporters4j"
                        + " decodes deflate, shuffle and fletcher32, what h5py writes: save the weights again with"
                        + " save_pretrained");
            };
        }
        if (data.length != chunkBytes) {
            throw corrupt(what, "has a chunk at " + Arrays.toString(chunkOffset) + " that decodes to " + data.length
                    + " bytes, not the " + chunkBytes + " of a chunk");
        }
        return data;
    }

    /** Inflates a zlib stream into at most {@code limit} bytes; one byte more is refused, unread further. */
    private static byte[] inflate(String what, int[] chunkOffset, byte[] compressed, int limit) {
        Inflater inflater = new Inflater();
        try {
            inflater.setInput(compressed);
            byte[] out = new byte[limit];
            int produced = 0;
            while (!inflater.finished() && produced < limit) {
                int n = inflater.inflate(out, produced, limit - produced);
                if (n == 0 && (inflater.needsInput() || inflater.needsDictionary())) {
                    break;
                }
                produced += n;
            }
            if (!inflater.finished() && inflater.inflate(new byte[1]) > 0) {
                throw corrupt(what, "has a chunk at " + Arrays.toString(chunkOffset) + " that inflates beyond the "
                        + limit + " bytes of a chunk (a decompression bomb or a damaged file); stopped there");
            }
            return produced == limit ? out : Arrays.copyOf(out, produced);
        } catch (DataFormatException e) {
            throw corrupt(what, "has a chunk at " + Arrays.toString(chunkOffset) + " that is not valid deflate data ("
                    + e.getMessage() + ")");
        } finally {
            inflater.end();
        }
    }

    /** Undoes HDF5's shuffle: byte {@code b} of every element was stored together, plane after plane. */
    private static byte[] unshuffle(byte[] data, int elementBytes) {
        if (elementBytes <= 1) {
            return data;
        }
        int elements = data.length / elementBytes;
        byte[] out = data.clone(); // a tail that is not a whole element stays as it is
        int at = 0;
        for (int b = 0; b < elementBytes; b++) {
            for (int e = 0; e < elements; e++) {
                out[e * elementBytes + b] = data[at++];
            }
        }
        return out;
    }

    /** Copies the part of a decoded chunk that lies inside the dataset to its place in the row-major output. */
    private static void place(byte[] chunk, int[] chunkOffset, int[] dimensions, int[] chunkDimensions,
                              int elementBytes, ByteBuffer out) {
        int rank = dimensions.length;
        int last = rank - 1;
        int runElements = Math.min(chunkDimensions[last], dimensions[last] - chunkOffset[last]);
        int[] index = new int[last]; // position inside the chunk along the leading axes
        while (true) {
            boolean inside = true;
            long chunkElement = 0;
            long outElement = 0;
            for (int d = 0; d < last; d++) {
                inside &= chunkOffset[d] + index[d] < dimensions[d];
                chunkElement = chunkElement * chunkDimensions[d] + index[d];
                outElement = outElement * dimensions[d] + chunkOffset[d] + index[d];
            }
            if (inside) {
                chunkElement = chunkElement * chunkDimensions[last];
                outElement = outElement * dimensions[last] + chunkOffset[last];
                out.put((int) (outElement * elementBytes), chunk, (int) (chunkElement * elementBytes),
                        runElements * elementBytes);
            }
            int d = last - 1;
            while (d >= 0 && ++index[d] >= chunkDimensions[d]) {
                index[d] = 0;
                d--;
            }
            if (d < 0) {
                return;
            }
        }
    }

    private static CorruptCheckpointException corrupt(String what, String problem) {
        return new CorruptCheckpointException(what + " " + problem + "; the file is damaged or not written by"
                + " Keras: save the weights again with save_pretrained");
    }
}
