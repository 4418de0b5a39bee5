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

    /**
     * An output axis bound to the inputs' sequence must have its size exactly: one token more in every run fails
     * (a rule keyed on names once let an axis exceed its input's by a constant).
     */
    @Test
    void anOutputWithOneTokenTooManyFailsOnItsSequenceAxis() {
        ValidationReport report = validate(extraTokens(), "extra-token");
        assertFalse(report.passed(), report.format());
        List<ValidationReport.OutputCheck> shapes = report.mismatches().stream()
                .filter(check -> check.verdict() == ValidationReport.Verdict.SHAPE_MISMATCH).toList();
        assertEquals(3, shapes.size(), "the batch, its first example alone, the other shapes: " + report.format());
        assertEquals("[2, 16, 1]", shapes.get(0).expected());
        assertEquals("[2, 17, 1]", shapes.get(0).actual());
    }

    /** The validator reads no axis label for meaning: no label any export configuration uses is spelled in it. */
    @Test
    void theValidatorSpellsNoAxisLabel() throws java.io.IOException {
        String source = java.nio.file.Files.readString(
                Path.of("src/main/java/org/exporters4j/export/OnnxRuntimeValidator.java"));
        java.util.Set<String> labels = new java.util.TreeSet<>();
        for (String modelType : TasksManager.getSupportedModelTypes("onnx")) {
            for (String task : TasksManager.getSupportedTasksForModelType(modelType, "onnx").keySet()) {
                ExportConfig config = TasksManager.getExporterConfigConstructor(modelType, "onnx", task)
                        .create(ModelConfig.defaultsFor(modelType));
                for (var tensor : config.inputs()) {
                    labels.addAll(tensor.dynamicAxes().values());
                }
                for (var tensor : config.outputs()) {
                    labels.addAll(tensor.dynamicAxes().values());
                }
            }
        }
        assertTrue(labels.contains("past_sequence_length + sequence_length"), labels.toString());
        List<String> spelled = labels.stream().filter(label -> source.contains("\"" + label + "\"")).toList();
        assertEquals(List.of(), spelled, "a rule keyed on an axis label belongs in the row's typed axes");
        assertFalse(source.contains("\" + \""), "no sum-form name is split");
    }

    /** BERT's three inputs [batch, sequence]; the ids as floats {@code [batch, sequence, 1]}. */
    private static Value bertInputsAsFloats(OnnxGraphBuilder graph) {
        Shape tokens = Shape.of(Dim.symbolic("batch_size"), Dim.symbolic("sequence_length"));
        Value ids = graph.input("input_ids", ElementType.INT64, tokens);
        graph.input("attention_mask", ElementType.INT64, tokens);
        graph.input("token_type_ids", ElementType.INT64, tokens);
        return graph.unsqueeze(graph.cast(ids, ElementType.FLOAT), 2);
    }

    /** last_hidden_state [batch, sequence + 1, 1]: the ids as floats, with the first token repeated at the end. */
    private OnnxGraphBuilder extraTokens() {
        OnnxGraphBuilder graph = new OnnxGraphBuilder("main_graph", 11);
        Value rows = bertInputsAsFloats(graph);
        graph.output("last_hidden_state", graph.concat(1, rows, graph.slice(rows, 1, 0, 1)), ElementType.FLOAT,
                Shape.of(Dim.symbolic("batch_size"), Dim.symbolic("sequence_length"), Dim.of(1)));
        return graph;
    }

    /** last_hidden_state [batch (+ extra), sequence, 1] = the ids as floats, with the first row repeated. */
    private OnnxGraphBuilder extraRows(int extra) {
        OnnxGraphBuilder graph = new OnnxGraphBuilder("main_graph", 11);
        Value rows = bertInputsAsFloats(graph);
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
