package org.exporters4j.checkpoint;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Locale;
import org.exporters4j.checkpoint.folder.Checkpoints;

/**
 * Benchmark, not a test (run by {@code bench/read-safetensors.sh}, never by Surefire): writes a safetensors file of
 * about 1 GB (if absent), then opens it and reads every byte of every tensor through {@link Weights#bytes}, printing
 * the time and the Java heap used, to show that weights stay off the heap.
 *
 * <p>Usage: {@code SafetensorsReadBenchmark <file> [megabytes]}.
 */
public final class SafetensorsReadBenchmark {
    private SafetensorsReadBenchmark() {}

    public static void main(String[] args) throws IOException {
        Path file = Path.of(args.length > 0 ? args[0] : "bench/work/bench.safetensors");
        long megabytes = args.length > 1 ? Long.parseLong(args[1]) : 1024;
        if (!Files.exists(file) || Files.size(file) < megabytes << 20) {
            write(file, megabytes);
        }
        System.gc();
        long heapBefore = heapUsed();
        long start = System.nanoTime();
        long checksum = 0;
        long bytesRead = 0;
        int tensors;
        try (Weights weights = Checkpoints.open(file)) {
            tensors = weights.names().size();
            for (String name : weights.names()) {
                ByteBuffer bytes = weights.bytes(name);
                int limit = bytes.limit() & ~7;
                for (int i = 0; i < limit; i += 8) {
                    checksum += bytes.getLong(i);
                }
                bytesRead += bytes.remaining();
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        long peakHeap = ManagementFactory.getMemoryPoolMXBeans().stream()
                .filter(pool -> pool.getType() == MemoryType.HEAP)
                .mapToLong(pool -> pool.getPeakUsage().getUsed()).sum();
        System.out.printf(Locale.ROOT, "read %d tensors, %.1f MB in %.3f s (%.0f MB/s), checksum %d%n", tensors,
                bytesRead / 1e6, seconds, bytesRead / 1e6 / seconds, checksum);
        System.out.printf(Locale.ROOT, "heap used before %.1f MB, after %.1f MB, peak of the run %.1f MB (max heap %d MB)%n",
                heapBefore / 1e6, heapUsed() / 1e6, peakHeap / 1e6, Runtime.getRuntime().maxMemory() >> 20);
    }

    private static long heapUsed() {
        return ManagementFactory.getMemoryPoolMXBeans().stream().filter(p -> p.getType() == MemoryType.HEAP)
                .map(MemoryPoolMXBean::getUsage).mapToLong(usage -> usage.getUsed()).sum();
    }

    /** Tensors of 4 MiB to 128 MiB of float32, like a transformer's matrices, filled with a cheap pattern. */
    private static void write(Path file, long megabytes) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        long target = megabytes << 20;
        StringBuilder header = new StringBuilder("{\"__metadata__\":{\"format\":\"pt\"}");
        long offset = 0;
        int index = 0;
        while (offset < target) {
            long rows = 1024L << (index % 6); // 4 MiB .. 128 MiB
            long bytes = Math.min(rows * 1024 * 4, target - offset) / 4096 * 4096;
            if (bytes == 0) {
                break;
            }
            header.append(String.format(Locale.ROOT,
                    ",\"model.layers.%d.weight\":{\"dtype\":\"F32\",\"shape\":[%d,1024],\"data_offsets\":[%d,%d]}",
                    index, bytes / 4096, offset, offset + bytes));
            offset += bytes;
            index++;
        }
        header.append('}');
        while ((header.length() + 8) % 8 != 0) {
            header.append(' ');
        }
        byte[] headerBytes = header.toString().getBytes(StandardCharsets.UTF_8);
        try (FileChannel out = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer length = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(headerBytes.length);
            out.write(length.flip());
            out.write(ByteBuffer.wrap(headerBytes));
            ByteBuffer chunk = ByteBuffer.allocateDirect(1 << 22).order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; chunk.remaining() >= 4; i++) {
                chunk.putFloat((i % 1000) * 0.001f);
            }
            for (long written = 0; written < offset; ) {
                chunk.clear().limit((int) Math.min(chunk.capacity(), offset - written));
                while (chunk.hasRemaining()) {
                    written += out.write(chunk);
                }
            }
        }
    }
}
