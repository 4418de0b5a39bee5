package org.exporters4j.models.groupvit;

import java.util.List;
import org.exporters4j.checkpoint.ModelConfig;
import org.exporters4j.models.UnsupportedConfigException;
import org.exporters4j.models.clip.TowerOptions;

/**
 * The {@code vision_config} options of GroupViT, read and checked once: the CLIP-style layer sizes, the grouping
 * stages ({@code depths}, {@code num_group_tokens}, {@code num_output_groups}, one entry per stage) and the token
 * assignment's MLP ratios and ε.
 */
record GroupVitVisionOptions(TowerOptions tower, List<Integer> depths, List<Integer> groupTokens,
                             List<Integer> outputGroups, long tokensWidth, long channelsWidth, double assignEps,
                             double layerNormEps, long imageSize, long patchSize, long channels) {

    static GroupVitVisionOptions read(ModelConfig config) {
        String source = config.source();
        List<Integer> depths = config.intList("depths");
        List<Integer> groupTokens = config.intList("num_group_tokens");
        List<Integer> outputGroups = config.intList("num_output_groups");
        if (depths.isEmpty() || groupTokens.size() != depths.size() || outputGroups.size() != depths.size()) {
            throw new UnsupportedConfigException(source + ": depths " + depths + ", num_group_tokens " + groupTokens
                    + " and num_output_groups " + outputGroups + " must give one value per grouping stage");
        }
        for (int stage = 0; stage < depths.size(); stage++) {
            if (depths.get(stage) < 0 || groupTokens.get(stage) < 0 || outputGroups.get(stage) <= 0) {
                throw new UnsupportedConfigException(source + ": stage " + stage + " has depth " + depths.get(stage)
                        + ", " + groupTokens.get(stage) + " group tokens and " + outputGroups.get(stage) + " output "
                        + "groups; depths and group tokens must be 0 or more and output groups positive");
            }
        }
        TowerOptions tower = TowerOptions.read(config);
        double[] ratios = assignRatios(config);
        long imageSize = config.intValue("image_size");
        long patchSize = config.intValue("patch_size");
        if (patchSize <= 0 || imageSize < patchSize) {
            throw new UnsupportedConfigException(source + " sets image_size " + imageSize + " and patch_size "
                    + patchSize + ": an image must hold at least one patch");
        }
        // int(ratio * hidden_size), as GroupViTTokenAssign sizes its MLPs
        return new GroupVitVisionOptions(tower, depths, groupTokens, outputGroups,
                (long) (ratios[0] * tower.hiddenSize()), (long) (ratios[1] * tower.hiddenSize()),
                config.doubleValue("assign_eps"), config.doubleValue("layer_norm_eps"), imageSize, patchSize,
                config.intValue("num_channels"));
    }

    /** {@code assign_mlp_ratio}: one number for both MLPs, or [tokens, channels]. */
    private static double[] assignRatios(ModelConfig config) {
        List<Double> ratios = config.doubleList("assign_mlp_ratio");
        if (ratios.size() == 1) {
            return new double[] {ratios.get(0), ratios.get(0)};
        }
        if (ratios.size() != 2) {
            throw new UnsupportedConfigException(config.source() + " sets assign_mlp_ratio " + ratios
                    + "; it must be one number or two ([tokens, channels])");
        }
        return new double[] {ratios.get(0), ratios.get(1)};
    }

    long patchCount() {
        long side = imageSize / patchSize;
        return side * side;
    }
}
