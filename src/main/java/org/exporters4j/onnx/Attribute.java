package org.exporters4j.onnx;

import java.util.List;
import java.util.Objects;

/** A named attribute of a node, one of the ONNX attribute kinds the operators here use. */
public sealed interface Attribute {

    String name();

    static Attribute of(String name, long value) {
        return new IntValue(name, value);
    }

    static Attribute of(String name, float value) {
        return new FloatValue(name, value);
    }

    static Attribute of(String name, String value) {
        return new StringValue(name, value);
    }

    static Attribute ofInts(String name, List<Long> values) {
        return new IntList(name, values);
    }

    static Attribute of(String name, TensorData value) {
        return new TensorValue(name, value);
    }

    /** A control-flow node's branch. */
    static Attribute of(String name, Subgraph value) {
        return new GraphValue(name, value);
    }

    /** An {@code INT} attribute. */
    record IntValue(String name, long value) implements Attribute {
        public IntValue {
            checkName(name);
        }
    }

    /** A {@code FLOAT} attribute. */
    record FloatValue(String name, float value) implements Attribute {
        public FloatValue {
            checkName(name);
        }
    }

    /** A {@code STRING} attribute (UTF-8). */
    record StringValue(String name, String value) implements Attribute {
        public StringValue {
            checkName(name);
            if (value == null) {
                throw new OnnxGraphException("attribute '" + name + "' needs a string value, got null");
            }
        }
    }

    /** An {@code INTS} attribute. */
    record IntList(String name, List<Long> values) implements Attribute {
        public IntList {
            checkName(name);
            if (values == null || values.stream().anyMatch(Objects::isNull)) {
                throw new OnnxGraphException("attribute '" + name + "' needs a list of integers, got " + values);
            }
            values = List.copyOf(values);
        }
    }

    /** A {@code TENSOR} attribute, such as a Constant's value; kept small (it is stored inside the graph). */
    record TensorValue(String name, TensorData value) implements Attribute {
        public TensorValue {
            checkName(name);
            if (value == null) {
                throw new OnnxGraphException("attribute '" + name + "' needs a tensor value, got null");
            }
        }
    }

    /** A {@code GRAPH} attribute: an {@code If} node's {@code then_branch} or {@code else_branch}. */
    record GraphValue(String name, Subgraph value) implements Attribute {
        public GraphValue {
            checkName(name);
            if (value == null) {
                throw new OnnxGraphException("attribute '" + name + "' needs a subgraph, got null");
            }
        }
    }

    private static void checkName(String name) {
        if (name == null || name.isBlank()) {
            throw new OnnxGraphException("an attribute needs a name");
        }
    }
}
