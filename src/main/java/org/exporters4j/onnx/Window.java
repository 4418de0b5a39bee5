package org.exporters4j.onnx;

import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * The sliding window of a convolution or pooling: kernel size, strides, padding and dilations per spatial axis.
 * {@code pads} lists the begin paddings of every axis, then the end paddings ({@code [top, left, bottom, right]} in
 * 2-D), as ONNX orders them.
 */
public record Window(List<Long> kernelShape, List<Long> strides, List<Long> pads, List<Long> dilations) {
    public Window {
        kernelShape = checked("kernel shape", kernelShape, 1);
        int rank = kernelShape.size();
        if (rank == 0) {
            throw new OnnxGraphException("a window needs a kernel size per spatial axis, got none");
        }
        strides = checked("strides", strides, 1);
        pads = checked("pads", pads, 0);
        dilations = checked("dilations", dilations, 1);
        if (strides.size() != rank || dilations.size() != rank || pads.size() != 2 * rank) {
            throw new OnnxGraphException("a " + rank + "-D window needs " + rank + " strides, " + rank
                    + " dilations and " + 2 * rank + " pads (begins, then ends), got strides " + strides
                    + ", dilations " + dilations + " and pads " + pads);
        }
    }

    /** A window of this kernel size, stride 1, no padding, no dilation. */
    public static Window of(long... kernelShape) {
        int rank = kernelShape.length;
        return new Window(boxed(kernelShape), Collections.nCopies(rank, 1L), Collections.nCopies(2 * rank, 0L),
                Collections.nCopies(rank, 1L));
    }

    public Window withStrides(long... newStrides) {
        return new Window(kernelShape, boxed(newStrides), pads, dilations);
    }

    /** Begin paddings of every axis, then end paddings. */
    public Window withPads(long... newPads) {
        return new Window(kernelShape, strides, boxed(newPads), dilations);
    }

    public Window withDilations(long... newDilations) {
        return new Window(kernelShape, strides, pads, boxed(newDilations));
    }

    public int spatialRank() {
        return kernelShape.size();
    }

    private static List<Long> checked(String what, List<Long> values, long minimum) {
        if (values == null || values.stream().anyMatch(Objects::isNull)) {
            throw new OnnxGraphException("window " + what + " must be a list of integers, got " + values);
        }
        for (long value : values) {
            if (value < minimum) {
                throw new OnnxGraphException("window " + what + " must be " + minimum + " or more, got " + values);
            }
        }
        return List.copyOf(values);
    }

    private static List<Long> boxed(long[] values) {
        return Arrays.stream(values).boxed().toList();
    }
}
