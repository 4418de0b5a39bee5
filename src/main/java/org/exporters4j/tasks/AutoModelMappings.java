package org.exporters4j.tasks;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.exporters4j.Exporters4jException;

/**
 * Transformers' auto-model name mappings ({@code MODEL_FOR_*_MAPPING_NAMES} of {@code modeling_auto.py} and
 * {@code TF_MODEL_FOR_*_MAPPING_NAMES} of {@code modeling_tf_auto.py}), derived from the task lines of
 * {@link ModelTypes}: for an auto class such as
 * {@code AutoModelForSequenceClassification} and a {@code model_type} in Transformers' spelling, the architecture
 * class it instantiates ({@code DistilBertForSequenceClassification}).
 *
 * <p>Contents: Transformers 4.25.1 (the version Optimum v1.5.2 was built against) for the 51 model types Optimum
 * v1.5.2 registers, restricted to the auto classes Optimum's task table uses; llama, mistral and qwen2 as later
 * Transformers versions map them (including their question-answering and token-classification heads, which came
 * after the type itself). Where Transformers lists several classes for one type (DeiT, LeViT, Perceiver image
 * classification), the first is the one an auto class builds from a config without {@code architectures}.
 *
 * <p>Names only: this table neither loads nor checks model code. PyTorch auto classes are Optimum's names for the
 * tasks ({@link Task#modelClass}); Transformers names each TensorFlow auto class {@code TF} + the PyTorch one, also
 * for the three tasks Optimum v1.5.2 gives no TensorFlow class (image classification, masked image modelling,
 * speech-to-text).
 */
public final class AutoModelMappings {
    /** auto class → model type → architectures. */
    private static final Map<String, Map<String, List<String>>> BY_AUTO_CLASS = byAutoClass();

    /** architecture → auto classes listing it, in table order. */
    private static final Map<String, List<String>> BY_ARCHITECTURE = byArchitecture();

    private AutoModelMappings() {}

    /** The auto class names this table knows (PyTorch {@code AutoModel...} and TensorFlow {@code TFAutoModel...}). */
    public static Set<String> autoClasses() {
        return BY_AUTO_CLASS.keySet();
    }

    /**
     * The architecture {@code autoClass} instantiates for {@code modelType} (Transformers' spelling; any case, and
     * {@code -}/{@code _} are interchangeable), or empty when the auto class has no entry for that model type.
     *
     * @throws Exporters4jException when {@code autoClass} is not an auto class of this table
     */
    public static Optional<String> architectureFor(String autoClass, String modelType) {
        List<String> architectures = architecturesFor(autoClass, modelType);
        return architectures.isEmpty() ? Optional.empty() : Optional.of(architectures.get(0));
    }

    /**
     * Every architecture {@code autoClass} lists for {@code modelType}, the default first (several for DeiT and
     * LeViT image classification, teacher-distilled variants, and Perceiver's three image classifiers); empty when
     * there is none.
     *
     * @throws Exporters4jException when {@code autoClass} is not an auto class of this table
     */
    public static List<String> architecturesFor(String autoClass, String modelType) {
        Map<String, List<String>> byType = BY_AUTO_CLASS.get(autoClass);
        if (byType == null) {
            throw new Exporters4jException("unknown auto class \"" + autoClass + "\"; did you mean "
                    + closest(autoClass, BY_AUTO_CLASS.keySet()) + "? (auto classes are spelled as in Transformers, "
                    + "e.g. AutoModelForSequenceClassification or TFAutoModelForMaskedLM)");
        }
        return byType.getOrDefault(ModelTypeRegistry.normalize(modelType), List.of());
    }

    /**
     * The auto classes that list {@code architectureClass} (reverse lookup, sorted): {@code BertForMaskedLM} →
     * {@code [AutoModelForMaskedLM]}, {@code BartForConditionalGeneration} → {@code [AutoModelForMaskedLM,
     * AutoModelForSeq2SeqLM]}; empty for a class no listed auto class names.
     */
    public static List<String> autoClassesOf(String architectureClass) {
        return BY_ARCHITECTURE.getOrDefault(architectureClass, List.of());
    }

    /** Transformers' auto class of a task in a framework ({@code TFAutoModelForMaskedLM}). */
    static String autoClass(Task task, Framework framework) {
        String pytorch = task.modelClass(Framework.PT).orElseThrow();
        return framework == Framework.PT ? pytorch : "TF" + pytorch;
    }

    private static Map<String, Map<String, List<String>>> byAutoClass() {
        Map<String, Map<String, List<String>>> map = new TreeMap<>();
        for (ModelTypeRow row : ModelTypes.rows()) {
            for (ModelTypeRow.TaskLine line : row.tasks()) {
                for (Framework framework : Framework.values()) {
                    if (!line.classes(framework).isEmpty()) {
                        map.computeIfAbsent(autoClass(line.task(), framework), k -> new TreeMap<>())
                                .put(row.modelType(), line.classes(framework));
                    }
                }
            }
        }
        Map<String, Map<String, List<String>>> frozen = new TreeMap<>();
        map.forEach((autoClass, byType) -> frozen.put(autoClass, Collections.unmodifiableMap(byType)));
        return Collections.unmodifiableMap(frozen);
    }

    private static Map<String, List<String>> byArchitecture() {
        Map<String, Set<String>> map = new TreeMap<>();
        BY_AUTO_CLASS.forEach((autoClass, byType) -> byType.values().forEach(architectures ->
                architectures.forEach(architecture ->
                        map.computeIfAbsent(architecture, k -> new TreeSet<>()).add(autoClass))));
        Map<String, List<String>> frozen = new TreeMap<>();
        map.forEach((architecture, autoClasses) -> frozen.put(architecture, List.copyOf(autoClasses)));
        return Collections.unmodifiableMap(frozen);
    }

    /** The three known names closest to {@code name} (edit distance, ignoring case), for error messages. */
    private static String closest(String name, Set<String> known) {
        List<String> candidates = new ArrayList<>(known);
        String lower = name.toLowerCase(Locale.ROOT);
        candidates.sort(Comparator.comparingInt((String candidate) -> org.exporters4j.checkpoint.CloseMatches
                .distance(lower, candidate.toLowerCase(Locale.ROOT))).thenComparing(Comparator.naturalOrder()));
        return String.join(", ", candidates.subList(0, Math.min(3, candidates.size())));
    }
}
