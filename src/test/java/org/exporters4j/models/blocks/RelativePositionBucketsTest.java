package org.exporters4j.models.blocks;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import java.nio.LongBuffer;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.LongStream;
import org.exporters4j.onnx.Dim;
import org.exporters4j.onnx.ElementType;
import org.exporters4j.onnx.ModelWriter;
import org.exporters4j.onnx.OnnxGraphBuilder;
import org.exporters4j.onnx.Shape;
import org.exporters4j.onnx.Value;
import org.exporters4j.onnx.WeightsLocation;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * T5's relative position buckets: the values of Transformers' formula (computed independently in float32 with
 * numpy for T5's 32 buckets / 128 and the fixtures' 8 / 16), and the graph's lookup table giving the same bucket
 * for every relative position, far beyond the maximum distance.
 */
class RelativePositionBucketsTest {
    private static final RelativePositionBuckets T5 = new RelativePositionBuckets(32, 128);
    private static final RelativePositionBuckets FIXTURES = new RelativePositionBuckets(8, 16);

    @TempDir
    Path folder;

    @Test
    void bucketsAreTransformersValues() {
        long[] positions = {-1, 0, 1, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65, 127, 128, 129, 1000, -8, -16,
            -128, -1000};
        long[] encoder = {1, 0, 17, 23, 24, 24, 25, 26, 26, 27, 28, 28, 29, 30, 30, 31, 31, 31, 31, 8, 10, 15, 15};
        long[] decoder = {1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 8, 16, 31, 31};
        for (int i = 0; i < positions.length; i++) {
            assertEquals(encoder[i], T5.bucket(positions[i], AttentionDirection.BIDIRECTIONAL),
                    "encoder " + positions[i]);
            assertEquals(decoder[i], T5.bucket(positions[i], AttentionDirection.CAUSAL), "decoder " + positions[i]);
        }
        long[] distances = {15, 16, 17, 20, 31, 32, 33, 63, 64, 65, 100, 127, 128, 129, 5000};
        long[] causal = {15, 16, 16, 17, 21, 21, 21, 26, 26, 26, 30, 31, 31, 31, 31};
        for (int i = 0; i < distances.length; i++) {
            assertEquals(causal[i], T5.bucket(-distances[i], AttentionDirection.CAUSAL), "decoder " + -distances[i]);
        }
        long[] fixtureEncoder = {3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 2, 2, 2, 2, 1, 0, 5, 6, 6, 6, 6, 7, 7, 7,
            7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7};
        long[] fixtureDecoder = {0, 1, 2, 3, 4, 4, 5, 5, 6, 6, 6, 6, 7, 7, 7, 7, 7, 7, 7, 7, 7};
        for (int position = -20; position <= 20; position++) {
            assertEquals(fixtureEncoder[position + 20], FIXTURES.bucket(position, AttentionDirection.BIDIRECTIONAL));
        }
        for (int distance = 0; distance <= 20; distance++) {
            assertEquals(fixtureDecoder[distance], FIXTURES.bucket(-distance, AttentionDirection.CAUSAL));
        }
    }

    @Test
    void theGraphGivesEveryBucketOfTheFormula() throws Exception {
        long[] positions = LongStream.rangeClosed(-700, 700).toArray();
        for (RelativePositionBuckets buckets : new RelativePositionBuckets[] {T5, FIXTURES,
            new RelativePositionBuckets(5, 3), new RelativePositionBuckets(64, 512)}) {
            for (AttentionDirection direction : AttentionDirection.values()) {
                long[] expected = LongStream.of(positions).map(p -> buckets.bucket(p, direction)).toArray();
                assertArrayEquals(expected, runGraph(buckets, direction, positions), buckets + " " + direction);
            }
        }
    }

    private long[] runGraph(RelativePositionBuckets buckets, AttentionDirection direction, long[] positions)
            throws Exception {
        OnnxGraphBuilder graph = new OnnxGraphBuilder("main_graph", 13);
        Value relative = graph.input("relative", ElementType.INT64, Shape.of(Dim.symbolic("n")));
        graph.output("bucket", buckets.apply(graph, relative, direction), ElementType.INT64,
                Shape.of(Dim.symbolic("n")));
        Path out = folder.resolve(buckets.numBuckets() + "-" + buckets.maxDistance() + "-" + direction);
        new ModelWriter(WeightsLocation.AUTOMATIC).write(graph.build(), out);
        OrtEnvironment environment = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions();
             OrtSession session = environment.createSession(out.resolve("model.onnx").toString(), options);
             OnnxTensor input = OnnxTensor.createTensor(environment, LongBuffer.wrap(positions),
                     new long[] {positions.length});
             OrtSession.Result result = session.run(Map.of("relative", input))) {
            LongBuffer buffer = ((OnnxTensor) result.get(0)).getLongBuffer();
            long[] values = new long[buffer.remaining()];
            buffer.get(values);
            return values;
        }
    }
}
