package org.exporters4j.checkpoint;

import org.exporters4j.WeightsFormat;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Path;
import java.util.List;

/**
 * The tensors of a checkpoint (a state dict: name to tensor), read lazily from memory-mapped files so that weights
 * stay off the Java heap.
 *
 * <p>Contract: names are the state-dict keys exactly as the file stores them. Data are handed out as the tensor's
 * contiguous row-major bytes in little-endian order, whatever the file layout. An implementation is safe for
 * concurrent reads. {@link #close()} is idempotent; any other method on closed weights throws
 * {@link IllegalStateException}. Buffers handed out before {@code close()} stay readable: the JDK unmaps a mapping
 * when its last buffer is collected, and unmapping it earlier would let a stale buffer crash the JVM.
 */
public interface Weights extends AutoCloseable {

    /** Every tensor name, sorted. */
    List<String> names();

    /** Whether a tensor of this name exists. */
    boolean contains(String name);

    /**
     * The tensor's name, type and shape.
     *
     * @throws MissingTensorException if there is no such tensor (the message lists close matches)
     */
    TensorInfo info(String name);

    /**
     * The tensor's bytes: read-only, little-endian, position 0, exactly {@code info(name).byteSize()} remaining. A
     * zero-copy slice of the mapped file when the file stores the tensor contiguously, else (a strided PyTorch view,
     * big-endian data) a copy gathered into an off-heap direct buffer.
     *
     * @throws CheckpointException if the tensor is larger than a buffer can hold (2 GiB): use {@link #transferTo}
     */
    ByteBuffer bytes(String name);

    /**
     * Writes the tensor's bytes (as {@link #bytes}) to {@code target}, in pieces, so any size works, beyond 2 GiB too.
     *
     * @throws IOException if writing to {@code target} fails (reading the checkpoint fails with a CheckpointException)
     */
    void transferTo(String name, WritableByteChannel target) throws IOException;

    /**
     * A value equal for tensors that are the same bytes in the same file (tied weights saved by PyTorch share one
     * storage), and different otherwise; lets a writer store shared data once. Only {@code equals} and
     * {@code hashCode} are meaningful.
     */
    Object storageIdentity(String name);

    /** The files these weights are read from (an index file first, then its shards). */
    List<Path> files();

    /** The format of the files. */
    WeightsFormat format();

    /** Releases the files; idempotent. */
    @Override
    void close();
}
