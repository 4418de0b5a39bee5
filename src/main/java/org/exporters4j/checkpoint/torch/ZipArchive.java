package org.exporters4j.checkpoint.torch;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;
import org.exporters4j.checkpoint.CorruptCheckpointException;

/**
 * The central directory of a zip file (as PyTorch's {@code PyTorchStreamWriter} writes it, ZIP64 included), read
 * straight from the file so that each entry's data offset is known and an uncompressed entry can be memory-mapped
 * where it lies. Layout per PKWARE's APPNOTE.TXT: end-of-central-directory record (and its ZIP64 form), central
 * directory headers, and each entry's local header, whose name and extra lengths give the data offset.
 *
 * <p>Every offset and length comes from an untrusted file and is checked against the file before use.
 */
final class ZipArchive {
    static final int STORED = 0;
    static final int DEFLATED = 8;

    private static final int END_SIGNATURE = 0x06054b50;
    private static final int ZIP64_LOCATOR_SIGNATURE = 0x07064b50;
    private static final int ZIP64_END_SIGNATURE = 0x06064b50;
    private static final int CENTRAL_SIGNATURE = 0x02014b50;
    private static final int LOCAL_SIGNATURE = 0x04034b50;
    private static final int END_BYTES = 22;
    private static final int MAX_COMMENT_BYTES = 0xffff;
    /**
     * The most bytes of central directory read (onto the heap): a million entries with names of over 200 bytes.
     */
    static final long MAX_DIRECTORY_BYTES = 256L << 20;
    /**
     * The most entries an archive may list: torch.save writes one per storage and a handful more, and a pickle
     * runs at most {@link Unpickler#MAX_OPCODES} opcodes (about 60,000 tensors). Each entry costs a few hundred
     * bytes of heap once read, so the cap is checked before the directory is read.
     */
    static final long MAX_ENTRIES = 1_000_000;
    /** How much compressed input is read, and how much output is first allocated, at a time when inflating. */
    private static final int INFLATE_PIECE_BYTES = 1 << 16;

    /**
     * One entry.
     *
     * @param name the path inside the archive
     * @param method 0 (stored) or 8 (deflated); others are refused when read
     * @param flags the general purpose bit flags (bit 0: encrypted)
     * @param compressedSize bytes in the file
     * @param size bytes once uncompressed
     * @param localHeaderOffset where the entry's local header starts in the file
     */
    record Entry(String name, int method, int flags, long compressedSize, long size, long localHeaderOffset) {
        boolean isEncrypted() {
            return (flags & 1) != 0;
        }
    }

    private final Path file;
    private final FileChannel channel;
    private final Map<String, Entry> entries;
    private final long directoryOffset;

    private ZipArchive(Path file, FileChannel channel, Map<String, Entry> entries, long directoryOffset) {
        this.file = file;
        this.channel = channel;
        this.entries = Collections.unmodifiableMap(entries);
        this.directoryOffset = directoryOffset;
    }

    /** Entries by name, in directory order. */
    Map<String, Entry> entries() {
        return entries;
    }

    static ZipArchive read(Path file, FileChannel channel) throws IOException {
        long fileSize = channel.size();
        if (fileSize < END_BYTES) {
            throw corrupt(file, "is " + fileSize + " bytes, too short for a zip archive");
        }
        int tailLength = (int) Math.min(fileSize, END_BYTES + MAX_COMMENT_BYTES);
        long tailStart = fileSize - tailLength;
        ByteBuffer tail = readFully(channel, tailStart, tailLength);
        int end = -1;
        for (int at = tailLength - END_BYTES; at >= 0; at--) {
            if (tail.getInt(at) == END_SIGNATURE && at + END_BYTES + (tail.getShort(at + 20) & 0xffff) <= tailLength) {
                end = at;
                break;
            }
        }
        if (end < 0) {
            throw corrupt(file, "has no zip end-of-central-directory record (the file is truncated)");
        }
        long endOffset = tailStart + end;
        long count = tail.getShort(end + 10) & 0xffff;
        long directorySize = Integer.toUnsignedLong(tail.getInt(end + 12));
        long directoryOffset = Integer.toUnsignedLong(tail.getInt(end + 16));
        long directoryEnd = endOffset;
        if (count == 0xffff || directorySize == 0xffffffffL || directoryOffset == 0xffffffffL) {
            if (endOffset < 20) {
                throw corrupt(file, "needs a ZIP64 locator before its end record but has none");
            }
            ByteBuffer locator = readFully(channel, endOffset - 20, 20);
            if (locator.getInt(0) != ZIP64_LOCATOR_SIGNATURE) {
                throw corrupt(file, "needs a ZIP64 locator before its end record but has none");
            }
            long zip64End = locator.getLong(8);
            if (zip64End < 0 || zip64End + 56 > endOffset - 20) {
                throw corrupt(file, "has a ZIP64 end record offset " + zip64End + " outside the file");
            }
            ByteBuffer record = readFully(channel, zip64End, 56);
            if (record.getInt(0) != ZIP64_END_SIGNATURE) {
                throw corrupt(file, "has no ZIP64 end record where its locator points");
            }
            count = record.getLong(32);
            directorySize = record.getLong(40);
            directoryOffset = record.getLong(48);
            directoryEnd = zip64End;
        }
        if (count > MAX_ENTRIES || directorySize > MAX_DIRECTORY_BYTES) {
            throw corrupt(file, "declares a central directory of " + count + " entries in " + directorySize
                    + " bytes, more than the " + MAX_ENTRIES + " entries and " + MAX_DIRECTORY_BYTES + " bytes"
                    + " exporters4j reads (torch.save writes one entry per storage)");
        }
        if (directoryOffset < 0 || directorySize < 0
                || directoryOffset + directorySize > directoryEnd || count < 0 || count > directorySize / 46) {
            throw corrupt(file, "has a central directory (" + count + " entries, " + directorySize + " bytes at "
                    + directoryOffset + ") that does not fit the file");
        }
        ByteBuffer directory = readFully(channel, directoryOffset, (int) directorySize);
        Map<String, Entry> entries = new LinkedHashMap<>();
        int at = 0;
        for (long i = 0; i < count; i++) {
            if (at + 46 > directorySize || directory.getInt(at) != CENTRAL_SIGNATURE) {
                throw corrupt(file, "has a damaged central directory at entry " + i);
            }
            int flags = directory.getShort(at + 8) & 0xffff;
            int method = directory.getShort(at + 10) & 0xffff;
            long compressedSize = Integer.toUnsignedLong(directory.getInt(at + 20));
            long size = Integer.toUnsignedLong(directory.getInt(at + 24));
            int nameLength = directory.getShort(at + 28) & 0xffff;
            int extraLength = directory.getShort(at + 30) & 0xffff;
            int commentLength = directory.getShort(at + 32) & 0xffff;
            long localOffset = Integer.toUnsignedLong(directory.getInt(at + 42));
            int next = at + 46 + nameLength + extraLength + commentLength;
            if (next > directorySize) {
                throw corrupt(file, "has a damaged central directory at entry " + i);
            }
            byte[] nameBytes = new byte[nameLength];
            directory.get(at + 46, nameBytes);
            String name = new String(nameBytes, StandardCharsets.UTF_8);
            // ZIP64 extended information (header 0x0001): only the fields whose 32-bit value is saturated, in order
            int extra = at + 46 + nameLength;
            int extraEnd = extra + extraLength;
            while (extra + 4 <= extraEnd) {
                int id = directory.getShort(extra) & 0xffff;
                int length = directory.getShort(extra + 2) & 0xffff;
                int field = extra + 4;
                if (field + length > extraEnd) {
                    throw corrupt(file, "has a damaged extra field in entry '" + name + "'");
                }
                if (id == 1) {
                    if (size == 0xffffffffL && field + 8 <= extra + 4 + length) {
                        size = directory.getLong(field);
                        field += 8;
                    }
                    if (compressedSize == 0xffffffffL && field + 8 <= extra + 4 + length) {
                        compressedSize = directory.getLong(field);
                        field += 8;
                    }
                    if (localOffset == 0xffffffffL && field + 8 <= extra + 4 + length) {
                        localOffset = directory.getLong(field);
                    }
                }
                extra += 4 + length;
            }
            if (size < 0 || compressedSize < 0 || localOffset < 0 || localOffset + 30 > directoryOffset) {
                throw corrupt(file, "entry '" + name + "' has a local header offset " + localOffset
                        + " or sizes outside the file");
            }
            if (method == STORED && compressedSize != size) {
                throw corrupt(file, "entry '" + name + "' is stored but declares " + compressedSize + " bytes in"
                        + " the file and " + size + " uncompressed");
            }
            if (entries.put(name, new Entry(name, method, flags, compressedSize, size, localOffset)) != null) {
                throw corrupt(file, "holds entry '" + name + "' twice");
            }
            at = next;
        }
        return new ZipArchive(file, channel, entries, directoryOffset);
    }

    /**
     * Where the entry's (compressed) bytes start: after its local header, whose name and extra field lengths may
     * differ from the central directory's (PyTorch pads the local extra field to align storages). Read on demand,
     * so that opening an archive costs one read per entry used, not per entry listed.
     */
    long dataOffset(Entry entry) throws IOException {
        ByteBuffer local = readFully(channel, entry.localHeaderOffset(), 30);
        if (local.getInt(0) != LOCAL_SIGNATURE) {
            throw corrupt(file, "entry '" + entry.name() + "' has no local header at byte "
                    + entry.localHeaderOffset());
        }
        long dataOffset = entry.localHeaderOffset() + 30 + (local.getShort(26) & 0xffff)
                + (local.getShort(28) & 0xffff);
        if (dataOffset + entry.compressedSize() > directoryOffset) {
            throw corrupt(file, "entry '" + entry.name() + "' (" + entry.compressedSize() + " bytes at " + dataOffset
                    + ") runs past the archive's data into its directory (the file is truncated or damaged)");
        }
        return dataOffset;
    }

    /**
     * The whole content of a small entry (the pickle, the byte order), on the heap; a deflated one is inflated.
     * Nothing declared is trusted: an entry declaring more than {@code maxBytes} is refused unread, a deflated one
     * is read and inflated in pieces into a buffer that grows with what it actually produces, and inflation stops
     * (refused) at the first byte beyond the declared size, so a small entry that inflates to gigabytes costs at
     * most {@code maxBytes}, and one that declares gigabytes costs nothing.
     */
    ByteBuffer content(Entry entry, long maxBytes) throws IOException {
        if (entry.isEncrypted()) {
            throw corrupt(file, "entry '" + entry.name() + "' is encrypted; PyTorch checkpoints never are");
        }
        if (entry.size() > maxBytes) {
            throw corrupt(file, "entry '" + entry.name() + "' declares " + entry.size() + " bytes, more than the "
                    + maxBytes + " exporters4j reads for it");
        }
        if (entry.method() == STORED) {
            return readFully(channel, dataOffset(entry), (int) entry.size());
        }
        if (entry.method() != DEFLATED) {
            throw corrupt(file, "entry '" + entry.name() + "' uses zip compression method " + entry.method()
                    + "; only stored (0) and deflated (8) entries can be read");
        }
        int declared = (int) entry.size();
        long inputStart = dataOffset(entry);
        long inputLength = entry.compressedSize();
        byte[] output = new byte[Math.min(declared, INFLATE_PIECE_BYTES)];
        byte[] spare = new byte[1]; // a byte beyond the declared size, to detect a lie
        ByteBuffer input = ByteBuffer.allocate((int) Math.min(Math.max(inputLength, 1), INFLATE_PIECE_BYTES));
        Inflater inflater = new Inflater(true);
        try {
            long consumed = 0;
            int produced = 0;
            while (!inflater.finished()) {
                if (inflater.needsInput()) {
                    if (consumed == inputLength) {
                        break; // the deflate stream is cut short; reported below
                    }
                    input.clear().limit((int) Math.min(input.capacity(), inputLength - consumed));
                    while (input.hasRemaining()) {
                        if (channel.read(input, inputStart + consumed + input.position()) < 0) {
                            throw new IOException("unexpected end of file in entry '" + entry.name() + "'");
                        }
                    }
                    consumed += input.flip().remaining();
                    inflater.setInput(input);
                }
                if (produced == declared) {
                    if (inflater.inflate(spare) > 0) {
                        throw corrupt(file, "entry '" + entry.name() + "' inflates to more than the " + declared
                                + " bytes its directory declares (a decompression bomb or a damaged archive);"
                                + " stopped there");
                    }
                } else {
                    if (produced == output.length) {
                        output = Arrays.copyOf(output, (int) Math.min(declared, 2L * output.length));
                    }
                    produced += inflater.inflate(output, produced, output.length - produced);
                }
                if (inflater.needsDictionary()) {
                    break;
                }
            }
            if (produced != declared) {
                throw corrupt(file, "entry '" + entry.name() + "' inflates to " + produced + " bytes, not the "
                        + entry.size() + " its header declares");
            }
            if (!inflater.finished()) {
                throw corrupt(file, "entry '" + entry.name() + "' has deflate data that stop before their end (the"
                        + " file is truncated or damaged)");
            }
            return ByteBuffer.wrap(output, 0, produced).slice();
        } catch (DataFormatException e) {
            throw corrupt(file, "entry '" + entry.name() + "' is not valid deflate data (" + e.getMessage() + ")");
        } finally {
            inflater.end();
        }
    }

    static ByteBuffer readFully(FileChannel channel, long position, int length) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
        while (buffer.hasRemaining()) {
            if (channel.read(buffer, position + buffer.position()) < 0) {
                throw new IOException("unexpected end of file at byte " + (position + buffer.position()));
            }
        }
        return buffer.flip().order(ByteOrder.LITTLE_ENDIAN);
    }

    private static CorruptCheckpointException corrupt(Path file, String problem) {
        return new CorruptCheckpointException(file + " " + problem + "; it is not a valid PyTorch zip checkpoint:"
                + " download it again or re-save it with torch.save");
    }
}
