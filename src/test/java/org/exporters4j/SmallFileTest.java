package org.exporters4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bounded reader of config.json, weights indexes and Hub cache refs, on hostile files the test builds: special
 * files and oversized ones refused before reading, strict UTF-8, exactly one JSON value, Jackson's constraints as
 * one line naming the file.
 */
class SmallFileTest {
    @TempDir
    Path folder;

    private static String refusal(SmallFile kind, Path file) {
        return assertThrows(SmallFile.Refused.class, () -> kind.readJson(file)).getMessage();
    }

    @Test
    void readsARegularFileUnderItsCap() throws Exception {
        Path config = Files.writeString(folder.resolve("config.json"), "{\"model_type\": \"bert\", \"a\": 1, \"a\": 2}\n");
        assertEquals(2, SmallFile.CONFIG.readJson(config).get("a").asInt(), "the last duplicate wins, as in Python");
        Path ref = Files.writeString(folder.resolve("main"), "0123456789abcdef0123456789abcdef01234567\n");
        assertEquals("0123456789abcdef0123456789abcdef01234567\n", SmallFile.HUB_REF.readText(ref));
        assertThrows(NoSuchFileException.class, () -> SmallFile.CONFIG.read(folder.resolve("missing.json")));
    }

    @Test
    void refusesAFolder() throws IOException {
        Path dir = Files.createDirectory(folder.resolve("config.json"));
        assertEquals(dir + " is a folder; a config file must be a regular file", refusal(SmallFile.CONFIG, dir));
    }

    @Test
    void refusesAFifoWithoutOpeningIt() throws Exception {
        Path fifo = folder.resolve("config.json");
        Process mkfifo;
        try {
            mkfifo = new ProcessBuilder("mkfifo", fifo.toString()).start();
        } catch (IOException noMkfifo) {
            assumeTrue(false, "mkfifo is not available");
            return;
        }
        assumeTrue(mkfifo.waitFor() == 0 && Files.exists(fifo), "mkfifo failed");
        // opening a FIFO with no writer would block forever: the refusal must come before any open
        assertEquals(fifo + " is not a regular file (a FIFO, socket or device); a config file must be a regular file",
                refusal(SmallFile.CONFIG, fifo));
    }

    @Test
    void refusesADevice() {
        Path zero = Path.of("/dev/zero");
        assumeTrue(Files.exists(zero), "no /dev/zero");
        assertTrue(refusal(SmallFile.WEIGHTS_INDEX, zero).startsWith("/dev/zero is not a regular file"));
    }

    @Test
    void refusesAFileOverTheCapFromItsSize() throws IOException {
        Path sparse = folder.resolve("config.json");
        try (RandomAccessFile file = new RandomAccessFile(sparse.toFile(), "rw")) {
            file.setLength(3L << 30); // 3 GiB, sparse: nothing is written, nothing may be read
        }
        assertEquals(sparse + " is 3221225472 bytes, over the 16777216-byte cap on a config file (see README, "
                + "Security and limits); it is not a config file a checkpoint needs", refusal(SmallFile.CONFIG, sparse));
        Path ref = Files.writeString(folder.resolve("main"), "x".repeat(4097));
        assertTrue(refusal(SmallFile.HUB_REF, ref).contains("4097 bytes, over the 4096-byte cap on a Hub cache ref"));
    }

    @Test
    void refusesTextThatIsNotUtf8() throws IOException {
        Path latin1 = Files.write(folder.resolve("config.json"),
                "{\"model_type\": \"bert\", \"name\": \"café\"}".getBytes(StandardCharsets.ISO_8859_1));
        assertEquals(latin1 + " is not UTF-8 text: byte 0xE9 at offset 35 is not valid UTF-8 (Transformers reads it "
                + "as UTF-8); re-save it as UTF-8", refusal(SmallFile.CONFIG, latin1));
    }

    @Test
    void refusesContentAfterTheFirstValueAsPythonDoes() throws Exception {
        Path two = Files.writeString(folder.resolve("config.json"), "{\"model_type\": \"bert\"}\n{\"x\": 1}");
        assertEquals(two + " is not valid JSON: more follows its first JSON value (line 1, column 23), which "
                + "Python's json refuses (\"Extra data\"); keep one JSON object in the file",
                refusal(SmallFile.CONFIG, two));
        Path garbage = Files.writeString(folder.resolve("garbage.json"), "{} xyz");
        assertTrue(refusal(SmallFile.CONFIG, garbage).contains("more follows its first JSON value"));
        Path empty = Files.writeString(folder.resolve("empty.json"), "  \n");
        assertEquals(empty + " is not valid JSON: it is empty; re-save it with save_pretrained",
                refusal(SmallFile.CONFIG, empty));
        Path spaces = Files.writeString(folder.resolve("spaces.json"), "{\"a\": 1}  \n\n");
        assertEquals(1, SmallFile.CONFIG.readJson(spaces).get("a").asInt());
    }

    @Test
    void streamConstraintsAreOneLineNamingTheFile() throws Exception {
        Path deep = Files.writeString(folder.resolve("deep.json"),
                "{\"x\": " + "[".repeat(1001) + "]".repeat(1001) + "}");
        String nesting = refusal(SmallFile.CONFIG, deep);
        assertTrue(nesting.startsWith(deep + " is not a JSON file exporters4j reads: Document nesting depth (1001) "
                + "exceeds the maximum allowed (1000)"), nesting);
        assertTrue(!nesting.contains("StreamReadConstraints") && nesting.lines().count() == 1, nesting);
        Path shallowEnough = Files.writeString(folder.resolve("ok.json"),
                "[".repeat(1000) + "]".repeat(1000));
        assertTrue(SmallFile.CONFIG.readJson(shallowEnough).isArray());
        Path number = Files.writeString(folder.resolve("number.json"), "{\"x\": " + "9".repeat(1001) + "}");
        String digits = refusal(SmallFile.CONFIG, number);
        assertTrue(digits.startsWith(number + " is not a JSON file exporters4j reads: Number value length (1001) "
                + "exceeds the maximum allowed (1000)"), digits);
        Path longString = Files.writeString(folder.resolve("string.json"),
                "{\"x\": \"" + "a".repeat(20_000_001) + "\"}");
        String string = refusal(SmallFile.WEIGHTS_INDEX, longString);
        assertTrue(string.startsWith(longString + " is not a JSON file exporters4j reads: String value length "
                + "(20000001) exceeds the maximum allowed (20000000)"), string);
    }

    @Test
    void aWeightsIndexRefusesDuplicateKeys() throws IOException {
        Path index = Files.writeString(folder.resolve("model.safetensors.index.json"),
                "{\"weight_map\": {\"w\": \"a.safetensors\", \"w\": \"b.safetensors\"}}");
        assertTrue(refusal(SmallFile.WEIGHTS_INDEX, index).contains("Duplicate field 'w'"));
    }
}
