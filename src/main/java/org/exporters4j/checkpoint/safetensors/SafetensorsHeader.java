package org.exporters4j.checkpoint.safetensors;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
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
 * <p>The file is untrusted. As the reference Rust crate ({@code safetensors} {@code Metadata::validate}), the
 * header length is capped at 100 MB and must fit the file, every dtype must be known, every shape a list of
 * non-negative integers, {@code end - begin} must equal elements times element size, and ranges may not overlap or
 * leave the data area. Unlike the crate, unused bytes between ranges are tolerated: they cannot alias any tensor.
 *
 * @param tensors where each tensor lies in the file, sorted by name
 * @param metadata the {@code __metadata__} strings (e.g. {@code format: pt}), sorted by key
 */
public record SafetensorsHeader(List<TensorLocation> tensors, SortedMap<String, String> metadata) {
    /** The reference crate's MAX_HEADER_SIZE. */
    public static final long MAX_HEADER_BYTES = 100_000_000L;
    private static final String METADATA_KEY = "__metadata__";
    private static final ObjectMapper JSON = new ObjectMapper().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

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
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(readFully(channel, 8, (int) headerLength)).toString();
        } catch (CharacterCodingException e) {
            throw corrupt(file, "has a header that is not UTF-8 text");
        }
        JsonNode root;
        try {
            root = JSON.readTree(text);
        } catch (JacksonException e) {
            throw corrupt(file, "has a header that is not valid JSON (" + e.getOriginalMessage() + ")");
        }
        if (root == null || !root.isObject()) {
            throw corrupt(file, "has a header that is not a JSON object of tensors");
        }
        long dataStart = 8 + headerLength;
        long dataLength = fileSize - dataStart;
        SortedMap<String, String> metadata = new TreeMap<>();
        List<Range> ranges = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            if (field.getKey().equals(METADATA_KEY)) {
                readMetadata(file, field.getValue(), metadata);
            } else {
                ranges.add(readTensor(file, field.getKey(), field.getValue(), dataLength));
            }
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

    private static Range readTensor(Path file, String name, JsonNode entry, long dataLength) {
        if (!entry.isObject()) {
            throw corrupt(file, "describes tensor '" + name + "' as " + abbreviate(entry)
                    + " instead of {dtype, shape, data_offsets}");
        }
        JsonNode dtypeNode = entry.get("dtype");
        if (dtypeNode == null || !dtypeNode.isTextual()) {
            throw corrupt(file, "gives tensor '" + name + "' no dtype string");
        }
        Optional<DType> dtype = DType.fromSafetensorsName(dtypeNode.asText());
        if (dtype.isEmpty()) {
            throw new CorruptCheckpointException(file + ": tensor '" + name + "' has dtype \"" + dtypeNode.asText()
                    + "\", which exporters4j does not read (it reads " + DType.safetensorsNames() + "); convert the"
                    + " checkpoint to one of those types");
        }
        List<Long> shape = nonNegativeIntegers(file, name, "shape", entry.get("shape"));
        List<Long> offsets = nonNegativeIntegers(file, name, "data_offsets", entry.get("data_offsets"));
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

    private static void readMetadata(Path file, JsonNode node, SortedMap<String, String> metadata) {
        if (node.isNull()) {
            return;
        }
        if (!node.isObject()) {
            throw corrupt(file, "has a __metadata__ that is not an object of strings");
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            if (!field.getValue().isTextual()) {
                throw corrupt(file, "has __metadata__ entry '" + field.getKey() + "' = " + abbreviate(field.getValue())
                        + "; metadata values are strings");
            }
            metadata.put(field.getKey(), field.getValue().asText());
        }
    }

    private static List<Long> nonNegativeIntegers(Path file, String tensor, String key, JsonNode node) {
        if (node == null || !node.isArray()) {
            throw corrupt(file, "gives tensor '" + tensor + "' no " + key + " list");
        }
        List<Long> values = new ArrayList<>(node.size());
        for (JsonNode element : node) {
            if (!element.isIntegralNumber() || !element.canConvertToLong() || element.longValue() < 0) {
                throw corrupt(file, "gives tensor '" + tensor + "' " + key + " " + abbreviate(node)
                        + "; expected non-negative integers");
            }
            values.add(element.longValue());
        }
        return values;
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

    private static String abbreviate(JsonNode node) {
        String text = node.toString();
        return text.length() > 60 ? text.substring(0, 57) + "..." : text;
    }

    private static CorruptCheckpointException corrupt(Path file, String problem) {
        return new CorruptCheckpointException(file + " " + problem + "; it is not a valid safetensors file: download"
                + " or save it again");
    }
}
