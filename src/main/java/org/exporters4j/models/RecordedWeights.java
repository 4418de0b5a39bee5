package org.exporters4j.models;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentSkipListSet;
import org.exporters4j.checkpoint.TensorInfo;
import org.exporters4j.checkpoint.Weights;
import org.exporters4j.WeightsFormat;

/**
 * A view of a checkpoint's weights that records which tensors a graph build reads, so the exporter can tell the
 * user which checkpoint tensors the exported graph leaves out — the counterpart of the "unexpected keys" Transformers'
 * {@code from_pretrained} reports when a checkpoint saved for one head is loaded for another (e.g. {@code cls.*} of
 * a masked-LM checkpoint exported for {@code default}), and of buffers the graph computes itself
 * ({@code position_ids}).
 *
 * <p>A tensor counts as read once its header, bytes or storage identity has been read or it has been streamed
 * ({@link #transferTo}); {@link #contains} (a probe) does not count. The view does not own the weights:
 * {@link #close()} leaves them open for their owner to close.
 * Safe for concurrent reads, as {@link Weights} requires (the model writer streams tensors on several threads).
 */
public final class RecordedWeights implements Weights {
    private final Weights weights;
    private final SortedSet<String> read = new ConcurrentSkipListSet<>();

    public RecordedWeights(Weights weights) {
        this.weights = Objects.requireNonNull(weights, "weights");
    }

    /** The names read so far, sorted. */
    public SortedSet<String> read() {
        return Collections.unmodifiableSortedSet(new TreeSet<>(read));
    }

    /**
     * The checkpoint's names not read so far, sorted, leaving out tied copies of read tensors: a name that shares a
     * read tensor's storage (a PyTorch file stores tied weights once), or holds the same dtype, shape and bytes (a
     * safetensors file stores a tied weight under each of its names), is part of the graph through its twin.
     */
    public SortedSet<String> unread() {
        Map<Object, String> readStorages = new HashMap<>();
        Map<TensorInfo, List<String>> readByLayout = new HashMap<>();
        for (String name : read) {
            readStorages.put(weights.storageIdentity(name), name);
            TensorInfo info = weights.info(name);
            readByLayout.computeIfAbsent(layout(info), key -> new ArrayList<>()).add(name);
        }
        SortedSet<String> unread = new TreeSet<>();
        for (String name : weights.names()) {
            if (read.contains(name) || readStorages.containsKey(weights.storageIdentity(name))) {
                continue;
            }
            List<String> sameLayout = readByLayout.getOrDefault(layout(weights.info(name)), List.of());
            boolean tiedCopy = false;
            for (String twin : sameLayout) {
                if (weights.bytes(twin).equals(weights.bytes(name))) {
                    tiedCopy = true;
                    break;
                }
            }
            if (!tiedCopy) {
                unread.add(name);
            }
        }
        return Collections.unmodifiableSortedSet(unread);
    }

    /** A tensor's dtype and shape, under one fixed name, to find same-layout tensors. */
    private static TensorInfo layout(TensorInfo info) {
        return new TensorInfo("layout", info.dtype(), info.shape());
    }

    @Override
    public List<String> names() {
        return weights.names();
    }

    @Override
    public boolean contains(String name) {
        return weights.contains(name);
    }

    @Override
    public TensorInfo info(String name) {
        return recorded(name, weights.info(name));
    }

    @Override
    public ByteBuffer bytes(String name) {
        return recorded(name, weights.bytes(name));
    }

    @Override
    public void transferTo(String name, WritableByteChannel target) throws IOException {
        weights.transferTo(name, target);
        read.add(name);
    }

    @Override
    public Object storageIdentity(String name) {
        return recorded(name, weights.storageIdentity(name));
    }

    /** {@code value}, read for {@code name}: the name counts as read once its read has returned. */
    private <T> T recorded(String name, T value) {
        read.add(name);
        return value;
    }

    @Override
    public List<Path> files() {
        return weights.files();
    }

    @Override
    public WeightsFormat format() {
        return weights.format();
    }

    /** Leaves the underlying weights open: their owner closes them. */
    @Override
    public void close() {
        // nothing of its own to release
    }
}
