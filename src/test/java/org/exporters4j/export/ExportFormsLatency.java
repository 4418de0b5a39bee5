package org.exporters4j.export;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Benchmark helper (bench/compare-exports.sh, never run by the tests): the ONNX Runtime latency of several exports of
 * one model (its forms: plain, {@code --optimize}, ...) side by side on one workload, measured interleaved (each
 * round runs every export once, the first to go changing every round), as medians with the ratio plain/form (how many
 * times faster than the first export listed), the sessions on one thread pool ({@link InterleavedSessions}).
 *
 * <p>Workloads: {@code text:BxS} (an encoder's {@code input_ids}, {@code attention_mask}, {@code token_type_ids} of
 * batch B and sequence S), {@code step:P} (one decoding step of batch 1 after a random cache of P tokens),
 * {@code prompt:S} (a prompt of S tokens through the with-past graph, empty cache). Caches are
 * {@code [batch, heads, past, head_dim]}, as gpt2's and the Llama family's.
 *
 * <p>bench/compare-exports.sh gives it one model per JVM and keeps the least of several JVMs' medians: the bench
 * machine has slow spells of seconds that slow the forms unequally (see there).
 *
 * <p>Usage: {@code ExportFormsLatency WORKLOAD ROUNDS LABEL=MODEL [LABEL=MODEL...]}.
 */
public final class ExportFormsLatency {
    private static final int WARM_UP = 3;

    private record Workload(String kind, int batch, int sequence, int past) {
        static Workload parse(String text) {
            String[] parts = text.split(":", 2);
            return switch (parts[0]) {
                case "text" -> {
                    String[] size = parts[1].split("x");
                    yield new Workload("text", Integer.parseInt(size[0]), Integer.parseInt(size[1]), 0);
                }
                case "step" -> new Workload("step", 1, 1, Integer.parseInt(parts[1]));
                case "prompt" -> new Workload("prompt", 1, Integer.parseInt(parts[1]), 0);
                default -> throw new IllegalArgumentException("workload " + text
                        + ": use text:BxS, step:PAST or prompt:S");
            };
        }
    }

    private ExportFormsLatency() {}

    public static void main(String[] args) throws OrtException {
        Workload workload = Workload.parse(args[0]);
        int rounds = Integer.parseInt(args[1]);
        List<String> labels = new ArrayList<>();
        List<String> files = new ArrayList<>();
        for (int i = 2; i < args.length; i++) {
            String[] parts = args[i].split("=", 2);
            labels.add(parts[0]);
            files.add(parts[1]);
        }
        try (InterleavedSessions sessions = new InterleavedSessions(files,
                (environment, session) -> feed(environment, session, workload))) {
            double[] medians = sessions.medians(WARM_UP, rounds);
            StringBuilder line = new StringBuilder(String.format("%-14s", args[0]));
            for (int m = 0; m < files.size(); m++) {
                line.append(String.format("  %s %9.2f ms", labels.get(m), medians[m]));
                if (m > 0) {
                    line.append(String.format(" (%.2fx)", medians[0] / medians[m]));
                }
            }
            System.out.println(line);
        }
    }

    /** The inputs the graph declares, for the workload; token ids are random, masks all ones. */
    private static Map<String, OnnxTensor> feed(OrtEnvironment environment, OrtSession session, Workload workload)
            throws OrtException {
        Map<String, OnnxTensor> feed = new LinkedHashMap<>();
        SplittableRandom random = new SplittableRandom(7);
        int batch = workload.batch();
        int sequence = workload.sequence();
        int past = workload.past();
        for (Map.Entry<String, NodeInfo> input : session.getInputInfo().entrySet()) {
            String name = input.getKey();
            long[] declared = ((TensorInfo) input.getValue().getInfo()).getShape();
            switch (name) {
                case "input_ids" -> feed.put(name, longs(environment, batch, sequence,
                        (b, s) -> 100 + random.nextInt(20000)));
                case "token_type_ids" -> feed.put(name, longs(environment, batch, sequence, (b, s) -> 0));
                case "position_ids" -> feed.put(name, longs(environment, batch, sequence, (b, s) -> past + s));
                case "attention_mask" -> feed.put(name, longs(environment, batch,
                        workload.kind().equals("text") ? sequence : past + sequence, (b, s) -> 1));
                default -> {
                    if (!name.startsWith("past_key_values.") || declared.length != 4) {
                        throw new IllegalArgumentException("input " + name + " " + Arrays.toString(declared)
                                + " is not a text input or a [batch, heads, past, head_dim] cache");
                    }
                    long[] shape = {batch, declared[1], past, declared[3]};
                    float[] values = new float[Math.toIntExact(shape[0] * shape[1] * past * shape[3])];
                    for (int i = 0; i < values.length; i++) {
                        values[i] = (float) random.nextDouble(-1, 1);
                    }
                    feed.put(name, OnnxTensor.createTensor(environment, FloatBuffer.wrap(values), shape));
                }
            }
        }
        return feed;
    }

    private interface Cell {
        long at(int batch, int column);
    }

    private static OnnxTensor longs(OrtEnvironment environment, int batch, int columns, Cell cell)
            throws OrtException {
        long[] values = new long[batch * columns];
        for (int b = 0; b < batch; b++) {
            for (int c = 0; c < columns; c++) {
                values[b * columns + c] = cell.at(b, c);
            }
        }
        return OnnxTensor.createTensor(environment, LongBuffer.wrap(values), new long[] {batch, columns});
    }
}
