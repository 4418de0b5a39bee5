package org.exporters4j.tasks;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.exporters4j.WeightsFormat;

/**
 * The weight files {@code save_pretrained} writes, per framework: the {@link WeightsFormat}s of each, in the order
 * {@code from_pretrained} looks for them in a folder (Transformers 4.25: safetensors before
 * {@code pytorch_model.bin}, a single file before an index). One row per format; the file names are the formats'.
 */
public final class FrameworkWeightFiles {
    private record Row(Framework framework, WeightsFormat format) {}

    private static final List<Row> ROWS = List.of(
            //  framework      format, in from_pretrained's order
            new Row(Framework.PT, WeightsFormat.SAFETENSORS),
            new Row(Framework.PT, WeightsFormat.PYTORCH),
            new Row(Framework.TF, WeightsFormat.TF_H5));

    private static final Map<Framework, List<WeightsFormat>> BY_FRAMEWORK = byFramework(ROWS);

    private FrameworkWeightFiles() {}

    /** The weights formats of a framework, in the order Transformers prefers them. */
    public static List<WeightsFormat> formats(Framework framework) {
        return BY_FRAMEWORK.get(framework);
    }

    /** The weight file names of a framework, in the order Transformers prefers them. */
    public static List<String> fileNames(Framework framework) {
        return formats(framework).stream().flatMap(format -> format.fileNames().stream()).toList();
    }

    /** Every weight file name of every framework, PyTorch first. */
    public static List<String> allFileNames() {
        return ROWS.stream().flatMap(row -> row.format().fileNames().stream()).toList();
    }

    /**
     * The framework whose weights a file list holds, as Optimum v1.5.2's {@code determine_framework} for a local
     * folder: PyTorch weights when any are present (also beside TensorFlow ones), else TensorFlow; empty when there
     * are none.
     *
     * @param fileNames file names at the checkpoint's root
     */
    public static Optional<Framework> frameworkOf(Collection<String> fileNames) {
        Set<String> present = new HashSet<>(fileNames);
        for (Framework framework : Framework.values()) {
            if (fileNames(framework).stream().anyMatch(present::contains)) {
                return Optional.of(framework);
            }
        }
        return Optional.empty();
    }

    /**
     * The weight files to open for a framework, as Transformers' {@code from_pretrained} then Optimum's fallback
     * choose them: the framework's own files in preference order, then the other framework's (as {@code from_tf} /
     * {@code from_pt} load them); the first present wins.
     */
    public static Optional<String> firstPresent(Framework framework, Collection<String> fileNames) {
        Set<String> present = new HashSet<>(fileNames);
        for (Framework candidate : preference(framework)) {
            for (String name : fileNames(candidate)) {
                if (present.contains(name)) {
                    return Optional.of(name);
                }
            }
        }
        return Optional.empty();
    }

    /** The framework itself first, then the other one. */
    static List<Framework> preference(Framework framework) {
        List<Framework> order = new ArrayList<>();
        order.add(framework);
        for (Framework other : Framework.values()) {
            if (other != framework) {
                order.add(other);
            }
        }
        return List.copyOf(order);
    }

    private static Map<Framework, List<WeightsFormat>> byFramework(List<Row> rows) {
        Map<Framework, List<WeightsFormat>> map = new EnumMap<>(Framework.class);
        Set<WeightsFormat> seen = new HashSet<>();
        for (Row row : rows) {
            if (!seen.add(row.format())) {
                throw new IllegalStateException("duplicate weight file row: " + row.format());
            }
            map.computeIfAbsent(row.framework(), f -> new ArrayList<>()).add(row.format());
        }
        for (Framework framework : Framework.values()) {
            if (!map.containsKey(framework)) {
                throw new IllegalStateException("no weight files for framework " + framework.id());
            }
        }
        map.replaceAll((framework, formats) -> List.copyOf(formats));
        return Collections.unmodifiableMap(map);
    }
}
