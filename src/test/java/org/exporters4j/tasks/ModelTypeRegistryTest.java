package org.exporters4j.tasks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import org.exporters4j.models.CacheTensor;
import org.junit.jupiter.api.Test;

/** The registry builder: row order kept, duplicates and malformed keys refused. */
class ModelTypeRegistryTest {
    private static final OnnxModelRow BERT = OnnxModelRow.of("BertOnnxConfig", OnnxFamily.TEXT_ENCODER,
            ConfigAttributes.TEXT, ForwardSignature.of("input_ids", "attention_mask"));

    private static ModelTypeRegistry.Row row(String modelType, ExportTask... tasks) {
        return new ModelTypeRegistry.Row(modelType, Exporter.ONNX, BERT, List.of(tasks), RegistrySource.OPTIMUM_1_5_2);
    }

    @Test
    void keepsRowAndTaskOrder() {
        ModelTypeRegistry registry = ModelTypeRegistry.of(List.of(
                row("zeta", ExportTask.of(Task.MASKED_LM), ExportTask.of(Task.DEFAULT)),
                row("alpha", ExportTask.of(Task.DEFAULT))));
        assertEquals(List.of("zeta", "alpha"), registry.modelTypes());
        assertEquals(List.of("zeta", "alpha"), registry.modelTypes(Exporter.ONNX));
        assertEquals(List.of(ExportTask.of(Task.MASKED_LM), ExportTask.of(Task.DEFAULT)),
                new ArrayList<>(registry.tasks("ZETA", Exporter.ONNX).keySet()));
        assertEquals(List.of(Exporter.ONNX), registry.exporters("zeta"));
        assertNull(registry.tasks("beta", Exporter.ONNX));
    }

    @Test
    void refusesDuplicatesAndUnnormalizedKeys() {
        assertThrows(IllegalStateException.class, () -> ModelTypeRegistry.of(List.of(
                row("bert", ExportTask.of(Task.DEFAULT)), row("bert", ExportTask.of(Task.MASKED_LM)))));
        assertThrows(IllegalArgumentException.class, () -> row("gpt_neo", ExportTask.of(Task.DEFAULT)));
        assertThrows(IllegalArgumentException.class, () -> row("Bert", ExportTask.of(Task.DEFAULT)));
        assertThrows(IllegalArgumentException.class,
                () -> row("bert", ExportTask.of(Task.DEFAULT), ExportTask.of(Task.DEFAULT)));
        assertThrows(IllegalArgumentException.class, () -> row("bert"));
        assertThrows(IllegalArgumentException.class, () -> new ModelTypeRegistry.Row("bert", Exporter.ONNX, BERT,
                List.of(ExportTask.of(Task.DEFAULT)), null));
    }

    @Test
    void keepsEachModelTypesSource() {
        ModelTypeRegistry registry = ModelTypeRegistry.of(List.of(row("bert", ExportTask.of(Task.DEFAULT)),
                new ModelTypeRegistry.Row("llama", Exporter.ONNX, BERT, List.of(ExportTask.of(Task.DEFAULT)),
                        RegistrySource.OPTIMUM_1_25_3)));
        assertEquals(RegistrySource.OPTIMUM_1_5_2, registry.source("BERT"));
        assertEquals(RegistrySource.OPTIMUM_1_25_3, registry.source("llama"));
        assertNull(registry.source("gpt2"));
    }

    @Test
    void forwardSignaturesOrderByPrefixAndDropUnclaimedInputs() {
        DynamicTensor ids = OnnxFamily.input("input_ids", CommonOutputs.axes(0, CommonOutputs.BATCH));
        DynamicTensor mask = OnnxFamily.input("attention_mask", CommonOutputs.axes(0, CommonOutputs.BATCH));
        DynamicTensor past0 = DynamicTensor.of(new CacheTensor(CacheTensor.Direction.PAST, 0,
                CacheTensor.Attention.SELF, CacheTensor.Part.KEY), CommonOutputs.axes(0, CommonOutputs.BATCH));
        DynamicTensor past1 = DynamicTensor.of(new CacheTensor(CacheTensor.Direction.PAST, 1,
                CacheTensor.Attention.SELF, CacheTensor.Part.KEY), CommonOutputs.axes(0, CommonOutputs.BATCH));
        DynamicTensor stray = OnnxFamily.input("langs", CommonOutputs.axes(0, CommonOutputs.BATCH));
        ForwardSignature signature = ForwardSignature.of("input_ids", "past_key_values", "attention_mask");
        assertEquals(List.of(ids, past0, past1, mask), signature.order(List.of(mask, past0, ids, past1, stray)));
        assertThrows(IllegalArgumentException.class, () -> ForwardSignature.of("a", "a"));
    }
}
