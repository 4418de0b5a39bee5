package org.exporters4j.export;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtLoggingLevel;
import ai.onnxruntime.OrtSession;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Benchmark helper (bench/profile-gpt2-decoding.sh, and bench/compare-exports.sh with one model per JVM; never run by
 * the tests): ONNX Runtime sessions of several models measured interleaved, each round running every model once, the first to go changing
 * every round; the result is each model's median.
 *
 * <p>All sessions run on one intra-op thread pool, the environment's (one thread per core, per-session threads
 * disabled). With a pool per session, the threads of the session that has just run keep spin-waiting (ONNX Runtime's
 * default) on the cores the next session needs: on the 2-core bench machine that made bert-base at 1 × 128 take
 * 155 ms among three sessions against 122 ms alone, and by different amounts for different graphs, so the ratios of
 * interleaved runs were off by as much as the differences they measure.
 */
final class InterleavedSessions implements AutoCloseable {
    /** The inputs of one model's session. */
    interface Feed {
        Map<String, OnnxTensor> of(OrtEnvironment environment, OrtSession session) throws OrtException;
    }

    private final List<OrtSession> sessions = new ArrayList<>();
    private final List<Map<String, OnnxTensor>> feeds = new ArrayList<>();

    /** Opens a session of each model file, with its inputs from {@code feed}, on {@link #environment}. */
    InterleavedSessions(List<String> files, Feed feed) throws OrtException {
        OrtEnvironment environment = environment();
        try {
            for (String file : files) {
                try (OrtSession.SessionOptions options = sharedPoolOptions()) {
                    sessions.add(environment.createSession(file, options));
                }
                feeds.add(feed.of(environment, sessions.get(sessions.size() - 1)));
            }
        } catch (OrtException | RuntimeException e) {
            close();
            throw e;
        }
    }

    /** The environment of {@link #environment}, created by its first call. */
    private static OrtEnvironment shared;

    /**
     * The process's environment, whose global intra-op pool (one thread per core) every session of
     * {@link #sharedPoolOptions} runs on. The first call creates it (ONNX Runtime refuses threading options for an
     * environment that exists, so later calls return the same one); it must come before any other
     * {@code OrtEnvironment.getEnvironment} of the process, which would create it without the pool.
     */
    static synchronized OrtEnvironment environment() throws OrtException {
        if (shared == null) {
            try (OrtEnvironment.ThreadingOptions threading = new OrtEnvironment.ThreadingOptions()) {
                threading.setGlobalIntraOpNumThreads(Runtime.getRuntime().availableProcessors());
                threading.setGlobalInterOpNumThreads(1);
                shared = OrtEnvironment.getEnvironment(OrtLoggingLevel.ORT_LOGGING_LEVEL_WARNING, "bench", threading);
            }
        }
        return shared;
    }

    /** Options of a session that runs on the environment's pool ({@link #environment}); the caller closes them. */
    static OrtSession.SessionOptions sharedPoolOptions() throws OrtException {
        OrtSession.SessionOptions options = new OrtSession.SessionOptions();
        options.disablePerSessionThreads();
        return options;
    }

    /** The median milliseconds of one run of each model, over {@code rounds} rounds after {@code warmUp} uncounted. */
    double[] medians(int warmUp, int rounds) throws OrtException {
        double[][] millis = new double[sessions.size()][rounds];
        for (int round = -warmUp; round < rounds; round++) {
            for (int turn = 0; turn < sessions.size(); turn++) {
                int m = (turn + Math.max(round, 0)) % sessions.size();
                long start = System.nanoTime();
                sessions.get(m).run(feeds.get(m)).close();
                if (round >= 0) {
                    millis[m][round] = (System.nanoTime() - start) / 1e6;
                }
            }
        }
        double[] medians = new double[sessions.size()];
        for (int m = 0; m < sessions.size(); m++) {
            Arrays.sort(millis[m]);
            medians[m] = millis[m][rounds / 2];
        }
        return medians;
    }

    @Override
    public void close() throws OrtException {
        feeds.forEach(feed -> feed.values().forEach(OnnxTensor::close));
        for (OrtSession session : sessions) {
            session.close();
        }
    }
}
