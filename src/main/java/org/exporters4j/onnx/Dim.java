package org.exporters4j.onnx;

/**
 * One dimension of a graph input or output shape: a fixed size, or a symbolic name (a dynamic axis such as
 * {@code batch_size}) that ONNX Runtime binds when the model runs. Equal names denote equal sizes.
 */
public sealed interface Dim permits Dim.Fixed, Dim.Symbolic, Dim.Unknown {

    /** A dimension of fixed size (zero or more). */
    static Dim of(long size) {
        return new Fixed(size);
    }

    /** A dynamic dimension, named as Optimum names dynamic axes ({@code batch_size}, {@code sequence_length}). */
    static Dim symbolic(String name) {
        return new Symbolic(name);
    }

    /**
     * A dynamic dimension without a name (neither {@code dim_value} nor {@code dim_param}), for sizes that follow
     * the inputs but are no named axis of the interface, as PyTorch's exporter leaves e.g. the choice axis of
     * multiple-choice logits unnamed in Optimum's interface.
     */
    static Dim unknown() {
        return Unknown.INSTANCE;
    }

    /** A dimension whose size is fixed in the model. */
    record Fixed(long size) implements Dim {
        public Fixed {
            if (size < 0) {
                throw new OnnxGraphException("a fixed dimension must be 0 or more, got " + size
                        + "; use Dim.symbolic(name) for a dynamic axis");
            }
        }

        @Override
        public String toString() {
            return Long.toString(size);
        }
    }

    /** A dynamic dimension named in the model ({@code dim_param}). */
    record Symbolic(String name) implements Dim {
        public Symbolic {
            if (name == null || name.isBlank()) {
                throw new OnnxGraphException("a symbolic dimension needs a name such as \"batch_size\"");
            }
        }

        @Override
        public String toString() {
            return name;
        }
    }

    /** A dimension whose size the model does not state. */
    enum Unknown implements Dim {
        INSTANCE;

        @Override
        public String toString() {
            return "?";
        }
    }
}
