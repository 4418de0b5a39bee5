package org.exporters4j.tasks;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.exporters4j.models.Past;

/**
 * Every task name exporters4j accepts, one row per name: the canonical names of Optimum v1.5.2 (each task and its
 * {@code -with-past} variant), today's Optimum names that mean one of them (the inverse of today's
 * {@code TasksManager._SYNONYM_TASK_MAP}), and today's names that have no Optimum v1.5.2 equivalent, which are
 * refused with a message that says so. Names are matched whole (case-insensitively); no suffix is ever stripped.
 */
public final class TaskNames {
    /** A name and the export task it stands for; empty for today's names without an Optimum v1.5.2 task. */
    private record Row(String name, Optional<ExportTask> target) {}

    private static final Map<String, Row> ROWS = table(canonicalRows(),
            // Today's Optimum name            Optimum v1.5.2 task
            synonym("feature-extraction",                     ExportTask.of(Task.DEFAULT)),
            synonym("feature-extraction-with-past",           ExportTask.withPast(Task.DEFAULT)),
            synonym("image-feature-extraction",               ExportTask.of(Task.DEFAULT)),
            synonym("mask-generation",                        ExportTask.of(Task.DEFAULT)),
            synonym("pretraining",                            ExportTask.of(Task.DEFAULT)),
            synonym("sentence-similarity",                    ExportTask.of(Task.DEFAULT)),
            synonym("fill-mask",                              ExportTask.of(Task.MASKED_LM)),
            synonym("text-generation",                        ExportTask.of(Task.CAUSAL_LM)),
            synonym("text-generation-with-past",              ExportTask.withPast(Task.CAUSAL_LM)),
            synonym("summarization",                          ExportTask.of(Task.SEQ2SEQ_LM)),
            synonym("text2text-generation",                   ExportTask.of(Task.SEQ2SEQ_LM)),
            synonym("text2text-generation-with-past",         ExportTask.withPast(Task.SEQ2SEQ_LM)),
            synonym("translation",                            ExportTask.of(Task.SEQ2SEQ_LM)),
            synonym("text-classification",                    ExportTask.of(Task.SEQUENCE_CLASSIFICATION)),
            synonym("zero-shot-classification",               ExportTask.of(Task.SEQUENCE_CLASSIFICATION)),
            // a model type whose row registers CTC and not speech2seq-lm (wav2vec2, hubert, wavlm) takes this name
            // as CTC (ModelTypeRow#meaningOf), as today's Optimum maps the name to either auto class
            synonym("automatic-speech-recognition",           ExportTask.of(Task.SPEECH2SEQ_LM)),
            synonym("automatic-speech-recognition-with-past", ExportTask.withPast(Task.SPEECH2SEQ_LM)),
            // Today's Optimum names (tasks and synonyms) without an Optimum v1.5.2 task
            withoutEquivalent("depth-estimation"),
            withoutEquivalent("document-question-answering"),
            withoutEquivalent("image-text-to-text"),
            withoutEquivalent("image-to-image"),
            withoutEquivalent("image-to-text"),
            withoutEquivalent("inpainting"),
            withoutEquivalent("keypoint-detection"),
            withoutEquivalent("latent-consistency"),
            withoutEquivalent("reinforcement-learning"),
            withoutEquivalent("stable-diffusion"),
            withoutEquivalent("stable-diffusion-xl"),
            withoutEquivalent("text-to-audio"),
            withoutEquivalent("text-to-image"),
            withoutEquivalent("text-to-speech"),
            withoutEquivalent("time-series-forecasting"),
            withoutEquivalent("vision2seq-lm"),
            withoutEquivalent("visual-question-answering"),
            withoutEquivalent("zero-shot-object-detection"));

    private static final List<String> CANONICAL_NAMES = canonicalRows().stream().map(Row::name).toList();

    private TaskNames() {}

    /**
     * The export task a name stands for: a canonical name ({@code causal-lm-with-past}) or one of today's synonyms
     * ({@code text-generation-with-past}), in any case.
     *
     * @throws UnknownTaskException for any other name, naming the valid ones
     */
    public static ExportTask parse(String name) {
        String key = name == null ? "" : name.strip().toLowerCase(Locale.ROOT);
        Row row = ROWS.get(key);
        if (row == null) {
            List<String> close = CloseMatches.of(key, ROWS.keySet(), 3);
            throw new UnknownTaskException("unknown task \"" + name + "\""
                    + (close.isEmpty() ? "" : " (did you mean " + String.join(", ", close) + "?)")
                    + "; the tasks are " + String.join(", ", CANONICAL_NAMES)
                    + ", and today's Optimum names for them (feature-extraction, text-generation, fill-mask, ...)");
        }
        return row.target().orElseThrow(() -> new UnknownTaskException("task \"" + name + "\" is a task of today's "
                + "Optimum with no equivalent among the Optimum v1.5.2 tasks that exporters4j supports ("
                + String.join(", ", CANONICAL_NAMES) + "); choose one of those"));
    }

    /** Every canonical export-task name, in Optimum's task order, each task followed by its -with-past form. */
    public static List<String> canonicalNames() {
        return CANONICAL_NAMES;
    }

    /** Today's Optimum names that stand for an Optimum v1.5.2 task → that task's canonical name, in table order. */
    public static Map<String, String> synonyms() {
        Map<String, String> synonyms = new LinkedHashMap<>();
        for (Row row : ROWS.values()) {
            row.target().filter(target -> !target.name().equals(row.name()))
                    .ifPresent(target -> synonyms.put(row.name(), target.name()));
        }
        return Collections.unmodifiableMap(synonyms);
    }

    /** Today's Optimum names that have no Optimum v1.5.2 task, in table order. */
    public static List<String> namesWithoutEquivalent() {
        return ROWS.values().stream().filter(row -> row.target().isEmpty()).map(Row::name).toList();
    }

    private static List<Row> canonicalRows() {
        List<Row> rows = new ArrayList<>();
        for (Task task : Task.values()) {
            for (Past variant : task.variants()) {
                ExportTask exportTask = new ExportTask(task, variant);
                rows.add(new Row(exportTask.name(), Optional.of(exportTask)));
            }
        }
        return rows;
    }

    private static Row synonym(String todaysName, ExportTask target) {
        return new Row(todaysName, Optional.of(target));
    }

    private static Row withoutEquivalent(String todaysName) {
        return new Row(todaysName, Optional.empty());
    }

    private static Map<String, Row> table(List<Row> canonical, Row... others) {
        Map<String, Row> map = new LinkedHashMap<>();
        List<Row> all = new ArrayList<>(canonical);
        all.addAll(List.of(others));
        for (Row row : all) {
            if (!row.name().equals(row.name().toLowerCase(Locale.ROOT))) {
                throw new IllegalStateException("task names are lower-case: " + row.name());
            }
            if (map.put(row.name(), row) != null) {
                throw new IllegalStateException("duplicate task name row: " + row.name());
            }
        }
        return Collections.unmodifiableMap(map);
    }
}
