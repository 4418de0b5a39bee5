package org.exporters4j.export;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Benchmark helper (bench/export-gpt2.sh, never run by the tests): greedy decoding throughput of one exported
 * with-past decoder in ONNX Runtime, batch 1: {@code STEPS} new tokens after a {@code PROMPT}-token prompt, once
 * with the cache (the prompt with an empty past, then one token per step feeding back the present cache) and once
 * without it (the whole sequence each step, through the same graph with an empty past). Prints tokens per second.
 *
 * <p>Usage: {@code DecodeThroughput MODEL PROMPT STEPS}.
 */
public final class DecodeThroughput {
    private DecodeThroughput() {}

    public static void main(String[] args) throws OrtException {
        String model = args[0];
        int prompt = Integer.parseInt(args[1]);
        int steps = Integer.parseInt(args[2]);
        OrtEnvironment environment = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions();
             OrtSession session = environment.createSession(model, options)) {
            List<String> cacheInputs = session.getInputNames().stream()
                    .filter(name -> name.startsWith("past_key_values")).toList();
            long[] cacheShape = ((TensorInfo) session.getInputInfo().get(cacheInputs.get(0)).getInfo()).getShape();
            SplittableRandom random = new SplittableRandom(0);
            long[] promptIds = random.longs(prompt, 1000, 20000).toArray();
            // warm-up
            decode(environment, session, cacheInputs, cacheShape, promptIds, 4, true);
            decode(environment, session, cacheInputs, cacheShape, promptIds, 4, false);
            for (boolean cached : new boolean[] {true, false}) {
                long start = System.nanoTime();
                long[] tokens = decode(environment, session, cacheInputs, cacheShape, promptIds, steps, cached);
                double seconds = (System.nanoTime() - start) / 1e9;
                System.out.printf("%-14s %d tokens after a %d-token prompt: %.2f s, %.1f tokens/s (last token %d)%n",
                        cached ? "with cache:" : "without cache:", steps, prompt, seconds, steps / seconds,
                        tokens[tokens.length - 1]);
            }
        }
    }

    private static long[] decode(OrtEnvironment environment, OrtSession session, List<String> cacheInputs,
                                 long[] cacheShape, long[] promptIds, int steps, boolean cached)
            throws OrtException {
        long[] sequence = promptIds.clone();
        Map<String, OnnxTensor> cache = emptyCache(environment, cacheInputs, cacheShape);
        long[] feedIds = promptIds;
        List<OrtSession.Result> open = new ArrayList<>();
        try {
            for (int step = 0; step < steps; step++) {
                Map<String, OnnxTensor> feed = new LinkedHashMap<>(cache);
                long[] mask = new long[sequence.length];
                Arrays.fill(mask, 1);
                try (OnnxTensor ids = OnnxTensor.createTensor(environment, new long[][] {feedIds});
                     OnnxTensor attention = OnnxTensor.createTensor(environment, new long[][] {mask})) {
                    feed.put("input_ids", ids);
                    feed.put("attention_mask", attention);
                    OrtSession.Result result = session.run(feed);
                    open.add(result);
                    OnnxTensor logits = (OnnxTensor) result.get("logits").orElseThrow();
                    long next = argmaxOfLast(logits);
                    sequence = Arrays.copyOf(sequence, sequence.length + 1);
                    sequence[sequence.length - 1] = next;
                    if (cached) {
                        Map<String, OnnxTensor> present = new LinkedHashMap<>();
                        for (Map.Entry<String, OnnxValue> output : result) {
                            if (output.getKey().startsWith("present.")) {
                                present.put(output.getKey().replace("present.", "past_key_values."),
                                        (OnnxTensor) output.getValue());
                            }
                        }
                        cache = present;
                        feedIds = new long[] {next};
                    } else {
                        feedIds = sequence;
                    }
                }
                if (open.size() > 2) {
                    open.remove(0).close(); // the previous step's presents are no longer needed
                }
            }
            return sequence;
        } finally {
            for (OrtSession.Result result : open) {
                result.close();
            }
        }
    }

    private static Map<String, OnnxTensor> emptyCache(OrtEnvironment environment, List<String> names, long[] shape)
            throws OrtException {
        Map<String, OnnxTensor> cache = new LinkedHashMap<>();
        long[] empty = shape.clone();
        empty[0] = 1;
        empty[2] = 0;
        for (String name : names) {
            cache.put(name, OnnxTensor.createTensor(environment, FloatBuffer.allocate(0), empty));
        }
        return cache;
    }

    private static long argmaxOfLast(OnnxTensor logits) {
        long[] shape = logits.getInfo().getShape();
        int vocab = (int) shape[2];
        FloatBuffer values = logits.getFloatBuffer();
        int offset = (int) ((shape[1] - 1) * vocab);
        int best = 0;
        for (int i = 1; i < vocab; i++) {
            if (values.get(offset + i) > values.get(offset + best)) {
                best = i;
            }
        }
        return best;
    }
}
