package org.exporters4j.onnx;

import java.util.Locale;

/** How {@code Pad} fills the new elements; {@link #WRAP} needs opset 19. */
public enum PadMode {
    CONSTANT,
    REFLECT,
    EDGE,
    WRAP;

    /** The attribute value ONNX spells the mode with: the constant's name in lower case. */
    String onnxName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
