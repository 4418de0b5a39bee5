package org.exporters4j.models.deberta;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.LongStream;
import org.exporters4j.checkpoint.DType;
import org.exporters4j.checkpoint.SafetensorsFileWriter;
import org.exporters4j.models.OnnxRuntimeRun;
import org.exporters4j.onnx.ElementType;
import org.exporters4j.onnx.ModelWriter;
import org.exporters4j.onnx.OnnxGraphBuilder;
import org.exporters4j.onnx.Shape;
import org.exporters4j.onnx.Value;
import org.exporters4j.onnx.WeightsLocation;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * DeBERTa-v2's log-bucketed relative positions in the graph against {@code make_log_bucket_position} written out in
 * float32 here, over distances far beyond the fixtures' (which only reach ±6): DeBERTa-v3's 256 buckets over 512
 * positions, the fixtures' 8 over 16, and small odd cases.
 */
class LogBucketsTest {
    @TempDir
    Path folder;

    @ParameterizedTest
    @CsvSource({"256, 512, 700", "8, 16, 40", "3, 5, 12", "2, 2, 6", "9, 100, 150"})
    void graphBucketsMatchTheFormula(int buckets, int maxPosition, int reach) throws Exception {
        long[] distances = LongStream.rangeClosed(-reach, reach).toArray();
        OnnxGraphBuilder graph = new OnnxGraphBuilder("main_graph", 12);
        Value input = graph.input("distances", ElementType.INT64, Shape.fixed(distances.length));
        graph.output("buckets", RelativePositions.logBuckets(graph, input, buckets, maxPosition), ElementType.FLOAT,
                Shape.fixed(distances.length));
        Path model = folder.resolve("model");
        new ModelWriter(WeightsLocation.EMBEDDED).write(graph.build(), model);
        Path inputs = new SafetensorsFileWriter().add("distances", DType.I64, List.of((long) distances.length),
                SafetensorsFileWriter.longs(distances)).write(folder.resolve("inputs.safetensors"));
        Map<String, OnnxRuntimeRun.Output> outputs = OnnxRuntimeRun.run(model.resolve("model.onnx"), inputs);
        float[] actual = outputs.get("buckets").values();
        for (int i = 0; i < distances.length; i++) {
            assertEquals(expected(distances[i], buckets, maxPosition), actual[i], "distance " + distances[i]);
        }
    }

    /** make_log_bucket_position in float32, as torch computes it for one distance. */
    private static float expected(long distance, int buckets, int maxPosition) {
        int mid = buckets / 2;
        long absolute = distance < mid && distance > -mid ? mid - 1 : Math.abs(distance);
        if (absolute <= mid) {
            return distance;
        }
        float ratio = (float) absolute / (float) mid;
        float logMaximum = (float) Math.log((float) ((maxPosition - 1) / (double) mid));
        float scaled = (float) Math.log(ratio) / logMaximum * (float) (mid - 1);
        return ((float) Math.ceil(scaled) + mid) * Math.signum(distance);
    }
}
