package org.exporters4j.checkpoint;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Test side: writes safetensors files as the format defines them (8-byte little-endian header length, JSON header,
 * data), with tensors laid out in insertion order, so the readers are tested on files the tests write.
 */
public final class SafetensorsFileWriter {
    private final Map<String, TestTensor> tensors = new LinkedHashMap<>();
    private final Map<String, String> metadata = new LinkedHashMap<>();

    /** A tensor to write: type, shape and its little-endian bytes. */
    public record TestTensor(DType dtype, List<Long> shape, byte[] data) {}

    public SafetensorsFileWriter add(String name, DType dtype, List<Long> shape, byte[] data) {
        tensors.put(name, new TestTensor(dtype, shape, data.clone()));
        return this;
    }

    public SafetensorsFileWriter metadata(String key, String value) {
        metadata.put(key, value);
        return this;
    }

    public Path write(Path file) throws IOException {
        StringBuilder header = new StringBuilder("{");
        if (!metadata.isEmpty()) {
            header.append("\"__metadata__\":{").append(metadata.entrySet().stream()
                    .map(e -> quote(e.getKey()) + ":" + quote(e.getValue())).collect(Collectors.joining(",")))
                    .append("}");
        }
        ByteArrayOutputStream data = new ByteArrayOutputStream();
        for (Map.Entry<String, TestTensor> entry : tensors.entrySet()) {
            TestTensor tensor = entry.getValue();
            if (header.length() > 1) {
                header.append(",");
            }
            long begin = data.size();
            data.write(tensor.data());
            header.append(quote(entry.getKey())).append(":{\"dtype\":\"").append(tensor.dtype().safetensorsName())
                    .append("\",\"shape\":").append(tensor.shape()).append(",\"data_offsets\":[").append(begin)
                    .append(",").append(data.size()).append("]}");
        }
        header.append("}");
        while (header.length() % 8 != 0) {
            header.append(' '); // safetensors pads its header with spaces
        }
        return writeRaw(file, header.toString(), data.toByteArray());
    }

    /** A file with exactly this header text and data (for corrupt headers). */
    public static Path writeRaw(Path file, String header, byte[] data) throws IOException {
        byte[] headerBytes = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer out = ByteBuffer.allocate(8 + headerBytes.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        out.putLong(headerBytes.length).put(headerBytes).put(data);
        Files.write(file, out.array());
        return file;
    }

    /** Little-endian float32 bytes. */
    public static byte[] floats(float... values) {
        ByteBuffer out = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float value : values) {
            out.putFloat(value);
        }
        return out.array();
    }

    /** Little-endian int64 bytes. */
    public static byte[] longs(long... values) {
        ByteBuffer out = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        for (long value : values) {
            out.putLong(value);
        }
        return out.array();
    }

    /** {@code count} float32 values 0, 1, 2, ... plus {@code base}. */
    public static byte[] ramp(int count, float base) {
        float[] values = new float[count];
        for (int i = 0; i < count; i++) {
            values[i] = base + i;
        }
        return floats(values);
    }

    private static String quote(String text) {
        return "\"" + text.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
