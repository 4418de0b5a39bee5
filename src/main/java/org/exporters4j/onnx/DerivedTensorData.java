package org.exporters4j.onnx;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Tensor data computed from one source while it is written (a reshape, a transpose, a conversion): it holds the
 * source, the result's element type and dimensions, and names itself after its operation. Its identity is the
 * operation on the source's identity with the operation's {@link #arguments()}, so the same derivation of the same
 * weight is stored once however often it is asked for.
 */
abstract class DerivedTensorData implements TensorData {
    protected final TensorData source;
    private final String operation;
    private final ElementType elementType;
    private final List<Long> dims;

    DerivedTensorData(String operation, TensorData source, ElementType elementType, List<Long> dims) {
        this.operation = Objects.requireNonNull(operation, "operation");
        this.source = Objects.requireNonNull(source, "source");
        this.elementType = Objects.requireNonNull(elementType, "elementType");
        this.dims = List.copyOf(dims);
    }

    /** What besides the source the operation depends on (none by default); part of the identity and the name. */
    protected List<Object> arguments() {
        return List.of();
    }

    @Override
    public final ElementType elementType() {
        return elementType;
    }

    @Override
    public final List<Long> dims() {
        return dims;
    }

    @Override
    public final Object identity() {
        List<Object> key = new ArrayList<>();
        key.add(source.identity());
        key.addAll(arguments());
        return new DerivedIdentity(operation, key);
    }

    /** {@code operation(source, arguments…)}. */
    @Override
    public final String toString() {
        StringBuilder name = new StringBuilder(operation).append('(').append(source);
        arguments().forEach(argument -> name.append(", ").append(argument));
        return name.append(')').toString();
    }
}
