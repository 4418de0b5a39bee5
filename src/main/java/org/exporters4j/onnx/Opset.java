package org.exporters4j.onnx;

/**
 * A version of the default ONNX operator set ({@code ai.onnx}), with the IR version a model of that opset declares.
 *
 * <p>The IR version is the one the ONNX release that introduced the opset wrote (the table in ONNX's
 * docs/Versioning.md): opset 11 is IR 6, as PyTorch 1.13 exporting at opset 11 wrote; 12–14 IR 7; 15–18 IR 8;
 * 19–20 IR 9; 21–22 IR 10; 23 IR 11. Declaring the oldest IR that has the opset keeps models loadable by the oldest
 * runtimes that can run them.
 */
public record Opset(int version) {
    /** The oldest opset graphs are built for (Optimum v1.5.2's default for most architectures). */
    public static final int MIN_VERSION = 11;
    /** The newest opset whose operators and IR version this package knows. */
    public static final int MAX_VERSION = 23;

    public Opset {
        if (version < MIN_VERSION || version > MAX_VERSION) {
            throw new OnnxGraphException("opset " + version + " is not supported; choose an opset from "
                    + MIN_VERSION + " to " + MAX_VERSION + " (Optimum's defaults are 11 to 14)");
        }
    }

    public static Opset of(int version) {
        return new Opset(version);
    }

    /** The ONNX IR version a model of this opset declares ({@code ModelProto.ir_version}). */
    public int irVersion() {
        if (version <= 11) {
            return 6;
        } else if (version <= 14) {
            return 7;
        } else if (version <= 18) {
            return 8;
        } else if (version <= 20) {
            return 9;
        } else if (version <= 22) {
            return 10;
        }
        return 11;
    }

    /** True when this opset is {@code other} or newer. */
    public boolean atLeast(int other) {
        return version >= other;
    }

    @Override
    public String toString() {
        return "opset " + version;
    }
}
