package org.exporters4j.tasks;

import java.util.Locale;

/** The deep-learning framework a checkpoint is loaded with, as Optimum names it ({@code pt}, {@code tf}). */
public enum Framework {
    PT("pt", "PyTorch"),
    TF("tf", "TensorFlow");

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
        if (name != null) {
            String wanted = name.strip().toLowerCase(Locale.ROOT);
            for (Framework framework : values()) {
                if (framework.id.equals(wanted)) {
                    return framework;
                }
            }
        }
        throw new UnknownFrameworkException("unknown framework \"" + name + "\": use pt (PyTorch) or tf (TensorFlow)"
                + ", as Optimum v1.5.2 supports only these two");
    }
}
