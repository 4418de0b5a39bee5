package org.exporters4j.checkpoint.folder;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.Function;
import org.exporters4j.checkpoint.CheckpointException;
import org.exporters4j.checkpoint.CloseMatches;
import org.exporters4j.checkpoint.CorruptCheckpointException;
import org.exporters4j.checkpoint.MissingTensorException;
import org.exporters4j.checkpoint.TensorInfo;
import org.exporters4j.checkpoint.Weights;
import org.exporters4j.WeightsFormat;

/**
 * The weights of a sharded checkpoint: one {@link Weights} per shard file, seen as one state dict. As Transformers'
 * {@code load_sharded_checkpoint}, every tensor of every shard listed in the index belongs to the checkpoint; a
 * tensor in two shards, or listed in the index but absent from its shard, is an error.
 */
final class ShardedWeights implements Weights {
    private final ShardIndex index;
    private final List<Weights> shards;
    private final SortedMap<String, Weights> owners;
    private final List<String> names;
    private final List<Path> files;
    private final WeightsFormat format;
    private volatile boolean closed;

    private ShardedWeights(ShardIndex index, List<Weights> shards, SortedMap<String, Weights> owners,
                           WeightsFormat format) {
        this.index = index;
        this.shards = List.copyOf(shards);
        this.owners = Collections.unmodifiableSortedMap(owners);
        this.names = List.copyOf(owners.keySet());
        List<Path> all = new ArrayList<>();
        all.add(index.file());
        all.addAll(index.shards());
        this.files = List.copyOf(all);
        this.format = format;
    }

    /** Opens every shard the index names with {@code openShard}; on any failure the shards opened so far are closed. */
    static Weights open(ShardIndex index, Function<Path, Weights> openShard) {
        List<Weights> opened = new ArrayList<>();
        try {
            SortedMap<String, Weights> owners = new TreeMap<>();
            WeightsFormat format = null;
            for (Path shardFile : index.shards()) {
                if (!Files.isRegularFile(shardFile)) {
                    throw new CheckpointException("shard " + shardFile.getFileName() + " named by " + index.file()
                            + " is missing (looked for " + shardFile + "); download every shard of the checkpoint");
                }
                Weights shard = openShard.apply(shardFile);
                opened.add(shard);
                if (format != null && shard.format() != format) {
                    throw new CorruptCheckpointException(index.file() + " mixes " + format + " and " + shard.format()
                            + " shards (" + shardFile.getFileName() + "); re-save the checkpoint in one format");
                }
                format = shard.format();
                for (String name : shard.names()) {
                    Weights previous = owners.put(name, shard);
                    if (previous != null) {
                        throw new CorruptCheckpointException("tensor '" + name + "' is in two shards of "
                                + index.file() + ": " + previous.files().get(0).getFileName() + " and "
                                + shardFile.getFileName() + "; re-save the checkpoint with save_pretrained");
                    }
                }
            }
            for (Map.Entry<String, Path> entry : index.weightMap().entrySet()) {
                Weights owner = owners.get(entry.getKey());
                if (owner == null || !owner.files().get(0).equals(entry.getValue())) {
                    throw new CorruptCheckpointException(index.file() + " puts tensor '" + entry.getKey() + "' in "
                            + entry.getValue().getFileName() + (owner == null ? ", which does not hold it"
                            : ", but it is in " + owner.files().get(0).getFileName())
                            + "; the index and the shards do not belong together: download them again");
                }
            }
            return new ShardedWeights(index, opened, owners, format);
        } catch (RuntimeException e) {
            for (Weights shard : opened) {
                try {
                    shard.close();
                } catch (RuntimeException suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            throw e;
        }
    }

    @Override
    public List<String> names() {
        ensureOpen();
        return names;
    }

    @Override
    public boolean contains(String name) {
        ensureOpen();
        return owners.containsKey(name);
    }

    @Override
    public TensorInfo info(String name) {
        return owner(name).info(name);
    }

    @Override
    public ByteBuffer bytes(String name) {
        return owner(name).bytes(name);
    }

    @Override
    public void transferTo(String name, WritableByteChannel target) throws IOException {
        owner(name).transferTo(name, target);
    }

    @Override
    public Object storageIdentity(String name) {
        return owner(name).storageIdentity(name);
    }

    @Override
    public List<Path> files() {
        ensureOpen();
        return files;
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
        RuntimeException failure = null;
        for (Weights shard : shards) {
            try {
                shard.close();
            } catch (RuntimeException e) {
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    @Override
    public String toString() {
        return "ShardedWeights[" + format + ", " + index.file() + ", " + shards.size() + " shards, " + owners.size()
                + " tensors]";
    }

    private Weights owner(String name) {
        ensureOpen();
        Weights owner = owners.get(name);
        if (owner == null) {
            throw new MissingTensorException(name, "no tensor '" + name + "' in the shards of " + index.file() + " ("
                    + owners.size() + " tensors" + CloseMatches.describe(name, owners.keySet())
                    + "); check the name against the checkpoint's state-dict keys");
        }
        return owner;
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("the weights of " + index.file() + " are closed; open the checkpoint"
                    + " again (Checkpoints.openWeights) and read them inside its try-with-resources block");
        }
    }
}
