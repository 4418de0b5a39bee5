package org.exporters4j.checkpoint.folder;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.exporters4j.checkpoint.CheckpointException;
import org.exporters4j.checkpoint.CorruptCheckpointException;
import org.exporters4j.checkpoint.MappedWeights;
import org.exporters4j.checkpoint.ModelConfig;
import org.exporters4j.checkpoint.Weights;
import org.exporters4j.WeightsFormat;
import org.exporters4j.checkpoint.h5.TensorFlowWeights;
import org.exporters4j.checkpoint.safetensors.SafetensorsHeader;
import org.exporters4j.checkpoint.torch.TorchCheckpoint;

/**
 * Opens a checkpoint's weights. In a folder, the files are chosen as Transformers' {@code from_pretrained} does
 * (safetensors first): {@code model.safetensors}, {@code model.safetensors.index.json}, {@code pytorch_model.bin},
 * {@code pytorch_model.bin.index.json}, then TF's {@code tf_model.h5} (read as PyTorch weights, as {@code from_tf=True}
 * loads it; that needs the {@code config.json} beside it). A single file is recognised by its content, not its name.
 */
public final class Checkpoints {
    /** Flax weights: recognised so the error can say they are not read yet (Transformers' names). */
    private static final List<String> UNSUPPORTED_WEIGHT_FILES = List.of(
            "flax_model.msgpack", "flax_model.msgpack.index.json");
    private static final int NAMES_SHOWN = 8;

    private Checkpoints() {}

    /** The weights in a checkpoint folder, in the first format present (see the class comment). */
    public static Weights openWeights(Path folder) {
        requireFolder(folder);
        for (WeightsFormat format : WeightsFormat.values()) {
            Path found = find(folder, format);
            if (found != null) {
                return open(found);
            }
        }
        List<String> lookedFor = new ArrayList<>();
        for (WeightsFormat format : WeightsFormat.values()) {
            lookedFor.addAll(format.fileNames());
        }
        throw new CheckpointException("no weights in " + folder + ": looked for " + String.join(", ", lookedFor)
                + unsupportedNote(folder) + "; the folder holds " + listing(folder)
                + ". Point at the folder save_pretrained wrote, or download the model's weights into it");
    }

    /**
     * The weights of one format in a checkpoint folder (single file first, then a sharded index), whatever other
     * formats it also holds.
     */
    public static Weights openWeights(Path folder, WeightsFormat format) {
        requireFolder(folder);
        Path found = find(folder, format);
        if (found != null) {
            return open(found);
        }
        List<String> others = new ArrayList<>();
        for (WeightsFormat other : WeightsFormat.values()) {
            if (other != format && find(folder, other) != null) {
                others.add(other.name());
            }
        }
        throw new CheckpointException("no " + format + " weights in " + folder + ": looked for "
                + String.join(", ", format.fileNames()) + (others.isEmpty() ? unsupportedNote(folder)
                : "; the folder has " + String.join(" and ", others) + " weights: open those instead")
                + "; the folder holds " + listing(folder));
    }

    /**
     * One weight file, recognised by its content: safetensors, a PyTorch zip or legacy file; or, for a name ending
     * in {@code .index.json}, the sharded checkpoint it indexes. Tensors are named as Transformers names them once
     * loaded ({@link LegacyParameterNames}: {@code LayerNorm.gamma} is read as {@code LayerNorm.weight}).
     */
    public static Weights open(Path file) {
        return LegacyParameterNames.of(open(file, MappedWeights.DEFAULT_WINDOW_BYTES));
    }

    /** As {@link #open(Path)} with a mapping window of {@code windowBytes} (tests use a tiny one). */
    public static Weights open(Path file, long windowBytes) {
        if (file.getFileName() != null && file.getFileName().toString().equals(WeightsFormat.TF_H5.indexFileName())) {
            throw new CheckpointException(file + " indexes a sharded TensorFlow checkpoint, which exporters4j does not"
                    + " read yet; load the model in Transformers with from_tf=True and save_pretrained it to write"
                    + " model.safetensors");
        }
        if (ShardIndex.isIndexName(file)) {
            // a shard is opened as one weight file, never as an index: an index naming itself, or two naming each
            // other, cannot recurse (ShardIndex also refuses index names as shards, to say so plainly)
            return ShardedWeights.open(ShardIndex.read(file), shard -> openWeightFile(shard, windowBytes));
        }
        return openWeightFile(file, windowBytes);
    }

    /** One weight file (not an index), recognised by its content. */
    private static Weights openWeightFile(Path file, long windowBytes) {
        FileChannel channel;
        try {
            channel = FileChannel.open(file, StandardOpenOption.READ);
        } catch (NoSuchFileException e) {
            throw new CheckpointException("weight file not found: " + file, e);
        } catch (IOException e) {
            throw new CheckpointException("cannot open weight file " + file + ": " + e.getMessage(), e);
        }
        try {
            return read(file, channel, windowBytes);
        } catch (RuntimeException e) {
            closeQuietly(channel, e);
            throw e;
        } catch (IOException e) {
            closeQuietly(channel, e);
            throw new CheckpointException("cannot read weight file " + file + ": " + e.getMessage(), e);
        }
    }

    private static Weights read(Path file, FileChannel channel, long windowBytes) throws IOException {
        ByteBuffer start = ByteBuffer.allocate((int) Math.min(channel.size(), 9));
        while (start.hasRemaining() && channel.read(start, start.position()) >= 0) {
            // positional reads until the first bytes are in
        }
        byte[] magic = new byte[start.flip().remaining()];
        start.get(magic);
        // safetensors first: a header of 640 to 1535 bytes starts with 0x80 0x02..0x05, which looks like a pickle's
        // protocol opcode, while no torch.save pickle has '{' at byte 8 (it holds torch's magic number there)
        boolean safetensors = SafetensorsHeader.recognises(magic);
        if (!safetensors && TorchCheckpoint.recognises(magic)) {
            return new MappedWeights(WeightsFormat.PYTORCH, file, channel, TorchCheckpoint.read(file, channel),
                    windowBytes);
        }
        String fileName = file.getFileName() == null ? "" : file.getFileName().toString();
        if (safetensors || fileName.endsWith(".safetensors")) {
            // by name too, so that a damaged safetensors file gets the safetensors reader's precise message
            return new MappedWeights(WeightsFormat.SAFETENSORS, file, channel,
                    SafetensorsHeader.read(file, channel).tensors(), windowBytes);
        }
        if (magic.length >= 4 && (magic[0] & 0xff) == 0x89 && magic[1] == 'H' && magic[2] == 'D' && magic[3] == 'F') {
            channel.close(); // the TF reader opens the file itself
            return TensorFlowWeights.open(file, ModelConfig.read(file.resolveSibling("config.json")));
        }
        throw new CorruptCheckpointException(file + " is neither safetensors nor a PyTorch checkpoint (it starts"
                + " with bytes " + hex(magic) + "); pass model.safetensors or pytorch_model.bin as save_pretrained"
                + " writes them");
    }

    private static Path find(Path folder, WeightsFormat format) {
        for (String name : format.fileNames()) {
            Path candidate = folder.resolve(name);
            if (Files.isRegularFile(candidate)) {
                return candidate;
            }
        }
        return null;
    }

    private static void requireFolder(Path folder) {
        if (!Files.isDirectory(folder)) {
            throw new CheckpointException(Files.exists(folder)
                    ? folder + " is a file, not a checkpoint folder; open a single weight file with Checkpoints.open"
                    : "checkpoint folder not found: " + folder + "; pass the folder holding config.json and weights");
        }
    }

    private static String unsupportedNote(Path folder) {
        for (String name : UNSUPPORTED_WEIGHT_FILES) {
            if (Files.exists(folder.resolve(name))) {
                return "; it has " + name + ", which exporters4j does not read yet: load the model in Transformers"
                        + " with from_flax=True and save_pretrained it to write model.safetensors";
            }
        }
        return "";
    }

    private static String listing(Path folder) {
        try (Stream<Path> children = Files.list(folder)) {
            List<String> names = children.map(p -> p.getFileName().toString()).sorted().toList();
            if (names.isEmpty()) {
                return "no files";
            }
            String shown = String.join(", ", names.subList(0, Math.min(NAMES_SHOWN, names.size())));
            return names.size() > NAMES_SHOWN ? shown + " and " + (names.size() - NAMES_SHOWN) + " more" : shown;
        } catch (IOException e) {
            return "files that cannot be listed (" + e.getMessage() + ")";
        }
    }

    private static String hex(byte[] bytes) {
        StringBuilder text = new StringBuilder();
        for (byte b : bytes) {
            text.append(String.format("%02x", b & 0xff));
        }
        String printable = new String(bytes, StandardCharsets.ISO_8859_1).replaceAll("[^\\x20-\\x7e]", ".");
        return text.length() == 0 ? "(empty file)" : text + " \"" + printable + "\"";
    }

    private static void closeQuietly(FileChannel channel, Exception failure) {
        try {
            channel.close();
        } catch (IOException e) {
            failure.addSuppressed(e);
        }
    }
}
