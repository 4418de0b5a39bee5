package org.exporters4j.checkpoint.safetensors;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.CharBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import org.exporters4j.checkpoint.CorruptCheckpointException;
import org.exporters4j.checkpoint.DType;
import org.exporters4j.checkpoint.TensorInfo;
import org.exporters4j.checkpoint.TensorLocation;

/**
 * The header of a safetensors file, checked: an 8-byte little-endian length {@code N}, then {@code N} bytes of
 * UTF-8 JSON mapping each tensor name to {@code {"dtype", "shape", "data_offsets": [begin, end]}} (offsets relative
 * to the data area that follows the header) and an optional {@code "__metadata__"} object of strings.
 *
 * <p>The file is untrusted. As the reference Rust crate ({@code safetensors} {@code read_metadata} and
 * {@code Metadata::validate}), the header length is capped at 100 MB and must fit the file, the header is one JSON
 * object with nothing after it but JSON whitespace (the crate parses it with {@code serde_json::from_str}, which
 * refuses trailing characters; the format pads with spaces), every dtype must be known, every shape a list of
 * non-negative integers, {@code end - begin} must equal elements times element size, and ranges may not overlap or
 * leave the data area. Unlike the crate, unused bytes between ranges are tolerated: they cannot alias any tensor.
 *
 * <p>Memory stays proportional to the tensors kept, not to the header text: the header is validated as UTF-8 and
 * parsed as a token stream (no JSON tree), a shape may have at most {@link TensorInfo#MAX_RANK} dimensions, and a
 * file may hold at most {@link #MAX_TENSORS} tensors, so a 100 MB header of a million empty tensors is refused
 * after reading {@code MAX_TENSORS} small records.
 *
 * @param tensors where each tensor lies in the file, sorted by name
 * @param metadata the {@code __metadata__} strings (e.g. {@code format: pt}), sorted by key
 */
public record SafetensorsHeader(List<TensorLocation> tensors, SortedMap<String, String> metadata) {
    /** The reference crate's MAX_HEADER_SIZE. */
    public static final long MAX_HEADER_BYTES = 100_000_000L;
    /**
     * The most tensors one file may hold. The largest published checkpoints (mixture-of-experts models with hundreds
     * of experts per layer) hold under 100,000 tensors in all their shards together; each kept tensor costs about
     * half a kilobyte of heap, so the cap bounds a header's cost to about 100 MB.
     */
    public static final int MAX_TENSORS = 200_000;
    private static final String METADATA_KEY = "__metadata__";
    private static final JsonFactory JSON = JsonFactory.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();
    private static final int VALIDATION_CHUNK_CHARS = 8192;
    private static final int SHOWN_CHARS = 60;

    public SafetensorsHeader {
        tensors = List.copyOf(tensors);
        metadata = java.util.Collections.unmodifiableSortedMap(new TreeMap<>(metadata));
    }

    /** Whether a file starting with these bytes looks like safetensors (the JSON header opens with a brace). */
    public static boolean recognises(byte[] firstBytes) {
        return firstBytes.length >= 9 && firstBytes[8] == '{';
    }

    /** Reads and checks the header of {@code file} through {@code channel}; the data are not read. */
    public static SafetensorsHeader read(Path file, FileChannel channel) throws IOException {
        long fileSize = channel.size();
        if (fileSize < 8) {
            throw corrupt(file, "is " + fileSize + " bytes, shorter than the 8-byte header length every safetensors"
                    + " file starts with");
        }
        ByteBuffer lengthBytes = readFully(channel, 0, 8).order(ByteOrder.LITTLE_ENDIAN);
        long headerLength = lengthBytes.getLong(0);
        if (headerLength < 2 || headerLength > MAX_HEADER_BYTES) {
            throw corrupt(file, "declares a header of " + Long.toUnsignedString(headerLength) + " bytes; a"
                    + " safetensors header is 2 to " + MAX_HEADER_BYTES + " bytes");
        }
        if (8 + headerLength > fileSize) {
            throw corrupt(file, "is truncated: its header needs " + headerLength + " bytes after the length but the"
                    + " file has " + (fileSize - 8));
        }
        ByteBuffer header = readFully(channel, 8, (int) headerLength);
        requireUtf8(file, header);
        long dataStart = 8 + headerLength;
        long dataLength = fileSize - dataStart;
        SortedMap<String, String> metadata = new TreeMap<>();
        List<Range> ranges = new ArrayList<>();
        try (JsonParser parser = JSON.createParser(header.array(), 0, header.limit())) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                throw corrupt(file, "has a header that is not a JSON object of tensors");
            }
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String key = parser.currentName();
                parser.nextToken();
                if (key.equals(METADATA_KEY)) {
                    readMetadata(file, parser, metadata);
                } else {
                    if (ranges.size() == MAX_TENSORS) {
                        throw corrupt(file, "declares more than " + MAX_TENSORS + " tensors, the most exporters4j"
                                + " reads from one file (no published checkpoint comes near it); if the file is"
                                + " genuine, save it in shards with save_pretrained(max_shard_size=...)");
                    }
                    ranges.add(readTensor(file, key, parser, dataLength));
                }
            }
            requireOnlyPadding(file, header, parser.currentLocation().getByteOffset());
        } catch (JacksonException e) {
            throw corrupt(file, "has a header that is not valid JSON (" + e.getOriginalMessage() + ")");
        }
        ranges.sort(Comparator.comparingLong(Range::begin).thenComparingLong(Range::end));
        Range previous = null;
        for (Range range : ranges) {
            if (range.begin() == range.end()) {
                continue; // an empty tensor occupies no bytes
            }
            if (previous != null && range.begin() < previous.end()) {
                throw corrupt(file, "has overlapping tensors: '" + previous.info().name() + "' (bytes "
                        + previous.begin() + "-" + previous.end() + ") and '" + range.info().name() + "' (bytes "
                        + range.begin() + "-" + range.end() + ")");
            }
            previous = range;
        }
        List<TensorLocation> tensors = new ArrayList<>(ranges.size());
        for (Range range : ranges) {
            tensors.add(TensorLocation.contiguous(range.info(), dataStart + range.begin()));
        }
        tensors.sort(Comparator.comparing(location -> location.info().name()));
        return new SafetensorsHeader(tensors, metadata);
    }

    /** A tensor and its byte range in the data area. */
    private record Range(TensorInfo info, long begin, long end) {}

    /** Reads the tensor entry the parser is at (its value token) and leaves the parser on the entry's last token. */
    private static Range readTensor(Path file, String name, JsonParser parser, long dataLength) throws IOException {
        if (parser.currentToken() != JsonToken.START_OBJECT) {
            throw corrupt(file, "describes tensor '" + name + "' as " + render(parser)
                    + " instead of {dtype, shape, data_offsets}");
        }
        String dtypeName = null;
        List<Long> shape = null;
        List<Long> offsets = null;
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String field = parser.currentName();
            JsonToken value = parser.nextToken();
            switch (field) {
                case "dtype" -> {
                    if (value != JsonToken.VALUE_STRING) {
                        throw corrupt(file, "gives tensor '" + name + "' no dtype string");
                    }
                    dtypeName = parser.getText();
                }
                case "shape" -> shape = nonNegativeIntegers(file, name, "shape", parser, TensorInfo.MAX_RANK);
                case "data_offsets" -> offsets = nonNegativeIntegers(file, name, "data_offsets", parser, 2);
                default -> parser.skipChildren(); // as the crate's serde struct, unknown fields are ignored
            }
        }
        if (dtypeName == null) {
            throw corrupt(file, "gives tensor '" + name + "' no dtype string");
        }
        Optional<DType> dtype = DType.fromSafetensorsName(dtypeName);
        if (dtype.isEmpty()) {
            throw new CorruptCheckpointException(file + ": tensor '" + name + "' has dtype \"" + shorten(dtypeName)
                    + "\", which exporters4j does not read (it reads " + DType.safetensorsNames() + "); convert the"
                    + " checkpoint to one of those types");
        }
        if (shape == null) {
            throw corrupt(file, "gives tensor '" + name + "' no shape list");
        }
        if (offsets == null) {
            throw corrupt(file, "gives tensor '" + name + "' no data_offsets list");
        }
        if (offsets.size() != 2 || offsets.get(0) > offsets.get(1)) {
            throw corrupt(file, "gives tensor '" + name + "' data_offsets " + offsets + "; expected [begin, end] with"
                    + " begin <= end");
        }
        TensorInfo info;
        try {
            info = new TensorInfo(name, dtype.get(), shape);
        } catch (IllegalArgumentException e) {
            throw corrupt(file, "declares an impossible tensor: " + e.getMessage());
        }
        long begin = offsets.get(0);
        long end = offsets.get(1);
        if (end > dataLength) {
            throw corrupt(file, "puts tensor '" + name + "' at data bytes " + begin + "-" + end + " but the data area"
                    + " has " + dataLength + " bytes (the file is truncated or its header is wrong)");
        }
        if (end - begin != info.byteSize()) {
            throw corrupt(file, "gives tensor '" + name + "' " + (end - begin) + " bytes (data_offsets " + offsets
                    + ") but shape " + shape + " of " + dtype.get() + " needs " + info.byteSize());
        }
        return new Range(info, begin, end);
    }

    private static void readMetadata(Path file, JsonParser parser, SortedMap<String, String> metadata)
            throws IOException {
        if (parser.currentToken() == JsonToken.VALUE_NULL) {
            return;
        }
        if (parser.currentToken() != JsonToken.START_OBJECT) {
            throw corrupt(file, "has a __metadata__ that is not an object of strings");
        }
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String key = parser.currentName();
            if (parser.nextToken() != JsonToken.VALUE_STRING) {
                throw corrupt(file, "has __metadata__ entry '" + shorten(key) + "' = " + render(parser)
                        + "; metadata values are strings");
            }
            metadata.put(key, parser.getText());
        }
    }

    /**
     * A JSON list of at most {@code most} non-negative integers, read from the parser's current token; more
     * elements are refused as soon as they are seen (a shape's rank is capped by {@link TensorInfo#MAX_RANK}).
     */
    private static List<Long> nonNegativeIntegers(Path file, String tensor, String key, JsonParser parser, int most)
            throws IOException {
        if (parser.currentToken() != JsonToken.START_ARRAY) {
            throw corrupt(file, "gives tensor '" + tensor + "' no " + key + " list");
        }
        List<Long> values = new ArrayList<>();
        for (JsonToken token = parser.nextToken(); token != JsonToken.END_ARRAY; token = parser.nextToken()) {
            if (values.size() == most) {
                throw corrupt(file, "gives tensor '" + tensor + "' a " + key + " of more than " + most + " values"
                        + (key.equals("shape") ? ", more dimensions than any tensor library allows (NumPy's limit is "
                        + TensorInfo.MAX_RANK + ")" : ""));
            }
            if (token != JsonToken.VALUE_NUMBER_INT || parser.getNumberType() == JsonParser.NumberType.BIG_INTEGER
                    || parser.getLongValue() < 0) {
                throw corrupt(file, "gives tensor '" + tensor + "' " + key + " " + renderRest(values, parser)
                        + "; expected non-negative integers");
            }
            values.add(parser.getLongValue());
        }
        return values;
    }

    /**
     * Checks that the header bytes after the JSON object (from {@code end}) are JSON whitespace only, as
     * {@code serde_json::from_str} requires of the crate's header (safetensors pads it with spaces).
     */
    private static void requireOnlyPadding(Path file, ByteBuffer header, long end) {
        for (int at = (int) end; at < header.limit(); at++) {
            byte b = header.get(at);
            if (b != ' ' && b != '\t' && b != '\n' && b != '\r') {
                throw corrupt(file, "has " + (header.limit() - at) + " bytes after its header's JSON object (from"
                        + " header byte " + at + "); the header is one JSON object, padded with spaces only, as the"
                        + " safetensors crate requires");
            }
        }
    }

    /** Refuses a header that is not UTF-8, decoding it in small pieces so no copy of the text is kept. */
    private static void requireUtf8(Path file, ByteBuffer header) {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = header.duplicate();
        CharBuffer out = CharBuffer.allocate(VALIDATION_CHUNK_CHARS);
        while (true) {
            CoderResult result = decoder.decode(in, out, true);
            if (result.isError()) {
                throw corrupt(file, "has a header that is not UTF-8 text");
            }
            out.clear();
            if (result.isUnderflow()) {
                break;
            }
        }
        if (decoder.flush(out).isError() || in.hasRemaining()) {
            throw corrupt(file, "has a header that is not UTF-8 text");
        }
    }

    /** The parser's current value, compactly and abbreviated, for a message; the value is consumed. */
    private static String render(JsonParser parser) throws IOException {
        JsonToken token = parser.currentToken();
        String text = switch (token) {
            case START_OBJECT -> {
                parser.skipChildren();
                yield "{...}";
            }
            case START_ARRAY -> {
                parser.nextToken();
                yield renderRest(List.of(), parser);
            }
            case VALUE_STRING -> "\"" + parser.getText() + "\"";
            default -> parser.getText();
        };
        return shorten(text);
    }

    /**
     * A list whose elements {@code read} were read and whose current token is the next element: rendered as
     * {@code [a,b,...]}, consuming the rest of the list (abbreviated beyond {@value #SHOWN_CHARS} characters).
     */
    private static String renderRest(List<Long> read, JsonParser parser) throws IOException {
        StringBuilder text = new StringBuilder("[");
        for (Long value : read) {
            append(text, String.valueOf(value));
        }
        for (JsonToken token = parser.currentToken(); token != JsonToken.END_ARRAY; token = parser.nextToken()) {
            if (token == JsonToken.START_ARRAY || token == JsonToken.START_OBJECT) {
                parser.skipChildren();
                append(text, token == JsonToken.START_ARRAY ? "[...]" : "{...}");
            } else {
                append(text, token == JsonToken.VALUE_STRING ? "\"" + parser.getText() + "\"" : parser.getText());
            }
        }
        return shorten(text.append(']').toString());
    }

    private static void append(StringBuilder list, String element) {
        if (list.length() <= SHOWN_CHARS) {
            list.append(list.length() > 1 ? "," : "").append(element);
        }
    }

    private static String shorten(String text) {
        String oneLine = text.replaceAll("\\p{Cntrl}", "?");
        return oneLine.length() > SHOWN_CHARS ? oneLine.substring(0, SHOWN_CHARS - 3) + "..." : oneLine;
    }

    private static ByteBuffer readFully(FileChannel channel, long position, int length) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(length);
        while (buffer.hasRemaining()) {
            if (channel.read(buffer, position + buffer.position()) < 0) {
                throw new IOException("unexpected end of file at byte " + (position + buffer.position()));
            }
        }
        return buffer.flip();
    }

    private static CorruptCheckpointException corrupt(Path file, String problem) {
        return new CorruptCheckpointException(file + " " + problem + "; it is not a valid safetensors file: download"
                + " or save it again");
    }
}
