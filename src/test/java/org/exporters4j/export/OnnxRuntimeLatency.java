package org.exporters4j.export;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Benchmark helper (bench/export-bert-base.sh, never run by the tests): the ONNX Runtime latency of a text model
 * with {@code input_ids}, {@code attention_mask} and {@code token_type_ids} inputs, at a batch size and sequence
 * length: warm-up runs, then the median and mean of timed runs, in milliseconds.
 *
 * <p>Usage: {@code OnnxRuntimeLatency MODEL BATCH SEQUENCE [RUNS]}.
 */
public final class OnnxRuntimeLatency {
    private OnnxRuntimeLatency() {}

    public static void main(String[] args) throws OrtException {
        String model = args[0];
        int batch = Integer.parseInt(args[1]);
        int sequence = Integer.parseInt(args[2]);
        int runs = args.length > 3 ? Integer.parseInt(args[3]) : 20;
        OrtEnvironment environment = OrtEnvironment.getEnvironment();
        SplittableRandom random = new SplittableRandom(0);
        long[][] ids = new long[batch][sequence];
        long[][] ones = new long[batch][sequence];
        long[][] zeros = new long[batch][sequence];
        for (int b = 0; b < batch; b++) {
            for (int s = 0; s < sequence; s++) {
                ids[b][s] = 1000 + random.nextInt(20000);
                ones[b][s] = 1;
            }
        }
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions();
             OrtSession session = environment.createSession(model, options);
             OnnxTensor inputIds = OnnxTensor.createTensor(environment, ids);
             OnnxTensor attentionMask = OnnxTensor.createTensor(environment, ones);
             OnnxTensor tokenTypeIds = OnnxTensor.createTensor(environment, zeros)) {
            Map<String, OnnxTensor> feed = new LinkedHashMap<>();
            feed.put("input_ids", inputIds);
            feed.put("attention_mask", attentionMask);
            if (session.getInputNames().contains("token_type_ids")) {
                feed.put("token_type_ids", tokenTypeIds);
            }
            for (int i = 0; i < 3; i++) {
                session.run(feed).close();
            }
            double[] millis = new double[runs];
            for (int i = 0; i < runs; i++) {
                long start = System.nanoTime();
                session.run(feed).close();
                millis[i] = (System.nanoTime() - start) / 1e6;
            }
            Arrays.sort(millis);
            double mean = Arrays.stream(millis).average().orElse(Double.NaN);
            System.out.printf("batch %d, sequence %d: median %.1f ms, mean %.1f ms, min %.1f ms (%d runs)%n",
                    batch, sequence, millis[runs / 2], mean, millis[0], runs);
        }
    }
}
