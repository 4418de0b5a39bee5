package org.exporters4j.models.levit;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.exporters4j.checkpoint.ModelConfig;
import org.exporters4j.models.UnsupportedConfigException;
import org.exporters4j.models.blocks.Stages;

/**
 * The config.json options LevitConfig defines (Transformers 4.25.1), one list entry per stage.
 *
 * @param subsamples per stage, the attention-subsampling that ends it ({@code down_ops[i]}), if any
 */
record LevitOptions(int imageSize, long channels, long kernelSize, long stride, long padding, int patchSize,
                    List<Integer> hiddenSizes, List<Integer> heads, List<Integer> depths, List<Integer> keyDims,
                    List<Integer> mlpRatios, List<Integer> attentionRatios, List<Optional<Subsample>> subsamples) {

    /**
     * One {@code ["Subsample", key_dim, num_attention_heads, attention_ratio, mlp_ratio, stride]} entry of
     * {@code down_ops}.
     */
    record Subsample(int keyDim, int heads, int attentionRatio, int mlpRatio, int stride) {}

    LevitOptions {
        hiddenSizes = List.copyOf(hiddenSizes);
        heads = List.copyOf(heads);
        depths = List.copyOf(depths);
        keyDims = List.copyOf(keyDims);
        mlpRatios = List.copyOf(mlpRatios);
        attentionRatios = List.copyOf(attentionRatios);
        subsamples = List.copyOf(subsamples);
    }

    static LevitOptions read(ModelConfig config) {
        String source = config.source();
        List<Integer> depths = config.intList("depths");
        Stages stages = new Stages(depths.size(), "depths", "LevitEncoder");
        List<Integer> sizes = stages.intList(config, "hidden_sizes");
        if (sizes.get(0) < 8) {
            // LevitPatchEmbeddings' first convolution has hidden_sizes[0] // 8 output channels: none below 8
            throw new UnsupportedConfigException(source + ": hidden_sizes[0] " + sizes.get(0) + " leaves the patch "
                    + "embedding's first convolution hidden_sizes[0] // 8 = 0 channels; LeViT needs hidden_sizes[0] "
                    + "of at least 8");
        }
        // LevitEncoder appends [""] to down_ops, so a stage without an entry does not subsample
        List<List<String>> downOps = config.nestedList("down_ops");
        List<Optional<Subsample>> subsamples = new ArrayList<>();
        for (int stage = 0; stage < stages.count(); stage++) {
            List<String> op = stage < downOps.size() ? downOps.get(stage) : List.of("");
            if (op.isEmpty() || !op.get(0).equals("Subsample")) {
                subsamples.add(Optional.empty());
                continue;
            }
            if (op.size() != 6 || stage + 1 >= stages.count()) {
                throw new UnsupportedConfigException(source + ": down_ops[" + stage + "] " + op + " must be "
                        + "[\"Subsample\", key_dim, num_attention_heads, attention_ratio, mlp_ratio, stride] and "
                        + "lead into a next stage");
            }
            try {
                subsamples.add(Optional.of(new Subsample(Integer.parseInt(op.get(1)), Integer.parseInt(op.get(2)),
                        Integer.parseInt(op.get(3)), Integer.parseInt(op.get(4)), Integer.parseInt(op.get(5)))));
            } catch (NumberFormatException notInteger) {
                throw new UnsupportedConfigException(source + ": down_ops[" + stage + "] " + op + " must hold "
                        + "integers after \"Subsample\"");
            }
        }
        return new LevitOptions(config.intValue("image_size"), config.intValue("num_channels"),
                config.intValue("kernel_size"), config.intValue("stride"), config.intValue("padding"),
                config.intValue("patch_size"), sizes, stages.intList(config, "num_attention_heads"), depths,
                stages.intList(config, "key_dim"), stages.intList(config, "mlp_ratio"),
                stages.intList(config, "attention_ratio"), subsamples);
    }

    int stages() {
        return depths.size();
    }
}
