package org.exporters4j;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Locale;
import java.util.Objects;

/**
 * A kind of small file that is read whole into memory (a model's {@code config.json}, a weights index, a Hub cache
 * ref), with the cap on its size: the one bounded reader for every such file, because each comes from an untrusted
 * checkpoint or cache.
 *
 * <p>Contract of {@link #read}: the path must name a regular file (after symbolic links, as Hub cache snapshots
 * are): a folder, a FIFO or a device ({@code /dev/zero}) is refused before it is opened, so nothing blocks or reads
 * forever; a file above {@link #maxBytes} is refused from its size, and the read itself stops one byte past the cap
 * (a file growing while read, or a special file reporting size 0), so memory stays bounded by the cap.
 * {@link #readText} decodes strict UTF-8, as Transformers opens these files ({@code encoding="utf-8"}), and
 * {@link #readJson} parses exactly one JSON value followed only by white space, as Python's {@code json.loads}
 * (a second object after the first is refused), within Jackson's stream constraints (nesting depth 1000, as
 * CPython's recursion limit; a number of at most 1000 characters). A missing file is the caller's to word: it
 * surfaces as {@link java.nio.file.NoSuchFileException}. Every refusal is a {@link Refused} whose message is one
 * complete line naming the file and the problem; callers wrap it once in their own exception type.
 *
 * @param description   what the file is, for messages ("config file")
 * @param maxBytes      the cap on its size
 * @param duplicateKeys what {@link #readJson} does with an object naming a key twice
 */
public record SmallFile(String description, long maxBytes, DuplicateKeys duplicateKeys) {
    /** A JSON object that names a key twice. */
    public enum DuplicateKeys {
        /** The last value wins, as Python's {@code json} (and so Transformers) reads it. */
        LAST_WINS,
        /** Refused: the file is ambiguous (a tensor mapped to two shards). */
        REFUSED
    }

    /**
     * {@code config.json}: 16 MiB. The largest real ones (an {@code id2label} of tens of thousands of classes) are a
     * few MB.
     */
    public static final SmallFile CONFIG = new SmallFile("config file", 16L << 20, DuplicateKeys.LAST_WINS);
    /**
     * A sharded checkpoint's index ({@code model.safetensors.index.json}): 100 MB. An index lists tensor names only;
     * tens of MB would already be a million tensors.
     */
    public static final SmallFile WEIGHTS_INDEX = new SmallFile("weights index", 100_000_000L, DuplicateKeys.REFUSED);
    /** A Hub cache ref ({@code refs/main}): 4 KiB. It holds one 40-character commit sha. */
    public static final SmallFile HUB_REF = new SmallFile("Hub cache ref", 4096, DuplicateKeys.LAST_WINS);

    /** Python's {@code json} module recurses once per nesting level, up to CPython's default recursion limit. */
    static final int MAX_JSON_DEPTH = 1000;

    private static final ObjectMapper JSON = new ObjectMapper(jsonFactory());
    private static final ObjectMapper STRICT_JSON =
            new ObjectMapper(jsonFactory()).enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

    public SmallFile {
        Objects.requireNonNull(description, "description");
        Objects.requireNonNull(duplicateKeys, "duplicateKeys");
        if (maxBytes < 1 || maxBytes > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("a small file's cap is 1 byte to 2 GiB, got " + maxBytes);
        }
    }

    /** A refused file: the message is one line naming the file and what is wrong with it. */
    public static final class Refused extends Exception {
        private static final long serialVersionUID = 1L;
        private final String problem;

        Refused(String source, String problem, Throwable cause) {
            super(source + " is " + problem, cause);
            this.problem = problem;
        }

        /** What is wrong, without the file's name: the message is {@code "<file> is <problem>"}. */
        public String problem() {
            return problem;
        }
    }

    /**
     * The file's bytes.
     *
     * @throws java.nio.file.NoSuchFileException if it does not exist
     * @throws IOException if it cannot be read
     * @throws Refused if it is not a regular file, or larger than the cap
     */
    public byte[] read(Path file) throws IOException, Refused {
        BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
        if (!attributes.isRegularFile()) {
            throw new Refused(file.toString(), (attributes.isDirectory() ? "a folder" : "not a regular file (a FIFO,"
                    + " socket or device)") + "; a " + description + " must be a regular file", null);
        }
        if (attributes.size() > maxBytes) {
            throw tooLarge(file, attributes.size() + " bytes");
        }
        // a check-then-open race could swap in a FIFO; a checkpoint folder is data, not an adversary racing the
        // export, and the bounded read below still holds memory to the cap
        try (InputStream in = Files.newInputStream(file)) {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream((int) Math.min(attributes.size(), maxBytes));
            byte[] buffer = new byte[8192];
            long total = 0;
            for (int n; (n = in.read(buffer, 0, (int) Math.min(buffer.length, maxBytes + 1 - total))) > 0; ) {
                bytes.write(buffer, 0, n);
                total += n;
                if (total > maxBytes) {
                    throw tooLarge(file, "more than " + maxBytes + " bytes (it grew while read)");
                }
            }
            return bytes.toByteArray();
        }
    }

    /**
     * The file's text, decoded as strict UTF-8.
     *
     * @throws Refused as {@link #read}, and if the file is not UTF-8
     */
    public String readText(Path file) throws IOException, Refused {
        return decode(read(file), file.toString());
    }

    /**
     * The file's one JSON value, as {@link #parseJson}.
     *
     * @throws Refused as {@link #readText}, and if the text is not exactly one JSON value
     */
    public JsonNode readJson(Path file) throws IOException, Refused {
        return parse(duplicateKeys == DuplicateKeys.REFUSED ? STRICT_JSON : JSON, readText(file), file.toString());
    }

    /**
     * {@code text} as exactly one JSON value with only white space after it, as Python's {@code json.loads} reads it;
     * {@code source} names it in errors. Empty text is refused too.
     *
     * @throws Refused if the text is not one JSON value, or exceeds a stream constraint
     */
    public static JsonNode parseJson(String text, String source) throws Refused {
        return parse(JSON, text, source);
    }

    private static JsonNode parse(ObjectMapper mapper, String text, String source) throws Refused {
        try (JsonParser parser = mapper.createParser(text)) {
            JsonNode node = mapper.readTree(parser);
            if (node == null || node.isMissingNode()) {
                throw new Refused(source, "not valid JSON: it is empty; re-save it with save_pretrained", null);
            }
            JsonLocation end = parser.currentLocation();
            JsonToken extra;
            try {
                extra = parser.nextToken();
            } catch (JsonProcessingException e) {
                extra = JsonToken.NOT_AVAILABLE;
            }
            if (extra != null) {
                throw new Refused(source, "not valid JSON: more follows its first JSON value" + at(end)
                        + ", which Python's json refuses (\"Extra data\"); keep one JSON object in the file", null);
            }
            return node;
        } catch (StreamConstraintsException e) {
            throw new Refused(source, "not a JSON file exporters4j reads: " + constraint(e) + at(e.getLocation())
                    + "; re-save it with save_pretrained", e);
        } catch (JsonProcessingException e) {
            throw new Refused(source, "not valid JSON" + at(e.getLocation()) + ": " + e.getOriginalMessage()
                    + "; re-save it with save_pretrained or fix the file by hand", e);
        } catch (IOException e) {
            throw new IllegalStateException("parsing a string performs no I/O", e);
        }
    }

    private static JsonFactory jsonFactory() {
        return JsonFactory.builder()
                .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_JSON_DEPTH).build())
                .build();
    }

    /** Strict UTF-8, naming the first byte that is not, and where. */
    static String decode(byte[] bytes, String source) throws Refused {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer out = CharBuffer.allocate(bytes.length);
        CoderResult result = decoder.decode(in, out, true);
        if (!result.isError()) {
            result = decoder.flush(out);
        }
        if (result.isError()) {
            int offset = in.position();
            throw new Refused(source, "not UTF-8 text: byte 0x" + String.format(Locale.ROOT, "%02X",
                    bytes[offset] & 0xff) + " at offset " + offset + " is not valid UTF-8 (Transformers reads it as "
                    + "UTF-8); re-save it as UTF-8", null);
        }
        return out.flip().toString();
    }

    private Refused tooLarge(Path file, String size) {
        return new Refused(file.toString(), size + ", over the " + maxBytes + "-byte cap on a " + description
                + " (see README, Security and limits); it is not a " + description + " a checkpoint needs", null);
    }

    /** Jackson's constraint message without its pointer to the Java API that sets the limit. */
    private static String constraint(StreamConstraintsException e) {
        String message = String.valueOf(e.getOriginalMessage());
        return message.replaceAll(", from `[^`]*`", "").replaceAll("\\s*\\R\\s*", " ").strip();
    }

    private static String at(JsonLocation location) {
        return location == null || location.getLineNr() < 1 ? ""
                : " (line " + location.getLineNr() + ", column " + location.getColumnNr() + ")";
    }
}
