package org.exporters4j.models.llama;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import org.exporters4j.checkpoint.ModelConfig;
import org.exporters4j.models.UnsupportedConfigException;

/** The sliding window of each layer of a Llama-family model, as its Transformers attention class sets it. */
final class LlamaWindows {
    private LlamaWindows() {}

    /**
     * One entry per layer: the window size, or empty for full attention.
     *
     * @throws UnsupportedConfigException for a window the config asks for but does not size, a bad size or list
     */
    static List<OptionalLong> of(ModelConfig config, LlamaFlavor.SlidingWindow rule, int layers, String modelType) {
        OptionalLong window = config.optionalInt("sliding_window").map(OptionalLong::of).orElse(OptionalLong.empty());
        List<Boolean> windowed = new ArrayList<>();
        switch (rule) {
            case NONE -> {
                if (config.isSetInFile("sliding_window") && window.isPresent()) {
                    throw new UnsupportedConfigException(config.source() + " sets sliding_window "
                            + window.getAsLong() + ", which " + modelType + " does not use; remove it or export the "
                            + "checkpoint as the model type that defines it (mistral, qwen2, qwen3, gemma2, "
                            + "gemma3-text, mixtral, phi3, starcoder2)");
                }
                for (int layer = 0; layer < layers; layer++) {
                    windowed.add(false);
                }
            }
            case EVERY_LAYER -> {
                for (int layer = 0; layer < layers; layer++) {
                    windowed.add(window.isPresent());
                }
            }
            case FROM_MAX_WINDOW_LAYERS -> {
                List<String> types = config.stringList("layer_types");
                boolean sliding = config.optionalBoolean("use_sliding_window").orElse(false);
                int firstWindowed = config.optionalInt("max_window_layers").orElse(layers);
                if (!types.isEmpty() && types.size() != layers) {
                    throw new UnsupportedConfigException(config.source() + " lists " + types.size()
                            + " layer_types for " + layers + " layers; list one per layer");
                }
                for (int layer = 0; layer < layers; layer++) {
                    if (!types.isEmpty()) {
                        String type = types.get(layer);
                        if (!type.equals("sliding_attention") && !type.equals("full_attention")) {
                            throw new UnsupportedConfigException(config.source() + " sets layer_types[" + layer
                                    + "] \"" + type + "\"; use sliding_attention or full_attention");
                        }
                        windowed.add(type.equals("sliding_attention"));
                    } else {
                        windowed.add(sliding && layer >= firstWindowed);
                    }
                }
            }
            case EVEN_LAYERS -> {
                for (int layer = 0; layer < layers; layer++) {
                    windowed.add(layer % 2 == 0);
                }
            }
            case ALL_BUT_EVERY_PATTERN_TH -> {
                int pattern = config.intValue("sliding_window_pattern");
                if (pattern <= 0) {
                    throw new UnsupportedConfigException(config.source() + " sets sliding_window_pattern " + pattern
                            + "; it must be positive (every pattern-th layer attends globally)");
                }
                for (int layer = 0; layer < layers; layer++) {
                    windowed.add((layer + 1) % pattern != 0);
                }
            }
        }
        List<OptionalLong> result = new ArrayList<>();
        for (int layer = 0; layer < layers; layer++) {
            if (!windowed.get(layer)) {
                result.add(OptionalLong.empty());
                continue;
            }
            if (window.isEmpty()) {
                throw new UnsupportedConfigException(config.source() + ": layer " + layer + " uses sliding-window "
                        + "attention but sliding_window is null; set the window size");
            }
            if (window.getAsLong() <= 0) {
                throw new UnsupportedConfigException(config.source() + " sets sliding_window " + window.getAsLong()
                        + "; the window must hold at least one token");
            }
            result.add(window);
        }
        return List.copyOf(result);
    }
}
