package org.exporters4j.onnx;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;

/** The declared shape of a graph input or output: fixed and symbolic dimensions; no dimensions is a scalar. */
public record Shape(List<Dim> dims) {
    public Shape {
        if (dims == null || dims.stream().anyMatch(Objects::isNull)) {
            throw new OnnxGraphException("a shape needs a list of dimensions without nulls, got " + dims);
        }
        dims = List.copyOf(dims);
    }

    public static Shape of(Dim... dims) {
        return new Shape(Arrays.asList(dims));
    }

    /** A shape of fixed sizes only. */
    public static Shape fixed(long... sizes) {
        return new Shape(Arrays.stream(sizes).mapToObj(Dim::of).toList());
    }

    /** The rank-0 shape of a scalar. */
    public static Shape scalar() {
        return new Shape(List.of());
    }

    public int rank() {
        return dims.size();
    }

    @Override
    public String toString() {
        return dims.stream().map(Dim::toString).collect(Collectors.joining(", ", "[", "]"));
    }
}
