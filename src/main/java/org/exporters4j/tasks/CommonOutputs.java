package org.exporters4j.tasks;

import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.exporters4j.onnx.ElementType;

/**
 * The outputs every ONNX export of a task has, with their dynamic axes, as Optimum v1.5.2's
 * {@code OnnxConfig._TASK_TO_COMMON_OUTPUTS}. One row per task, in Optimum's order.
 */
final class CommonOutputs {
    private static final String BATCH = "batch_size";
    private static final String SEQUENCE = "sequence_length";

    private static final Map<Task, List<DynamicTensor>> ROWS = table(
            row(Task.CAUSAL_LM, output("logits", 0, BATCH, 1, SEQUENCE)),
            row(Task.DEFAULT, output("last_hidden_state", 0, BATCH, 1, SEQUENCE)),
            row(Task.IMAGE_CLASSIFICATION, output("logits", 0, BATCH, 1, SEQUENCE)),
            row(Task.IMAGE_SEGMENTATION, output("logits", 0, BATCH, 1, SEQUENCE),
                    output("pred_boxes", 0, BATCH, 1, SEQUENCE), output("pred_masks", 0, BATCH, 1, SEQUENCE)),
            row(Task.MASKED_IM, output("logits", 0, BATCH, 1, SEQUENCE)),
            row(Task.MASKED_LM, output("logits", 0, BATCH, 1, SEQUENCE)),
            row(Task.MULTIPLE_CHOICE, output("logits", 0, BATCH)),
            row(Task.OBJECT_DETECTION, output("logits", 0, BATCH, 1, SEQUENCE),
                    output("pred_boxes", 0, BATCH, 1, SEQUENCE)),
            row(Task.QUESTION_ANSWERING, output("start_logits", 0, BATCH, 1, SEQUENCE),
                    output("end_logits", 0, BATCH, 1, SEQUENCE)),
            row(Task.SEMANTIC_SEGMENTATION, output("logits", 0, BATCH, 1, "num_labels", 2, "height", 3, "width")),
            row(Task.SEQ2SEQ_LM, output("logits", 0, BATCH, 1, "decoder_sequence_length")),
            row(Task.SEQUENCE_CLASSIFICATION, output("logits", 0, BATCH)),
            row(Task.TOKEN_CLASSIFICATION, output("logits", 0, BATCH, 1, SEQUENCE)),
            // 'batch' and 'sequence', not batch_size / sequence_length: as Optimum v1.5.2 writes this row.
            row(Task.SPEECH2SEQ_LM, output("logits", 0, "batch", 1, "sequence")));

    private CommonOutputs() {}

    static List<DynamicTensor> of(Task task) {
        return ROWS.get(task);
    }

    /** A float output with axes given as index, name, index, name, ... */
    static DynamicTensor output(String name, Object... indexThenName) {
        return new DynamicTensor(name, ElementType.FLOAT, axes(indexThenName));
    }

    static Map<Integer, String> axes(Object... indexThenName) {
        Map<Integer, String> axes = new LinkedHashMap<>();
        for (int i = 0; i < indexThenName.length; i += 2) {
            axes.put((Integer) indexThenName[i], (String) indexThenName[i + 1]);
        }
        return axes;
    }

    private static Map.Entry<Task, List<DynamicTensor>> row(Task task, DynamicTensor... outputs) {
        return Map.entry(task, List.of(outputs));
    }

    @SafeVarargs
    private static Map<Task, List<DynamicTensor>> table(Map.Entry<Task, List<DynamicTensor>>... rows) {
        EnumMap<Task, List<DynamicTensor>> map = new EnumMap<>(Task.class);
        for (Map.Entry<Task, List<DynamicTensor>> row : rows) {
            if (map.put(row.getKey(), row.getValue()) != null) {
                throw new IllegalStateException("duplicate common-outputs row: " + row.getKey());
            }
        }
        if (map.size() != Task.values().length) {
            throw new IllegalStateException("every task needs a common-outputs row");
        }
        return java.util.Collections.unmodifiableMap(map);
    }
}
