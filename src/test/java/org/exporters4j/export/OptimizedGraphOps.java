package org.exporters4j.export;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import org.exporters4j.onnx.proto.OnnxProto.ModelProto;
import org.exporters4j.onnx.proto.OnnxProto.NodeProto;

/**
 * Benchmark helper (bench/compare-exports.sh, never run by the tests): the node counts by operator of the graph
 * ONNX Runtime runs for each model (its optimized model, saved with {@code setOptimizedModelFilePath}, the weights
 * beside it and not parsed), one line per model.
 *
 * <p>Usage: {@code OptimizedGraphOps LABEL=MODEL [LABEL=MODEL...]}.
 */
public final class OptimizedGraphOps {
    private OptimizedGraphOps() {}

    public static void main(String[] args) throws Exception {
        OrtEnvironment environment = OrtEnvironment.getEnvironment();
        Path work = Files.createTempDirectory("optimized-graph-ops");
        for (String arg : args) {
            String[] parts = arg.split("=", 2);
            Path optimized = work.resolve(parts[0] + ".onnx");
            try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
                options.setOptimizedModelFilePath(optimized.toString());
                options.addConfigEntry("session.optimized_model_external_initializers_file_name",
                        parts[0] + ".onnx.data");
                options.addConfigEntry("session.optimized_model_external_initializers_min_size_in_bytes", "1024");
                environment.createSession(parts[1], options).close();
            }
            Map<String, Long> counts = new TreeMap<>();
            for (NodeProto node : ModelProto.parseFrom(Files.readAllBytes(optimized)).getGraph().getNodeList()) {
                counts.merge(node.getOpType(), 1L, Long::sum);
            }
            System.out.println(parts[0] + ": " + counts);
            Files.deleteIfExists(optimized);
            Files.deleteIfExists(work.resolve(parts[0] + ".onnx.data"));
        }
        Files.deleteIfExists(work);
    }
}
