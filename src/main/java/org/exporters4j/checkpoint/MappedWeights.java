package org.exporters4j.checkpoint;

import org.exporters4j.WeightsFormat;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The weights of one file, served from memory mappings of it, whatever its format: the format readers turn the
 * file's header into {@link TensorLocation}s, this class names them and a {@link MappedFile} hands out the bytes
 * (see there for the mapping windows). Tests pass a window of a few bytes through the package-private constructor
 * to exercise the window arithmetic without 2 GiB files.
 */
public final class MappedWeights implements Weights {
    /** The default window: see {@link MappedFile#DEFAULT_WINDOW_BYTES}. */
    public static final long DEFAULT_WINDOW_BYTES = MappedFile.DEFAULT_WINDOW_BYTES;

    private final WeightsFormat format;
    private final Path file;
    private final MappedFile mapped;
    private final SortedMap<String, TensorLocation> tensors;
    private final List<String> names;

    /**
     * Takes ownership of {@code channel} (closed by {@link #close()}). Locations must lie inside the file and names
     * must be unique; a violation is a corrupt file.
     */
    public MappedWeights(WeightsFormat format, Path file, FileChannel channel, List<TensorLocation> locations,
                  long windowBytes) throws IOException {
        this.format = Objects.requireNonNull(format, "format");
        this.file = Objects.requireNonNull(file, "file");
        this.mapped = new MappedFile(file, channel, windowBytes);
        long fileSize = mapped.size();
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
        mapped.requireOpen();
        return names;
    }

    @Override
    public boolean contains(String name) {
        mapped.requireOpen();
        return tensors.containsKey(name);
    }

    @Override
    public TensorInfo info(String name) {
        return locate(name).info();
    }

    /** Where the tensor lies in the file. */
    private TensorLocation locate(String name) {
        mapped.requireOpen();
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
        return mapped.bytes(locate(name));
    }

    @Override
    public void transferTo(String name, WritableByteChannel target) throws IOException {
        mapped.transferTo(locate(name), target);
    }

    @Override
    public Object storageIdentity(String name) {
        TensorLocation location = locate(name);
        return new StorageIdentity(file, location.firstByte(), location.info().dtype(), location.info().shape(),
                location.strides());
    }

    @Override
    public List<Path> files() {
        mapped.requireOpen();
        return List.of(file);
    }

    @Override
    public WeightsFormat format() {
        mapped.requireOpen();
        return format;
    }

    @Override
    public void close() {
        mapped.close();
    }

    @Override
    public String toString() {
        return "MappedWeights[" + format + ", " + file + ", " + tensors.size() + " tensors]";
    }

    /** The same bytes: one file position, type and view. */
    private record StorageIdentity(Path file, long firstByte, DType dtype, List<Long> shape, List<Long> strides) {}

    /** The number of windows mapped so far (for tests of the window arithmetic). */
    int mappedWindowCount() {
        return mapped.mappedWindowCount();
    }
}
