package org.exporters4j.tasks;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.exporters4j.onnx.ElementType;

/**
 * The outputs every ONNX export of a task has, with their axes, as Optimum v1.5.2's
 * {@code OnnxConfig._TASK_TO_COMMON_OUTPUTS}. One row per task, in Optimum's order. The labels are Optimum's; where
 * Optimum puts an input's axis name on a dimension the inputs do not size (a label count, an object query, a
 * prediction map), the axis is {@linkplain Axis#labelOnly label only}.
 */
final class CommonOutputs {
    static final Axis BATCH = Axis.of("batch_size", Dimension.BATCH);
    static final Axis SEQUENCE = Axis.of("sequence_length", Dimension.SEQUENCE);
    /** Optimum 1.25.3's count of texts where texts and images are counted apart (the texts' batch axis). */
    static final Axis TEXT_BATCH = Axis.of("text_batch_size", Dimension.BATCH);
    /** The count of images beside {@link #TEXT_BATCH}: its own size, so a label only. */
    static final Axis IMAGE_BATCH = Axis.labelOnly("image_batch_size");
    /** Optimum's "sequence_length" on a dimension that is not the tokens' (labels, queries, channels). */
    private static final Axis NOT_THE_SEQUENCE = Axis.labelOnly("sequence_length");

    private static final Map<Task, List<DynamicTensor>> ROWS = table(
            row(Task.CAUSAL_LM, output("logits", 0, BATCH, 1, SEQUENCE)),
            row(Task.DEFAULT, output("last_hidden_state", 0, BATCH, 1, SEQUENCE)),
            // the label count
            row(Task.IMAGE_CLASSIFICATION, output("logits", 0, BATCH, 1, NOT_THE_SEQUENCE)),
            // DETR's object queries
            row(Task.IMAGE_SEGMENTATION, output("logits", 0, BATCH, 1, NOT_THE_SEQUENCE),
                    output("pred_boxes", 0, BATCH, 1, NOT_THE_SEQUENCE),
                    output("pred_masks", 0, BATCH, 1, NOT_THE_SEQUENCE)),
            // the reconstructed image's channels
            row(Task.MASKED_IM, output("logits", 0, BATCH, 1, NOT_THE_SEQUENCE)),
            row(Task.MASKED_LM, output("logits", 0, BATCH, 1, SEQUENCE)),
            row(Task.MULTIPLE_CHOICE, output("logits", 0, BATCH)),
            row(Task.OBJECT_DETECTION, output("logits", 0, BATCH, 1, NOT_THE_SEQUENCE),
                    output("pred_boxes", 0, BATCH, 1, NOT_THE_SEQUENCE)),
            row(Task.QUESTION_ANSWERING, output("start_logits", 0, BATCH, 1, SEQUENCE),
                    output("end_logits", 0, BATCH, 1, SEQUENCE)),
            // the input's height and width names, though a model predicts at its own resolution (SegFormer: a
            // quarter of the input's)
            row(Task.SEMANTIC_SEGMENTATION, output("logits", 0, BATCH, 1, Axis.labelOnly("num_labels"),
                    2, Axis.labelOnly("height"), 3, Axis.labelOnly("width"))),
            // today's Optimum's audio rows (AudioOnnxConfig's heads); the frame axis keeps the input's label
            row(Task.CTC, output("logits", 0, BATCH, 1, NOT_THE_SEQUENCE)),
            row(Task.AUDIO_CLASSIFICATION, output("logits", 0, BATCH)),
            row(Task.AUDIO_FRAME_CLASSIFICATION, output("logits", 0, BATCH, 1, NOT_THE_SEQUENCE)),
            row(Task.AUDIO_XVECTOR, output("logits", 0, BATCH), output("embeddings", 0, BATCH)),
            row(Task.SEQ2SEQ_LM, output("logits", 0, BATCH, 1,
                    Axis.of("decoder_sequence_length", Dimension.DECODER_SEQUENCE))),
            row(Task.SEQUENCE_CLASSIFICATION, output("logits", 0, BATCH)),
            row(Task.TOKEN_CLASSIFICATION, output("logits", 0, BATCH, 1, SEQUENCE)),
            // 'batch' and 'sequence', not batch_size / sequence_length: as Optimum v1.5.2 writes this row.
            row(Task.SPEECH2SEQ_LM, output("logits", 0, Axis.of("batch", Dimension.BATCH), 1,
                    Axis.of("sequence", Dimension.SEQUENCE))),
            // Optimum 1.25.3's row (v1.5.2 has no such task): texts and images are counted apart
            row(Task.ZERO_SHOT_IMAGE_CLASSIFICATION,
                    output("logits_per_image", 0, IMAGE_BATCH, 1, TEXT_BATCH),
                    output("logits_per_text", 0, TEXT_BATCH, 1, IMAGE_BATCH),
                    output("text_embeds", 0, TEXT_BATCH),
                    output("image_embeds", 0, IMAGE_BATCH)));

    private CommonOutputs() {}

    static List<DynamicTensor> of(Task task) {
        return ROWS.get(task);
    }

    /** A float output with its axes. */
    static DynamicTensor output(String name, Map<Integer, Axis> axes) {
        return new DynamicTensor(name, ElementType.FLOAT, axes);
    }

    static DynamicTensor output(String name, int index, Axis axis) {
        return output(name, axes(index, axis));
    }

    static DynamicTensor output(String name, int index, Axis axis, int index2, Axis axis2) {
        return output(name, axes(index, axis, index2, axis2));
    }

    static DynamicTensor output(String name, int index, Axis axis, int index2, Axis axis2, int index3, Axis axis3,
            int index4, Axis axis4) {
        return output(name, axes(index, axis, index2, axis2, index3, axis3, index4, axis4));
    }

    /** Axes by dimension index, in index order. */
    static Map<Integer, Axis> axes(int index, Axis axis) {
        return Map.of(index, axis);
    }

    static Map<Integer, Axis> axes(int index, Axis axis, int index2, Axis axis2) {
        return Map.of(index, axis, index2, axis2);
    }

    static Map<Integer, Axis> axes(int index, Axis axis, int index2, Axis axis2, int index3, Axis axis3) {
        return Map.of(index, axis, index2, axis2, index3, axis3);
    }

    static Map<Integer, Axis> axes(int index, Axis axis, int index2, Axis axis2, int index3, Axis axis3, int index4,
            Axis axis4) {
        return Map.of(index, axis, index2, axis2, index3, axis3, index4, axis4);
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
