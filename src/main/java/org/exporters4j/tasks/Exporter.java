package org.exporters4j.tasks;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * An export backend, as the {@code exporter} argument of Optimum's TasksManager names it. A new backend (e.g.
 * {@code tflite}) is a new constant here plus rows in the model-type registry; the queries do not change.
 */
public enum Exporter {
    ONNX("onnx");

    private final String id;

    Exporter(String id) {
        this.id = id;
    }

    /** The backend's name as the command line and Optimum write it ({@code onnx}). */
    public String id() {
        return id;
    }

    /** A backend by name in any case; an unknown name is an {@link UnknownExporterException}. */
    public static Exporter parse(String name) {
        if (name != null) {
            String wanted = name.strip().toLowerCase(Locale.ROOT);
            for (Exporter exporter : values()) {
                if (exporter.id.equals(wanted)) {
                    return exporter;
                }
            }
        }
        throw new UnknownExporterException("unknown exporter \"" + name + "\": the exporters are "
                + Arrays.stream(values()).map(Exporter::id).collect(Collectors.joining(", "))
                + "; pass one of them (--exporter onnx is the default)");
    }
}
