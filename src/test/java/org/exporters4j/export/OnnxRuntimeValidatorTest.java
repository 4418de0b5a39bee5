package org.exporters4j.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.exporters4j.checkpoint.ModelConfig;
import org.exporters4j.onnx.Dim;
import org.exporters4j.onnx.ElementType;
import org.exporters4j.onnx.ModelWriter;
import org.exporters4j.onnx.OnnxGraphBuilder;
import org.exporters4j.onnx.Shape;
import org.exporters4j.onnx.Value;
import org.exporters4j.onnx.WeightsLocation;
import org.exporters4j.tasks.ExportConfig;
import org.exporters4j.tasks.TasksManager;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The validator on hand-built graphs with bert's default interface: a right graph passes, a wrong batch fails. */
class OnnxRuntimeValidatorTest {
    private static final ExportConfig BERT_DEFAULT =
            TasksManager.getExportConfig(ModelConfig.defaultsFor("bert"), "onnx", "default");

    @TempDir
    Path folder;

    @Test
    void anOutputThatFollowsTheInputsPasses() {
        ValidationReport report = validate(extraRows(0), "right");
        assertTrue(report.passed(), report.format());
    }

    @Test
    void anOutputWithOneRowTooManyFailsOnItsBatchAxis() {
        ValidationReport report = validate(extraRows(1), "wrong");
        assertFalse(report.passed(), report.format());
        List<ValidationReport.OutputCheck> shapes = report.mismatches().stream()
                .filter(check -> check.verdict() == ValidationReport.Verdict.SHAPE_MISMATCH).toList();
        assertFalse(shapes.isEmpty(), report.format());
        assertEquals("last_hidden_state", shapes.get(0).output());
    }

    /** last_hidden_state [batch (+ extra), sequence, 1] = the ids as floats, with the first row repeated. */
    private OnnxGraphBuilder extraRows(int extra) {
        OnnxGraphBuilder graph = new OnnxGraphBuilder("main_graph", 11);
        Shape tokens = Shape.of(Dim.symbolic("batch_size"), Dim.symbolic("sequence_length"));
        Value ids = graph.input("input_ids", ElementType.INT64, tokens);
        graph.input("attention_mask", ElementType.INT64, tokens);
        graph.input("token_type_ids", ElementType.INT64, tokens);
        Value rows = graph.unsqueeze(graph.cast(ids, ElementType.FLOAT), 2);
        Value hidden = extra == 0 ? graph.identity(rows) : graph.concat(0, rows, graph.slice(rows, 0, 0, extra));
        graph.output("last_hidden_state", hidden, ElementType.FLOAT,
                Shape.of(Dim.symbolic("batch_size"), Dim.symbolic("sequence_length"), Dim.of(1)));
        return graph;
    }

    private ValidationReport validate(OnnxGraphBuilder graph, String name) {
        Path written = new ModelWriter(WeightsLocation.EMBEDDED).write(graph.build(), folder.resolve(name))
                .modelFile();
        return OnnxRuntimeValidator.validate(written, written.toString(), BERT_DEFAULT, 1e-4);
    }
}
