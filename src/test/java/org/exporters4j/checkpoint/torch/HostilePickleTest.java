package org.exporters4j.checkpoint.torch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.Deflater;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.exporters4j.checkpoint.CorruptCheckpointException;
import org.exporters4j.checkpoint.DType;
import org.exporters4j.checkpoint.folder.Checkpoints;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Pickles and zips built to exhaust memory, time or the stack (issue 12, items 7, 10, 11 and 15): each is refused by
 * one of the reader's own counters (bytes inflated, opcodes run, digits, key size, display depth, view size against
 * storage size) with a one-line message naming the file and the limit, instead of an OutOfMemoryError, a hang, a
 * StackOverflowError or a gigabyte of output from a few bytes.
 */
class HostilePickleTest {
    @TempDir
    Path dir;

    private static Object load(byte[] pickle) {
        return Unpickler.load(ByteBuffer.wrap(pickle), "test.pkl", Unpickler::refusePersistentId);
    }

    private static CorruptCheckpointException refused(byte[] pickle) {
        CorruptCheckpointException e = assertThrows(CorruptCheckpointException.class, () -> load(pickle));
        assertTrue(e.getMessage().startsWith("test.pkl: "), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
        return e;
    }

    private static byte[] repeat(int opcode, int times) {
        byte[] bytes = new byte[times];
        java.util.Arrays.fill(bytes, (byte) opcode);
        return bytes;
    }

    @Test
    void aPickleOfDupMemoizeAndMarkOpcodesStopsAtTheOpcodeCap() throws IOException {
        // 1 MB on disk, 9 MB inflated: three million DUP / MEMOIZE / MARK triples would build nine million values
        ByteArrayOutputStream pickle = new ByteArrayOutputStream();
        pickle.writeBytes(new PickleWriter().proto(2).emptyList().toByteArray());
        for (int i = 0; i < 3_000_000; i++) {
            pickle.write('2');
            pickle.write(0x94);
            pickle.write('(');
        }
        Path file = zipWithPickle("pytorch_model.bin", pickle.toByteArray());
        assertTrue(Files.size(file) < pickle.size() / 100, "the bomb is small on disk: " + Files.size(file));
        CorruptCheckpointException e = assertThrows(CorruptCheckpointException.class, () -> Checkpoints.open(file));
        // opcode 1 is PROTO at byte 0, opcode 2 EMPTY_LIST at byte 2, opcode k > 2 at byte k: the 2,000,001st stops
        assertEquals(file + " (archive/data.pkl): the pickle runs more than 2000000 opcodes, more than a state dict of"
                + " 60,000 tensors needs; it is not a model's state dict (if it is genuine, convert it to safetensors"
                + " with Transformers: save_pretrained(..., safe_serialization=True)) (pickle byte 2000001); the"
                + " file is damaged or is not a PyTorch state dict: re-save it with save_pretrained", e.getMessage());
    }

    @Test
    void aDeflatedPickleIsInflatedNoFurtherThanItsDeclaredSizeAndADeclaredGigabyteIsNotAllocated()
            throws IOException {
        byte[] bomb = repeat('2', 8 << 20); // 8 MiB of DUP, deflates to a few kilobytes
        Path file = zipWithPickle("lying.bin", bomb);
        setDeclaredSize(file, "archive/data.pkl", 1000);
        CorruptCheckpointException lie = assertThrows(CorruptCheckpointException.class, () -> Checkpoints.open(file));
        assertEquals(file + " entry 'archive/data.pkl' inflates to more than the 1000 bytes its directory declares (a"
                + " decompression bomb or a damaged archive); stopped there; it is not a valid PyTorch zip checkpoint:"
                + " download it again or re-save it with torch.save", lie.getMessage());

        setDeclaredSize(file, "archive/data.pkl", 1L << 30);
        CorruptCheckpointException huge = assertThrows(CorruptCheckpointException.class, () -> Checkpoints.open(file));
        assertTrue(huge.getMessage().startsWith(file + " entry 'archive/data.pkl' declares 1073741824 bytes, more than"
                + " the " + TorchCheckpoint.MAX_PICKLE_BYTES + " exporters4j reads for it"), huge.getMessage());

        setDeclaredSize(file, "archive/data.pkl", (8 << 20) + 5);
        CorruptCheckpointException short_ = assertThrows(CorruptCheckpointException.class,
                () -> Checkpoints.open(file));
        assertTrue(short_.getMessage().contains("inflates to 8388608 bytes, not the 8388613 its header declares"),
                short_.getMessage());
    }

    @Test
    void textIntegersAreCappedAtCPythonsDigitLimitBeforeParsing() {
        String digits = "7".repeat(Unpickler.MAX_INTEGER_DIGITS);
        assertEquals(new BigInteger("-" + digits), load(text('I', "-" + digits)));
        assertEquals(new BigInteger(digits), load(text('L', digits + "L")));

        // 1.6 million digits took 37 s to parse (BigInteger's text parsing is quadratic)
        CorruptCheckpointException e = refused(text('I', "1".repeat(1_600_000)));
        assertTrue(e.getMessage().startsWith("test.pkl: a text integer of 1600000 digits exceeds the limit of 4300"
                + " digits (CPython's default_max_str_digits)"), e.getMessage());
        assertTrue(refused(text('L', "-" + digits + "1L")).getMessage().contains("of 4301 digits exceeds"));
    }

    @Test
    void binaryIntegersAreCappedAtTheBytesOfAsManyDigits() {
        assertEquals(1786, Unpickler.MAX_INTEGER_BYTES);
        byte[] fits = new byte[Unpickler.MAX_INTEGER_BYTES];
        fits[0] = 1;
        assertEquals(1L, load(long4(fits)));
        CorruptCheckpointException e = refused(long4(new byte[1 << 20]));
        assertTrue(e.getMessage().startsWith("test.pkl: a binary integer of 1048576 bytes exceeds the 1786 bytes of 4300"
                + " decimal digits"), e.getMessage());
    }

    @Test
    void aDeeplyNestedOrUnhashableDictKeyIsRefusedWithoutHashingIt() {
        // {((((None,),),)...): None}, 100,000 deep: hashing the record recursed into a StackOverflowError
        ByteArrayOutputStream deepTuple = new ByteArrayOutputStream();
        deepTuple.writeBytes(new PickleWriter().proto(2).emptyDict().none().toByteArray());
        deepTuple.writeBytes(repeat(0x85, 100_000));
        deepTuple.writeBytes(new PickleWriter().none().setItem().stop().toByteArray());
        assertEquals("test.pkl: a dict key holds more than 64 values ((((((((...),),),),),),)); a state dict's keys are"
                + " names (pickle byte 100005); the file is damaged or is not a PyTorch state dict: re-save it with"
                + " save_pretrained", refused(deepTuple.toByteArray()).getMessage());

        // {[[[...]]]: None}, a list 100,000 deep: a list is unhashable, as in Python
        ByteArrayOutputStream deepList = new ByteArrayOutputStream();
        deepList.writeBytes(new PickleWriter().proto(2).emptyDict().toByteArray());
        deepList.writeBytes(repeat('(', 100_000));
        deepList.write('N');
        deepList.writeBytes(repeat('l', 100_000));
        deepList.writeBytes(new PickleWriter().none().setItem().stop().toByteArray());
        assertEquals("test.pkl: a dict key is ArrayList [[[[[[[...]]]]]]], which is unhashable or never a state-dict key;"
                + " a state dict's keys are names (pickle byte 200005); the file is damaged or is not a PyTorch"
                + " state dict: re-save it with save_pretrained", refused(deepList.toByteArray()).getMessage());

        // a dict of a million entries as a key is refused by its type, not walked
        assertTrue(refused(new PickleWriter().proto(2).emptyDict().emptyDict().none().setItem().stop().toByteArray())
                .getMessage().contains("a dict key is LinkedHashMap {}, which is unhashable"));
    }

    @Test
    void valuesThatContainThemselvesAreShownAsPythonDoesInMessages() {
        // L = []; L.append(L); L(): the message shows L as Python's repr does, [[...]]
        byte[] selfList = new PickleWriter().proto(2).emptyList().put(0).get(0).op('a').get(0).emptyTuple().reduce()
                .stop().toByteArray();
        assertTrue(refused(selfList).getMessage().startsWith("test.pkl: REDUCE calls ArrayList [[...]], which is not"
                + " callable"));

        // L = []; L.append((L,)): the cycle passes through a tuple (ArrayList.toString only stops at itself)
        byte[] throughTuple = new PickleWriter().proto(2).emptyList().put(0).get(0).tuple1().op('a').get(0)
                .emptyTuple().reduce().stop().toByteArray();
        assertTrue(refused(throughTuple).getMessage().startsWith("test.pkl: REDUCE calls ArrayList [([...],)], which is"
                + " not callable"));
        assertEquals(PythonValues.show(new PythonValues.Tuple(java.util.List.of(1L))), "(1,)");
    }

    @Test
    void aViewRepeatingOneFloatIsRefusedSoOutputStaysBackedByTheFile() throws IOException {
        // strides (0, 0) over one float: 4 bytes of storage served as a 4 MB tensor (a 7.5 KB file made 1.1 GB)
        Path file = new TorchFileWriter().storage("0", DType.F32, new byte[4])
                .tensor("w", "0", 0, new long[] {1000, 1000}, new long[] {0, 0}).writeZip(dir.resolve("views.bin"), "a");
        CorruptCheckpointException e = assertThrows(CorruptCheckpointException.class, () -> Checkpoints.open(file));
        assertEquals(file + ": tensor 'w' (shape [1000, 1000], F32, 4000000 bytes) is a view of a storage of only 4"
                + " bytes: its strides [0, 0] repeat elements (an expanded view), which a model's weights never are;"
                + " save the state dict with contiguous tensors (tensor.contiguous()) or as safetensors",
                e.getMessage());

        // a broadcast unit axis (stride 0 on a size-1 dimension, as expand((1, -1)) saves position_ids) is backed
        Path unit = new TorchFileWriter().storage("0", DType.F32, new byte[12])
                .tensor("ids", "0", 0, new long[] {1, 3}, new long[] {0, 1}).writeZip(dir.resolve("unit.bin"), "a");
        try (org.exporters4j.checkpoint.Weights weights = Checkpoints.open(unit)) {
            assertEquals(12, weights.bytes("ids").remaining());
        }
    }

    @Test
    void aZipDeclaringMillionsOfEntriesIsRefusedBeforeItsDirectoryIsRead() throws IOException {
        // a sparse 92 MB file whose ZIP64 end record declares 2,000,000 entries in a 92 MB directory: each entry
        // read costs heap, so the count is checked from the end records alone
        long entries = 2_000_000;
        long directorySize = entries * 46;
        Path file = dir.resolve("entries.bin");
        try (java.io.RandomAccessFile raf = new java.io.RandomAccessFile(file.toFile(), "rw")) {
            raf.setLength(directorySize + 56 + 20 + 22);
            raf.write(new byte[] {'P', 'K', 3, 4});
            ByteBuffer tail = ByteBuffer.allocate(56 + 20 + 22).order(ByteOrder.LITTLE_ENDIAN);
            tail.putInt(0x06064b50).putLong(44).putShort((short) 45).putShort((short) 45).putInt(0).putInt(0)
                    .putLong(entries).putLong(entries).putLong(directorySize).putLong(0); // ZIP64 end record
            tail.putInt(0x07064b50).putInt(0).putLong(directorySize).putInt(1); // its locator
            tail.putInt(0x06054b50).putShort((short) 0).putShort((short) 0).putShort((short) 0xffff)
                    .putShort((short) 0xffff).putInt(-1).putInt(-1).putShort((short) 0); // end record
            raf.seek(directorySize);
            raf.write(tail.array());
        }
        CorruptCheckpointException e = assertThrows(CorruptCheckpointException.class, () -> Checkpoints.open(file));
        assertEquals(file + " declares a central directory of 2000000 entries in 92000000 bytes, more than the 1000000"
                + " entries and 268435456 bytes exporters4j reads (torch.save writes one entry per storage); it is"
                + " not a valid PyTorch zip checkpoint: download it again or re-save it with torch.save",
                e.getMessage());
    }

    private static byte[] text(int opcode, String line) {
        return new PickleWriter().proto(2).op(opcode).raw((line + "\n").getBytes()).stop().toByteArray();
    }

    private static byte[] long4(byte[] littleEndian) {
        return new PickleWriter().proto(2).op(0x8b).int32(littleEndian.length).raw(littleEndian).stop().toByteArray();
    }

    /** A torch zip whose data.pkl is {@code pickle}, deflated. */
    private Path zipWithPickle(String name, byte[] pickle) throws IOException {
        Path file = dir.resolve(name);
        try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(file))) {
            zip.setLevel(Deflater.BEST_COMPRESSION);
            zip.putNextEntry(new ZipEntry("archive/data.pkl"));
            zip.write(pickle);
            zip.closeEntry();
            TorchFileWriter.storedEntry(zip, "archive/version", "3\n".getBytes());
        }
        return file;
    }

    /** Rewrites the uncompressed size the central directory declares for {@code entry} (a lie the test tells). */
    private static void setDeclaredSize(Path file, String entry, long size) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        ByteBuffer zip = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        byte[] name = entry.getBytes();
        for (int at = 0; at + 46 + name.length <= bytes.length; at++) {
            if (zip.getInt(at) == 0x02014b50 && zip.getShort(at + 28) == name.length
                    && java.util.Arrays.equals(bytes, at + 46, at + 46 + name.length, name, 0, name.length)) {
                if (size >= 0xffffffffL) {
                    throw new IllegalArgumentException("the test writes 32-bit sizes only");
                }
                zip.putInt(at + 24, (int) size);
                Files.write(file, bytes);
                return;
            }
        }
        throw new IllegalStateException("no central directory entry " + entry + " in " + file);
    }
}
