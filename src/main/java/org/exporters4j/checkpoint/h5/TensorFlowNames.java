package org.exporters4j.checkpoint.h5;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;

/**
 * TensorFlow weight names to PyTorch state-dict keys, as Transformers' {@code convert_tf_weight_name_to_pt_weight_name}
 * ({@code modeling_tf_pytorch_utils.py}, v4.25) converts them when it loads TF weights into a PyTorch model.
 *
 * <p>The rules, in order: the device suffix {@code :0} goes; a scope {@code $1___$2} becomes {@code $2} (TF models use
 * it to rename a layer, e.g. {@code mlm___cls} is PyTorch's {@code cls}); {@code _._} separates a list index
 * ({@code layer_._0} is {@code layer.0}); empty levels collapse; the first level (the Keras model's own name, e.g.
 * {@code tf_bert_for_masked_lm}) is dropped unless it is the only one; {@code kernel}, {@code embeddings} and
 * {@code gamma} become {@code weight}, {@code beta} becomes {@code bias}, a separable convolution's
 * {@code pointwise_kernel} / {@code depthwise_kernel} become {@code pointwise.weight} / {@code depthwise.weight}.
 * Kernels are transposed: rank 4 as a Conv2D, rank 3 as a Conv1D, otherwise (and separable-convolution kernels and
 * Transformer-XL's {@code emb_projs} / {@code out_projs}) by reversing the axes.
 */
public final class TensorFlowNames {
    private static final Pattern RENAMED_SCOPE = Pattern.compile("/[^/]*___([^/]*)/");
    private static final Pattern EMPTY_LEVELS = Pattern.compile("//+");

    private TensorFlowNames() {}

    /**
     * The PyTorch key and transpose of one TF weight.
     *
     * @param tensorFlowName the weight's name as the HDF5 file lists it, e.g.
     *     {@code tf_bert_model/bert/encoder/layer_._0/attention/self/query/kernel:0}
     * @param rank the number of dimensions of the TF weight (decides how a kernel is transposed)
     * @param prefixToRemove Transformers' {@code start_prefix_to_remove}: the base model prefix and a dot (e.g.
     *     {@code bert.}) when the PyTorch model is the bare base model, whose keys lack it; empty otherwise. It is
     *     removed where the converted name starts with it (Transformers removes its first occurrence anywhere; the
     *     two differ only for names outside the base model, which a bare base model has none of)
     */
    public static PyTorchName toPyTorch(String tensorFlowName, int rank, String prefixToRemove) {
        if (rank < 0) {
            throw new IllegalArgumentException("rank must not be negative, was " + rank);
        }
        String name = tensorFlowName.replace(":0", "");
        name = RENAMED_SCOPE.matcher(name).replaceAll("/$1/");
        name = name.replace("_._", "/");
        name = EMPTY_LEVELS.matcher(name).replaceAll("/");
        List<String> levels = new ArrayList<>(Arrays.asList(name.split("/", -1)));
        if (levels.size() > 1) {
            levels.remove(0);
        }
        int last = levels.size() - 1;
        String leaf = levels.get(last);

        Transpose transpose;
        if (leaf.equals("kernel") && rank == 4) {
            transpose = Transpose.CONV2D;
        } else if (leaf.equals("kernel") && rank == 3) {
            transpose = Transpose.CONV1D;
        } else if (leaf.equals("kernel") || leaf.equals("pointwise_kernel") || leaf.equals("depthwise_kernel")
                || levels.contains("emb_projs") || levels.contains("out_projs")) {
            transpose = Transpose.MATRIX;
        } else {
            transpose = Transpose.NONE;
        }

        switch (leaf) {
            case "kernel", "embeddings", "gamma" -> levels.set(last, "weight");
            case "beta" -> levels.set(last, "bias");
            case "pointwise_kernel" -> levels.set(last, "pointwise.weight");
            case "depthwise_kernel" -> levels.set(last, "depthwise.weight");
            default -> { }
        }
        String converted = String.join(".", levels);
        if (!prefixToRemove.isEmpty() && converted.startsWith(prefixToRemove)) {
            converted = converted.substring(prefixToRemove.length());
        }
        if (converted.isEmpty()) {
            throw new IllegalArgumentException("TF weight name '" + tensorFlowName + "' converts to an empty name");
        }
        return new PyTorchName(converted, transpose);
    }
}
