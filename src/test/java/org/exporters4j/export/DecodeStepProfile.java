package org.exporters4j.export;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.TreeSet;
import org.exporters4j.onnx.proto.OnnxProto.ModelProto;
import org.exporters4j.onnx.proto.OnnxProto.NodeProto;

/**
 * Benchmark helper (bench/profile-gpt2-decoding.sh, never run by the tests): one decoding step (batch 1, one new
 * token) of several with-past decoder models side by side in ONNX Runtime, at each past length: the latency, measured
 * interleaved (each round runs every model once, in turn, on one thread pool: {@link InterleavedSessions}), and the
 * per-operator time of ONNX Runtime's profiler ({@code SessionOptions.enableProfiling}: the {@code dur} of each node's
 * kernel event, summed by {@code op_name}, per step), and the node counts of the graph ONNX Runtime runs (its optimized model, saved with
 * {@code setOptimizedModelFilePath}). The caches are random, in the layout {@code [batch, heads, past, head_dim]}.
 *
 * <p>Usage: {@code DecodeStepProfile PAST[,PAST...] LABEL=MODEL [LABEL=MODEL...]}; ratios are against the first.
 */
public final class DecodeStepProfile {
    private static final int WARM_UP = 5;
    private static final int ROUNDS = 40;
    private static final int PROFILED = 20;
    private static final ObjectMapper JSON = new ObjectMapper();

    private record Model(String label, Path file) {}

    private DecodeStepProfile() {}

    public static void main(String[] args) throws Exception {
        long[] pasts = Arrays.stream(args[0].split(",")).mapToLong(Long::parseLong).toArray();
        List<Model> models = new ArrayList<>();
        for (int i = 1; i < args.length; i++) {
            String[] parts = args[i].split("=", 2);
            models.add(new Model(parts[0], Path.of(parts[1])));
        }
        OrtEnvironment environment = InterleavedSessions.environment();
        Path work = Files.createTempDirectory("decode-step-profile");
        System.out.println("== nodes of the graph ONNX Runtime runs (its optimized model)");
        List<Map<String, Long>> counts = new ArrayList<>();
        for (Model model : models) {
            counts.add(optimizedNodeCounts(environment, model, work));
        }
        printTable("op", models, counts, "%10d");
        for (long past : pasts) {
            System.out.printf("%n== one decoding step, batch 1, past %d (ONNX Runtime %s, CPU, %d threads)%n", past,
                    environment.getVersion(), Runtime.getRuntime().availableProcessors());
            double[] medians = latency(models, past);
            for (int m = 0; m < models.size(); m++) {
                System.out.printf("%-8s median %8.3f ms   ratio %.3f%n", models.get(m).label(), medians[m],
                        medians[m] / medians[0]);
            }
            List<Map<String, Double>> profiles = new ArrayList<>();
            for (Model model : models) {
                profiles.add(profile(environment, model, past, work));
            }
            System.out.println("per-operator time per step (ms), ONNX Runtime's profiler:");
            printTable("op_name", models, profiles, "%10.3f");
        }
    }

    /** Median milliseconds of one step per model, the models run in turn in each round. */
    private static double[] latency(List<Model> models, long past) throws OrtException {
        try (InterleavedSessions sessions = new InterleavedSessions(
                models.stream().map(model -> model.file().toString()).toList(),
                (environment, session) -> feed(environment, session, past))) {
            return sessions.medians(WARM_UP, ROUNDS);
        }
    }

    /** Milliseconds per step by operator, over {@link #PROFILED} steps after {@link #WARM_UP} uncounted ones. */
    private static Map<String, Double> profile(OrtEnvironment environment, Model model, long past, Path work)
            throws OrtException, IOException {
        Path file;
        try (OrtSession.SessionOptions options = InterleavedSessions.sharedPoolOptions()) {
            options.enableProfiling(work.resolve(model.label() + "-" + past).toString());
            try (OrtSession session = environment.createSession(model.file().toString(), options)) {
                Map<String, OnnxTensor> feed = feed(environment, session, past);
                try {
                    for (int i = 0; i < WARM_UP + PROFILED; i++) {
                        session.run(feed).close();
                    }
                } finally {
                    feed.values().forEach(OnnxTensor::close);
                }
                file = Path.of(session.endProfiling());
            }
        }
        JsonNode events = JSON.readTree(file.toFile());
        List<long[]> runs = new ArrayList<>();
        for (JsonNode event : events) {
            if (event.path("name").asText().equals("model_run")) {
                runs.add(new long[] {event.path("ts").asLong(), event.path("ts").asLong() + event.path("dur").asLong()});
            }
        }
        runs.sort(Comparator.comparingLong(run -> run[0]));
        List<long[]> kept = runs.subList(Math.min(WARM_UP, runs.size()), runs.size());
        Map<String, Double> totals = new TreeMap<>();
        for (JsonNode event : events) {
            if (!event.path("cat").asText().equals("Node") || !event.path("name").asText().endsWith("_kernel_time")) {
                continue;
            }
            long ts = event.path("ts").asLong();
            if (kept.stream().anyMatch(run -> ts >= run[0] && ts <= run[1])) {
                totals.merge(event.path("args").path("op_name").asText(), event.path("dur").asLong() / 1000.0,
                        Double::sum);
            }
        }
        totals.replaceAll((op, micros) -> micros / kept.size());
        totals.put("(all nodes)", totals.values().stream().mapToDouble(Double::doubleValue).sum());
        Files.deleteIfExists(file);
        return totals;
    }

    /** Node counts by op type of ONNX Runtime's optimized graph (the weights written beside it, not parsed). */
    private static Map<String, Long> optimizedNodeCounts(OrtEnvironment environment, Model model, Path work)
            throws OrtException, IOException {
        Path optimized = work.resolve(model.label() + "-optimized.onnx");
        try (OrtSession.SessionOptions options = InterleavedSessions.sharedPoolOptions()) {
            options.setOptimizedModelFilePath(optimized.toString());
            options.addConfigEntry("session.optimized_model_external_initializers_file_name",
                    model.label() + "-optimized.onnx.data");
            options.addConfigEntry("session.optimized_model_external_initializers_min_size_in_bytes", "1024");
            environment.createSession(model.file().toString(), options).close();
        }
        Map<String, Long> counts = new TreeMap<>();
        for (NodeProto node : ModelProto.parseFrom(Files.readAllBytes(optimized)).getGraph().getNodeList()) {
            counts.merge(node.getOpType(), 1L, Long::sum);
        }
        Files.deleteIfExists(optimized);
        Files.deleteIfExists(work.resolve(model.label() + "-optimized.onnx.data"));
        return counts;
    }

    /** input_ids, attention_mask, position_ids (where the graph takes them) and random caches of length past. */
    private static Map<String, OnnxTensor> feed(OrtEnvironment environment, OrtSession session, long past)
            throws OrtException {
        Map<String, OnnxTensor> feed = new LinkedHashMap<>();
        SplittableRandom random = new SplittableRandom(past);
        for (Map.Entry<String, NodeInfo> input : session.getInputInfo().entrySet()) {
            String name = input.getKey();
            long[] declared = ((TensorInfo) input.getValue().getInfo()).getShape();
            switch (name) {
                case "input_ids" -> feed.put(name, OnnxTensor.createTensor(environment, new long[][] {{1234}}));
                case "position_ids" -> feed.put(name, OnnxTensor.createTensor(environment, new long[][] {{past}}));
                case "attention_mask" -> {
                    long[][] ones = new long[1][(int) past + 1];
                    Arrays.fill(ones[0], 1);
                    feed.put(name, OnnxTensor.createTensor(environment, ones));
                }
                default -> {
                    if (!name.startsWith("past_key_values.") || declared.length != 4) {
                        throw new IllegalArgumentException("input " + name + " " + Arrays.toString(declared)
                                + " is not input_ids, attention_mask, position_ids or a [batch, heads, past,"
                                + " head_dim] cache; this helper decodes such decoders only");
                    }
                    long[] shape = {1, declared[1], past, declared[3]};
                    float[] values = new float[(int) (shape[1] * past * shape[3])];
                    for (int i = 0; i < values.length; i++) {
                        values[i] = (float) random.nextDouble(-1, 1);
                    }
                    feed.put(name, OnnxTensor.createTensor(environment, FloatBuffer.wrap(values), shape));
                }
            }
        }
        return feed;
    }

    /** One row per key of any column, the largest first by the first column's value. */
    private static <T extends Comparable<T>> void printTable(String header, List<Model> models,
                                                            List<Map<String, T>> columns, String format) {
        TreeSet<String> keys = new TreeSet<>();
        columns.forEach(column -> keys.addAll(column.keySet()));
        List<String> rows = new ArrayList<>(keys);
        rows.sort(Comparator.comparing((String key) -> {
            T best = null;
            for (Map<String, T> column : columns) {
                T value = column.get(key);
                if (value != null && (best == null || value.compareTo(best) > 0)) {
                    best = value;
                }
            }
            return best;
        }).reversed());
        StringBuilder line = new StringBuilder(String.format("%-34s", header));
        models.forEach(model -> line.append(String.format("%10s", model.label())));
        System.out.println(line);
        for (String key : rows) {
            StringBuilder row = new StringBuilder(String.format("%-34s", key));
            for (Map<String, T> column : columns) {
                T value = column.get(key);
                row.append(value == null ? String.format("%10s", "-") : String.format(format, value));
            }
            System.out.println(row);
        }
    }
}
