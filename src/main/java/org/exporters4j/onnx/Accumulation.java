package org.exporters4j.onnx;

/**
 * How {@code CumSum} accumulates: inclusive forward ({@code torch.cumsum}), exclusive (each element sums only the
 * ones before it), and whether it runs backwards along the axis.
 */
public enum Accumulation {
    INCLUSIVE(0, 0),
    EXCLUSIVE(1, 0),
    INCLUSIVE_REVERSE(0, 1),
    EXCLUSIVE_REVERSE(1, 1);

    private final long exclusive;
    private final long reverse;

    Accumulation(long exclusive, long reverse) {
        this.exclusive = exclusive;
        this.reverse = reverse;
    }

    long exclusiveAttribute() {
        return exclusive;
    }

    long reverseAttribute() {
        return reverse;
    }
}
