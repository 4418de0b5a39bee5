package org.exporters4j.tasks;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One dimension of an interface tensor: the label the model file carries (Optimum's dynamic axis name, exactly;
 * none where Optimum leaves the dimension unnamed) and what its size is. The label is the interface and is never
 * read for meaning; the size says what the validator checks:
 * <ul>
 *   <li>{@link Bound}: the size of a {@link Dimension} the inputs set (on an input: this axis sets it);</li>
 *   <li>{@link Sum}: the sum of such sizes plus a constant (a present cache: past + new tokens);</li>
 *   <li>{@link Fixed}: a size known when the export configuration is made (from the model config);</li>
 *   <li>{@link LabelOnly}: Optimum's name on a dimension whose size it does not describe, checked nowhere.</li>
 * </ul>
 */
public record Axis(Optional<String> label, Size size) {

    /** What an axis's size is. */
    public sealed interface Size permits Bound, Sum, Fixed, LabelOnly {}

    /** The size of {@code dimension}, as the inputs set it. */
    public record Bound(Dimension dimension) implements Size {
        public Bound {
            Objects.requireNonNull(dimension, "dimension");
        }
    }

    /** The sum of the sizes of {@code parts} and {@code constant}. */
    public record Sum(List<Dimension> parts, long constant) implements Size {
        public Sum {
            parts = List.copyOf(parts);
            if (parts.isEmpty() || constant < 0) {
                throw new IllegalArgumentException("a sum axis adds at least one dimension and a constant of 0 or "
                        + "more, got " + parts + " + " + constant);
            }
        }
    }

    /** A size fixed by the model config. */
    public record Fixed(long size) implements Size {
        public Fixed {
            if (size < 0) {
                throw new IllegalArgumentException("a fixed axis size is 0 or more, got " + size);
            }
        }
    }

    /** A label that says nothing about the size. */
    public record LabelOnly() implements Size {}

    public Axis {
        Objects.requireNonNull(label, "label");
        Objects.requireNonNull(size, "size");
        if (label.isPresent() && label.get().isBlank()) {
            throw new IllegalArgumentException("an axis label is not blank");
        }
        if (label.isEmpty() && size instanceof LabelOnly) {
            throw new IllegalArgumentException("an axis without a label must say what its size is");
        }
    }

    /** An axis labelled {@code label} whose size is {@code dimension}'s. */
    public static Axis of(String label, Dimension dimension) {
        return new Axis(Optional.of(label), new Bound(dimension));
    }

    /** An axis Optimum leaves unnamed whose size is {@code dimension}'s. */
    public static Axis unlabelled(Dimension dimension) {
        return new Axis(Optional.empty(), new Bound(dimension));
    }

    /** An axis labelled {@code label} whose size is the sum of {@code parts}. */
    public static Axis sum(String label, Dimension... parts) {
        return new Axis(Optional.of(label), new Sum(List.of(parts), 0));
    }

    /** An axis labelled {@code label} whose size is {@code size}. */
    public static Axis fixed(String label, long size) {
        return new Axis(Optional.of(label), new Fixed(size));
    }

    /** Optimum's label on a dimension whose size it does not describe. */
    public static Axis labelOnly(String label) {
        return new Axis(Optional.of(label), new LabelOnly());
    }

    /** This axis under another label, the same size. */
    public Axis labelled(String newLabel) {
        return new Axis(Optional.of(newLabel), size);
    }

    /** This axis's label with another size. */
    public Axis sized(Size newSize) {
        return new Axis(label, newSize);
    }

    /** The size this axis must have, given the sizes the inputs set; empty where it is not determined. */
    public Optional<Long> expected(Map<Dimension, Long> dimensions) {
        if (size instanceof Bound bound) {
            return Optional.ofNullable(dimensions.get(bound.dimension()));
        }
        if (size instanceof Sum sum) {
            long total = sum.constant();
            for (Dimension part : sum.parts()) {
                Long value = dimensions.get(part);
                if (value == null) {
                    return Optional.empty();
                }
                total += value;
            }
            return Optional.of(total);
        }
        if (size instanceof Fixed fixed) {
            return Optional.of(fixed.size());
        }
        return Optional.empty();
    }

    /** The dimension this axis sets when it is on an input, if it is bound to one. */
    public Optional<Dimension> sets() {
        return size instanceof Bound bound ? Optional.of(bound.dimension()) : Optional.empty();
    }

    @Override
    public String toString() {
        String what = size instanceof Bound bound ? bound.dimension().toString()
                : size instanceof Sum sum ? String.join(" + ", sum.parts().stream().map(Dimension::toString).toList())
                        + (sum.constant() != 0 ? " + " + sum.constant() : "")
                : size instanceof Fixed fixed ? Long.toString(fixed.size()) : "unchecked";
        return label.map(text -> "'" + text + "' ").orElse("unnamed ") + "(" + what + ")";
    }
}
