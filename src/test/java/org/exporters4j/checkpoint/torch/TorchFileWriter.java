package org.exporters4j.checkpoint.torch;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.exporters4j.checkpoint.DType;

/**
 * Test side: writes a state dict the way {@code torch.save} lays it out, in the zip format (entries written with the
 * JDK's own ZipOutputStream, an independent zip implementation) or the legacy format, with the pickle opcodes
 * torch's protocol-2 pickler emits (OrderedDict via REDUCE + SETITEMS, {@code _rebuild_tensor_v2}, persistent ids,
 * storages memoized and re-used through BINGET).
 */
final class TorchFileWriter {
    /** A storage: element type and its raw bytes (in the file's byte order). */
    record Storage(DType dtype, byte[] data) {}

    /** A tensor: a view of a storage. */
    record View(String storageKey, long offset, long[] size, long[] stride) {}

    private final Map<String, Storage> storages = new TreeMap<>();
    private final Map<String, View> tensors = new LinkedHashMap<>();
    private final java.util.Set<String> deflatedEntries = new java.util.HashSet<>();
    private final java.util.Set<String> omittedEntries = new java.util.HashSet<>();
    private boolean littleEndian = true;
    private boolean withMetadata;

    TorchFileWriter storage(String key, DType dtype, byte[] data) {
        storages.put(key, new Storage(dtype, data.clone()));
        return this;
    }

    TorchFileWriter tensor(String name, String storageKey, long offset, long[] size, long[] stride) {
        tensors.put(name, new View(storageKey, offset, size.clone(), stride.clone()));
        return this;
    }

    /** A contiguous tensor with a storage of its own, keyed by its position. */
    TorchFileWriter contiguous(String name, DType dtype, long[] size, byte[] data) {
        String key = String.valueOf(storages.size());
        storage(key, dtype, data);
        long[] stride = new long[size.length];
        long step = 1;
        for (int i = size.length - 1; i >= 0; i--) {
            stride[i] = step;
            step *= size[i];
        }
        return tensor(name, key, 0, size, stride);
    }

    /** Deflates the named archive entry (relative to the archive folder, e.g. {@code data/0}). */
    TorchFileWriter deflate(String entry) {
        deflatedEntries.add(entry);
        return this;
    }

    /** Leaves the named archive entry out of the zip (a damaged archive). */
    TorchFileWriter omit(String entry) {
        omittedEntries.add(entry);
        return this;
    }

    /** Marks the file as written on a big-endian machine (storage bytes must then be big-endian). */
    TorchFileWriter bigEndian() {
        littleEndian = false;
        return this;
    }

    /** Adds the {@code _metadata} attribute torch's state_dict() carries, set by BUILD. */
    TorchFileWriter withStateDictMetadata() {
        withMetadata = true;
        return this;
    }

    /** The state-dict pickle; legacy persistent ids have a sixth element (the view, None). */
    byte[] statePickle(boolean legacy) {
        PickleWriter p = new PickleWriter().proto(2);
        p.global("collections", "OrderedDict").emptyTuple().reduce().put(0).mark();
        Map<String, Integer> memo = new HashMap<>();
        int next = 1;
        for (Map.Entry<String, View> entry : tensors.entrySet()) {
            View view = entry.getValue();
            Storage storage = storages.get(view.storageKey());
            p.unicode(entry.getKey()).put(next++);
            p.global("torch._utils", "_rebuild_tensor_v2").put(next++).mark();
            Integer memoized = memo.get(view.storageKey());
            if (memoized != null) {
                p.get(memoized);
            } else {
                p.mark().unicode("storage").global("torch", storage.dtype().torchStorageClass())
                        .unicode(view.storageKey()).unicode("cpu")
                        .integer(storage.data().length / storage.dtype().byteSize());
                if (legacy) {
                    p.none();
                }
                p.tuple().binPersId();
                int index = next++ + 300; // also exercise LONG_BINPUT / LONG_BINGET
                p.put(index);
                memo.put(view.storageKey(), index);
            }
            p.integer(view.offset()).intTuple(view.size()).intTuple(view.stride()).bool(false);
            p.global("collections", "OrderedDict").emptyTuple().reduce();
            p.tuple().reduce();
        }
        p.setItems();
        if (withMetadata) {
            // state_dict()._metadata = OrderedDict({'': {'version': 1}}), pickled as the instance dict
            p.emptyDict().unicode("_metadata").global("collections", "OrderedDict").emptyTuple().reduce()
                    .unicode("").emptyDict().unicode("version").integer(1).setItem().setItem().setItem().build();
        }
        return p.stop().toByteArray();
    }

    /** The torch 1.6+ zip layout under folder {@code archive/}. */
    Path writeZip(Path file, String archive) throws IOException {
        try (OutputStream stream = Files.newOutputStream(file); ZipOutputStream zip = new ZipOutputStream(new java.io.BufferedOutputStream(stream))) {
            entry(zip, archive, "data.pkl", statePickle(false));
            if (!littleEndian) {
                entry(zip, archive, "byteorder", "big".getBytes());
            }
            for (Map.Entry<String, Storage> storage : storages.entrySet()) {
                entry(zip, archive, "data/" + storage.getKey(), storage.getValue().data());
            }
            entry(zip, archive, "version", "3\n".getBytes());
        }
        return file;
    }

    /** The legacy (torch before 1.6) stream: magic, protocol, system info, state dict, keys, storages. */
    Path writeLegacy(Path file) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new PickleWriter().proto(2).long1(new BigInteger("1950a86a20f9469cfc6c", 16)).stop()
                .toByteArray());
        out.writeBytes(new PickleWriter().proto(2).integer(1001).stop().toByteArray());
        out.writeBytes(new PickleWriter().proto(2).emptyDict().put(0).mark()
                .unicode("protocol_version").integer(1001)
                .unicode("little_endian").bool(littleEndian)
                .unicode("type_sizes").emptyDict().put(1).mark().unicode("short").integer(2).unicode("int")
                .integer(4).unicode("long").integer(4).setItems()
                .setItems().stop().toByteArray());
        out.writeBytes(statePickle(true));
        PickleWriter keys = new PickleWriter().proto(2).emptyList().put(0).mark();
        List<String> used = new ArrayList<>(new TreeMap<>(storages).keySet());
        for (String key : used) {
            keys.unicode(key);
        }
        out.writeBytes(keys.appends().stop().toByteArray());
        for (String key : used) {
            Storage storage = storages.get(key);
            ByteBuffer count = ByteBuffer.allocate(8).order(littleEndian ? ByteOrder.LITTLE_ENDIAN
                    : ByteOrder.BIG_ENDIAN);
            count.putLong(storage.data().length / storage.dtype().byteSize());
            out.writeBytes(count.array());
            out.writeBytes(storage.data());
        }
        Files.write(file, out.toByteArray());
        return file;
    }

    private void entry(ZipOutputStream zip, String archive, String name, byte[] data) throws IOException {
        if (omittedEntries.contains(name)) {
            return;
        }
        if (deflatedEntries.contains(name)) {
            ZipEntry entry = new ZipEntry(archive + "/" + name);
            entry.setMethod(ZipEntry.DEFLATED);
            zip.putNextEntry(entry);
            zip.write(data);
            zip.closeEntry();
        } else {
            storedEntry(zip, archive + "/" + name, data);
        }
    }

    /** Writes one uncompressed zip entry (as torch.save writes every record), with the size and CRC it needs. */
    static void storedEntry(ZipOutputStream zip, String fullName, byte[] data) throws IOException {
        ZipEntry entry = new ZipEntry(fullName);
        entry.setMethod(ZipEntry.STORED);
        CRC32 crc = new CRC32();
        crc.update(data);
        entry.setSize(data.length);
        entry.setCompressedSize(data.length);
        entry.setCrc(crc.getValue());
        zip.putNextEntry(entry);
        zip.write(data);
        zip.closeEntry();
    }
}
