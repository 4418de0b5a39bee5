package org.exporters4j.checkpoint.torch;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.exporters4j.checkpoint.CorruptCheckpointException;
import org.exporters4j.checkpoint.TensorInfo;
import org.exporters4j.checkpoint.TensorLocation;
import org.exporters4j.checkpoint.torch.PythonValues.None;
import org.exporters4j.checkpoint.torch.PythonValues.StorageReference;
import org.exporters4j.checkpoint.torch.PythonValues.StorageType;
import org.exporters4j.checkpoint.torch.PythonValues.TensorReference;
import org.exporters4j.checkpoint.torch.PythonValues.Tuple;

/**
 * A {@code torch.save}d state dict ({@code pytorch_model.bin}), read without Python and without running its pickle.
 * Two layouts, as PyTorch's {@code torch/serialization.py} writes them:
 *
 * <ul>
 *   <li>zip (torch 1.6 and later): {@code <archive>/data.pkl} is the state-dict pickle, whose persistent ids
 *       {@code ('storage', StorageType, key, location, numel)} name records {@code <archive>/data/<key>} holding each
 *       storage's raw bytes; {@code <archive>/byteorder} ({@code little} or {@code big}) is optional. Storages are
 *       memory-mapped where they lie, so they must be stored uncompressed, as torch.save always writes them; a
 *       compressed storage is refused (inflating it would put gigabytes on the heap or need a temporary copy).</li>
 *   <li>legacy (before torch 1.6): five consecutive pickles, the magic number {@code 0x1950a86a20f9469cfc6c}, the
 *       protocol version 1001, the system info ({@code little_endian}), the state dict whose persistent ids are
 *       {@code ('storage', StorageType, key, location, numel, view_metadata)}, and the list of storage keys; then,
 *       in that order, each storage as an 8-byte element count followed by its bytes.</li>
 * </ul>
 *
 * <p>A tensor is {@code torch._utils._rebuild_tensor_v2(storage, storage_offset, size, stride, ...)}: the result
 * is a {@link TensorLocation} with that offset and those strides, so tensors sharing a storage (tied weights) point
 * at the same bytes.
 */
public final class TorchCheckpoint {
    /** {@code torch.serialization.MAGIC_NUMBER}. */
    private static final BigInteger LEGACY_MAGIC = new BigInteger("1950a86a20f9469cfc6c", 16);
    /** {@code torch.serialization.PROTOCOL_VERSION}. */
    private static final long LEGACY_PROTOCOL_VERSION = 1001;
    private static final Pattern PICKLE_ENTRY = Pattern.compile("[^/]+/data\\.pkl");
    /**
     * The most bytes of a state-dict pickle ({@code data.pkl}) read onto the heap. A state dict pickles to about
     * 150 bytes a tensor, so 32 MiB holds over 200,000 tensors, more than {@link Unpickler#MAX_OPCODES} lets run.
     */
    static final long MAX_PICKLE_BYTES = 32L << 20;

    private TorchCheckpoint() {}

    /** Whether a file starting with these bytes is a PyTorch checkpoint: a zip archive or a pickle. */
    public static boolean recognises(byte[] firstBytes) {
        boolean zip = firstBytes.length >= 4 && firstBytes[0] == 'P' && firstBytes[1] == 'K' && firstBytes[2] == 3
                && firstBytes[3] == 4;
        boolean pickle = firstBytes.length >= 2 && (firstBytes[0] & 0xff) == 0x80 && firstBytes[1] >= 2
                && firstBytes[1] <= 5;
        return zip || pickle;
    }

    /** Reads where every tensor of the state dict lies in {@code file}; the data are not read. */
    public static List<TensorLocation> read(Path file, FileChannel channel) throws IOException {
        ByteBuffer start = ZipArchive.readFully(channel, 0, (int) Math.min(channel.size(), 4));
        if (start.remaining() >= 4 && start.getInt(0) == 0x04034b50) {
            return readZip(file, channel);
        }
        if (start.remaining() >= 1 && (start.get(0) & 0xff) == 0x80) {
            return readLegacy(file, channel);
        }
        throw new CorruptCheckpointException(file + " is neither a PyTorch zip checkpoint nor a legacy torch.save"
                + " file; pass the pytorch_model.bin that save_pretrained writes");
    }

    private static List<TensorLocation> readZip(Path file, FileChannel channel) throws IOException {
        ZipArchive archive = ZipArchive.read(file, channel);
        List<String> pickles = archive.entries().keySet().stream().filter(n -> PICKLE_ENTRY.matcher(n).matches())
                .toList();
        if (pickles.size() != 1) {
            throw new CorruptCheckpointException(file + " is a zip archive but has " + (pickles.isEmpty() ? "no"
                    : pickles.size()) + " '<archive>/data.pkl' entries " + pickles + "; a torch.save checkpoint has"
                    + " exactly one: re-save the state dict with torch.save or save_pretrained");
        }
        String pickleName = pickles.get(0);
        String prefix = pickleName.substring(0, pickleName.length() - "data.pkl".length());
        ByteOrder byteOrder = ByteOrder.LITTLE_ENDIAN;
        ZipArchive.Entry byteOrderEntry = archive.entries().get(prefix + "byteorder");
        if (byteOrderEntry != null) {
            String order = StandardCharsets.US_ASCII.decode(archive.content(byteOrderEntry, 16)).toString().trim();
            byteOrder = switch (order) {
                case "little" -> ByteOrder.LITTLE_ENDIAN;
                case "big" -> ByteOrder.BIG_ENDIAN;
                default -> throw new CorruptCheckpointException(file + ": record " + byteOrderEntry.name() + " says '"
                        + order + "'; expected 'little' or 'big'");
            };
        }
        String source = file + " (" + pickleName + ")";
        ByteBuffer pickle = archive.content(archive.entries().get(pickleName), MAX_PICKLE_BYTES);
        Object stateDict = Unpickler.load(pickle, source, pid -> zipStorage(source, pid));

        List<TensorLocation> locations = new ArrayList<>();
        for (Map.Entry<String, TensorReference> tensor : tensors(source, stateDict).entrySet()) {
            StorageReference storage = tensor.getValue().storage();
            ZipArchive.Entry record = archive.entries().get(prefix + "data/" + storage.key());
            if (record == null) {
                throw new CorruptCheckpointException(file + ": tensor '" + tensor.getKey() + "' uses storage '"
                        + storage.key() + "' but the archive has no record " + prefix + "data/" + storage.key()
                        + "; the file is incomplete: download or save it again");
            }
            if (record.method() != ZipArchive.STORED || record.isEncrypted()) {
                throw new CorruptCheckpointException(file + ": storage record " + record.name() + " is "
                        + (record.isEncrypted() ? "encrypted" : "compressed (zip method " + record.method() + ")")
                        + "; torch.save stores storages uncompressed so they can be memory-mapped: re-save the"
                        + " checkpoint with torch.save (or re-zip it without compression, zip -0)");
            }
            locations.add(location(file, tensor.getKey(), tensor.getValue(), archive.dataOffset(record), record.size(),
                    byteOrder));
        }
        return locations;
    }

    private static Object zipStorage(String source, Object persistentId) {
        // ('storage', storage_type, key, location, numel)
        StorageId id = StorageId.of(persistentId, 5).orElseThrow(() -> new CorruptCheckpointException(source
                + ": persistent id " + PythonValues.show(persistentId) + " is not a PyTorch storage ('storage', type,"
                + " key, location, numel); re-save the checkpoint with torch.save"));
        return new StorageReference(id.key(), id.type().dtype(), 0, id.elements());
    }

    /**
     * The fields of a persistent id that names a storage: {@code ('storage', storage_type, key, location, numel, …)},
     * as torch.serialization's {@code persistent_id} writes it.
     */
    private record StorageId(Tuple fields, StorageType type, String key, long elements) {
        /** The storage {@code persistentId} names, if it is such a tuple of {@code size} fields. */
        static Optional<StorageId> of(Object persistentId, int size) {
            if (persistentId instanceof Tuple pid && pid.size() == size && "storage".equals(pid.get(0))
                    && pid.get(1) instanceof StorageType type && pid.get(2) instanceof String key
                    && pid.get(4) instanceof Long elements) {
                return Optional.of(new StorageId(pid, type, key, elements));
            }
            return Optional.empty();
        }
    }

    private static List<TensorLocation> readLegacy(Path file, FileChannel channel) throws IOException {
        long fileSize = channel.size();
        ByteBuffer head = channel.map(FileChannel.MapMode.READ_ONLY, 0, Math.min(fileSize, Integer.MAX_VALUE))
                .order(ByteOrder.LITTLE_ENDIAN);
        String source = file + " (legacy torch.save format)";
        Object magic = Unpickler.load(head, source, Unpickler::refusePersistentId);
        if (!(magic instanceof BigInteger) || !magic.equals(LEGACY_MAGIC)) {
            throw new CorruptCheckpointException(file + " starts with a pickle but not with torch.save's magic number"
                    + " (found " + PythonValues.show(magic) + "); it is not a PyTorch checkpoint");
        }
        Object protocol = Unpickler.load(head, source, Unpickler::refusePersistentId);
        if (!Long.valueOf(LEGACY_PROTOCOL_VERSION).equals(protocol)) {
            throw new CorruptCheckpointException(file + " has torch.save protocol version " + PythonValues.show(protocol)
                    + "; only "
                    + LEGACY_PROTOCOL_VERSION + " exists: re-save the checkpoint with a current torch");
        }
        Object systemInfo = Unpickler.load(head, source, Unpickler::refusePersistentId);
        ByteOrder byteOrder = ByteOrder.LITTLE_ENDIAN;
        if (systemInfo instanceof Map<?, ?> info && Boolean.FALSE.equals(info.get("little_endian"))) {
            byteOrder = ByteOrder.BIG_ENDIAN;
        }
        Map<String, StorageReference> roots = new HashMap<>();
        Object stateDict = Unpickler.load(head, source, pid -> legacyStorage(source, pid, roots));
        Object keys = Unpickler.load(head, source, Unpickler::refusePersistentId);
        if (!(keys instanceof List<?> keyList)) {
            throw new CorruptCheckpointException(source + ": the storage key list is " + PythonValues.show(keys)
                    + ", not a list; the"
                    + " file is damaged: re-save it");
        }

        // each storage: its element count (8 bytes, the writer's byte order), then its bytes
        Map<String, long[]> storageBytes = new HashMap<>();
        long position = head.position();
        for (Object key : keyList) {
            StorageReference root = roots.get(key instanceof String name ? name : null);
            if (root == null) {
                throw new CorruptCheckpointException(source + ": storage " + PythonValues.show(key) + " is listed but"
                        + " no tensor uses"
                        + " it, so its element type is unknown; re-save the checkpoint");
            }
            if (position + 8 > fileSize) {
                throw truncated(file, root.key());
            }
            long elements = ZipArchive.readFully(channel, position, 8).order(byteOrder).getLong(0);
            long length;
            try {
                length = Math.multiplyExact(elements, (long) root.dtype().byteSize());
            } catch (ArithmeticException e) {
                length = -1;
            }
            if (elements < 0 || length < 0 || position + 8 + length > fileSize) {
                throw truncated(file, root.key());
            }
            storageBytes.put(root.key(), new long[] {position + 8, length});
            position += 8 + length;
        }

        List<TensorLocation> locations = new ArrayList<>();
        for (Map.Entry<String, TensorReference> tensor : tensors(source, stateDict).entrySet()) {
            StorageReference storage = tensor.getValue().storage();
            long[] range = storageBytes.get(storage.key());
            if (range == null) {
                throw new CorruptCheckpointException(source + ": tensor '" + tensor.getKey() + "' uses storage '"
                        + storage.key() + "', which the file does not contain; download or save it again");
            }
            locations.add(location(file, tensor.getKey(), tensor.getValue(), range[0], range[1], byteOrder));
        }
        return locations;
    }

    private static Object legacyStorage(String source, Object persistentId, Map<String, StorageReference> roots) {
        // ('storage', storage_type, root_key, location, numel, view_metadata: None | (view_key, offset, size))
        StorageId id = StorageId.of(persistentId, 6).orElseThrow(() -> new CorruptCheckpointException(source
                + ": persistent id " + PythonValues.show(persistentId) + " is not a legacy PyTorch storage ('storage',"
                + " type, key, location, numel, view); re-save the checkpoint"));
        String key = id.key();
        StorageReference root = roots.computeIfAbsent(key, k -> new StorageReference(k, id.type().dtype(), 0,
                id.elements()));
        Object view = id.fields().get(5);
        if (view == None.NONE) {
            return root;
        }
        if (view instanceof Tuple metadata && metadata.size() == 3 && metadata.get(1) instanceof Long offset
                && metadata.get(2) instanceof Long size && offset >= 0 && size >= 0) {
            return new StorageReference(key, id.type().dtype(), offset, size);
        }
        throw new CorruptCheckpointException(source + ": storage '" + key + "' has view metadata "
                + PythonValues.show(view)
                + "; expected (view_key, offset, size)");
    }

    /** The state dict's entries, in file order; every value must be a tensor. */
    private static Map<String, TensorReference> tensors(String source, Object stateDict) {
        if (!(stateDict instanceof Map<?, ?> dict)) {
            throw new CorruptCheckpointException(source + " holds a " + typeName(stateDict) + ", not a state dict"
                    + " (a dict of tensors); save model.state_dict() with save_pretrained");
        }
        Map<String, TensorReference> tensors = new java.util.LinkedHashMap<>();
        for (Map.Entry<?, ?> entry : dict.entrySet()) {
            if (!(entry.getKey() instanceof String name)) {
                throw new CorruptCheckpointException(source + " has a state-dict key " + PythonValues.show(entry.getKey())
                        + " that is"
                        + " not a string; save model.state_dict() with save_pretrained");
            }
            if (!(entry.getValue() instanceof TensorReference tensor)) {
                throw new CorruptCheckpointException(source + ": entry '" + name + "' is a "
                        + typeName(entry.getValue()) + ", not a tensor; the file holds more than a model's state dict"
                        + " (e.g. a training checkpoint): save model.state_dict() with save_pretrained");
            }
            tensors.put(name, tensor);
        }
        return tensors;
    }

    private static TensorLocation location(Path file, String name, TensorReference tensor, long storageStart,
                                           long storageLength, ByteOrder byteOrder) {
        StorageReference storage = tensor.storage();
        try {
            long viewBytes = Math.multiplyExact(Math.addExact(storage.elementOffset(), storage.elementCount()),
                    (long) storage.dtype().byteSize());
            // a tensor may use neither more than the record holds nor more than its storage declares
            long length = Math.min(storageLength, viewBytes);
            TensorInfo info = new TensorInfo(name, storage.dtype(), tensor.size());
            TensorLocation location = new TensorLocation(info, storageStart, length,
                    Math.addExact(storage.elementOffset(), tensor.storageOffset()), tensor.stride(), byteOrder);
            if (info.byteSize() > length) { // inside the storage, yet larger than it
                // strides that repeat elements (stride 0 over a dimension of several) would serve more bytes than
                // the file holds: seven kilobytes of pickle became a gigabyte of model.onnx. Parameters and saved
                // buffers are never such views (an expanded unit axis, as position_ids, repeats nothing).
                throw new CorruptCheckpointException(file + ": tensor '" + name + "' (shape " + info.shape() + ", "
                        + info.dtype() + ", " + info.byteSize() + " bytes) is a view of a storage of only " + length
                        + " bytes: its strides " + tensor.stride() + " repeat elements (an expanded view), which a"
                        + " model's weights never are; save the state dict with contiguous tensors"
                        + " (tensor.contiguous()) or as safetensors");
            }
            return location;
        } catch (IllegalArgumentException | ArithmeticException e) {
            throw new CorruptCheckpointException(file + ": tensor '" + name + "' cannot be placed in its storage: "
                    + e.getMessage() + "; the file is damaged or not written by torch.save: re-save it");
        }
    }

    private static CorruptCheckpointException truncated(Path file, String key) {
        return new CorruptCheckpointException(file + " is truncated: storage '" + key + "' runs past the end of"
                + " the file; download or save the checkpoint again");
    }

    private static String typeName(Object value) {
        if (value instanceof Map) {
            return "dict";
        }
        if (value instanceof List) {
            return "list";
        }
        return value == null ? "nothing" : value.getClass().getSimpleName();
    }
}
