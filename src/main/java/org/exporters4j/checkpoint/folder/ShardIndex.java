package org.exporters4j.checkpoint.folder;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import org.exporters4j.SmallFile;
import org.exporters4j.WeightsFormat;
import org.exporters4j.checkpoint.CheckpointException;
import org.exporters4j.checkpoint.CorruptCheckpointException;

/**
 * The index of a sharded checkpoint ({@code model.safetensors.index.json}, {@code pytorch_model.bin.index.json}):
 * its {@code weight_map} from tensor name to shard file, as Transformers' {@code save_pretrained} writes it and
 * {@code load_sharded_checkpoint} reads it. Shard names are resolved beside the index and may not leave its folder.
 *
 * @param file the index file
 * @param weightMap tensor name to the shard's path
 */
record ShardIndex(Path file, SortedMap<String, Path> weightMap) {
    ShardIndex {
        weightMap = java.util.Collections.unmodifiableSortedMap(new TreeMap<>(weightMap));
    }

    /** Whether the file is named as an index of shards ({@code *.index.json}), as Transformers names them. */
    static boolean isIndexName(Path file) {
        return file.getFileName() != null && file.getFileName().toString().endsWith(WeightsFormat.INDEX_SUFFIX);
    }

    /** The distinct shard files, sorted. */
    List<Path> shards() {
        return weightMap.values().stream().distinct().sorted().toList();
    }

    static ShardIndex read(Path indexFile) {
        JsonNode root;
        try {
            root = SmallFile.WEIGHTS_INDEX.readJson(indexFile);
        } catch (NoSuchFileException e) {
            throw new CheckpointException("index file not found: " + indexFile, e);
        } catch (SmallFile.Refused e) {
            throw new CorruptCheckpointException(e.getMessage(), e);
        } catch (IOException e) {
            throw new CheckpointException("cannot read " + indexFile + ": " + e.getMessage(), e);
        }
        JsonNode map = root == null ? null : root.get("weight_map");
        if (map == null || !map.isObject()) {
            throw new CorruptCheckpointException(indexFile + " has no \"weight_map\" object (tensor name to shard"
                    + " file), as Transformers' save_pretrained writes; re-save the checkpoint");
        }
        Path folder = indexFile.toAbsolutePath().normalize().getParent();
        SortedMap<String, Path> weightMap = new TreeMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = map.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> entry = it.next();
            if (!entry.getValue().isTextual()) {
                throw new CorruptCheckpointException(indexFile + ": the weight_map entry of tensor '" + entry.getKey()
                        + "' is " + entry.getValue() + ", not a shard file name");
            }
            String shardName = entry.getValue().asText();
            Path shard;
            try {
                shard = folder.resolve(shardName).normalize();
            } catch (java.nio.file.InvalidPathException e) {
                shard = null;
            }
            if (shard == null || shardName.isEmpty() || !shard.startsWith(folder) || shard.equals(folder)) {
                throw new CorruptCheckpointException(indexFile + ": tensor '" + entry.getKey() + "' maps to shard \""
                        + shardName + "\", which is not a file name inside " + folder + "; fix the weight_map");
            }
            if (isIndexName(shard)) {
                throw new CorruptCheckpointException(indexFile + ": tensor '" + entry.getKey() + "' maps to \""
                        + shardName + "\", which is an index, not a shard: a weight_map names the weight files"
                        + " (model-00001-of-00002.safetensors); fix the weight_map or download the index again");
            }
            weightMap.put(entry.getKey(), shard);
        }
        if (weightMap.isEmpty()) {
            throw new CorruptCheckpointException(indexFile + " has an empty weight_map; re-save the checkpoint");
        }
        return new ShardIndex(indexFile, weightMap);
    }
}
