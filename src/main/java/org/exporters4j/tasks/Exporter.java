package org.exporters4j.tasks;

import java.util.Locale;
import org.exporters4j.EnumIndex;

/**
 * An export backend, as the {@code exporter} argument of Optimum's TasksManager names it. A new backend (e.g.
 * {@code tflite}) is a new constant here plus rows in the model-type registry; the queries do not change.
 */
public enum Exporter {
    ONNX("onnx");

    private static final EnumIndex<Exporter, String> BY_ID = EnumIndex.of(Exporter.class, Exporter::id);

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
        return BY_ID.find(name == null ? null : name.strip().toLowerCase(Locale.ROOT)).orElseThrow(() ->
                new UnknownExporterException("unknown exporter \"" + name + "\": the exporters are " + BY_ID.keys()
                        + "; pass one of them (--exporter onnx is the default)"));
    }
}
