package org.exporters4j.tasks;

import java.util.Locale;
import org.exporters4j.EnumIndex;

/** The deep-learning framework a checkpoint is loaded with, as Optimum names it ({@code pt}, {@code tf}). */
public enum Framework {
    PT("pt", "PyTorch"),
    TF("tf", "TensorFlow");

    private static final EnumIndex<Framework, String> BY_ID = EnumIndex.of(Framework.class, Framework::id);

    private final String id;
    private final String displayName;

    Framework(String id, String displayName) {
        this.id = id;
        this.displayName = displayName;
    }

    /** The short name Optimum uses ({@code pt}, {@code tf}). */
    public String id() {
        return id;
    }

    public String displayName() {
        return displayName;
    }

    /** {@code pt} or {@code tf} in any case; anything else is an {@link UnknownFrameworkException}. */
    public static Framework parse(String name) {
        return BY_ID.find(name == null ? null : name.strip().toLowerCase(Locale.ROOT)).orElseThrow(() ->
                new UnknownFrameworkException("unknown framework \"" + name + "\": use pt (PyTorch) or tf (TensorFlow)"
                + ", as Optimum v1.5.2 supports only these two"));
    }
}
