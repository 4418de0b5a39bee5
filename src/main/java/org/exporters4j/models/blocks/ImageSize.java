package org.exporters4j.models.blocks;

import java.util.List;
import org.exporters4j.checkpoint.ModelConfig;
import org.exporters4j.checkpoint.ModelConfigException;
import org.exporters4j.models.UnsupportedConfigException;

/**
 * A two-dimensional size from config.json, written as one integer for a square ({@code image_size: 224}) or as
 * {@code [height, width]} (YOLOS's {@code image_size: [512, 864]}), as Transformers' vision embeddings read it.
 */
public record ImageSize(int height, int width) {
    public ImageSize {
        if (height <= 0 || width <= 0) {
            throw new IllegalArgumentException("an image size needs a positive height and width, got " + height
                    + " x " + width);
        }
    }

    /** The size under {@code key}: an integer or a two-element list. */
    public static ImageSize fromConfig(ModelConfig config, String key) {
        try {
            int side = config.intValue(key);
            return positive(config, key, side, side);
        } catch (ModelConfigException notAnInteger) {
            List<Integer> values = config.intList(key);
            if (values.size() != 2) {
                throw new UnsupportedConfigException(config.source() + ": \"" + key + "\" must be an integer or "
                        + "[height, width], found " + values);
            }
            return positive(config, key, values.get(0), values.get(1));
        }
    }

    /** The number of whole {@code patch} cells along each side (Transformers' {@code size // patch_size}). */
    public ImageSize cells(ImageSize patch) {
        return new ImageSize(height / patch.height, width / patch.width);
    }

    /**
     * The patch grid of an image of this size as config.json {@code source} sets both; an image smaller than one
     * patch is refused, naming the keys.
     */
    public ImageSize patchGrid(ImageSize patch, String source) {
        if (height < patch.height || width < patch.width) {
            throw new UnsupportedConfigException(source + ": image_size " + this + " holds no whole patch of "
                    + "patch_size " + patch + "; make image_size at least patch_size");
        }
        return cells(patch);
    }

    public long area() {
        return (long) height * width;
    }

    @Override
    public String toString() {
        return height == width ? Integer.toString(height) : "[" + height + ", " + width + "]";
    }

    private static ImageSize positive(ModelConfig config, String key, int height, int width) {
        if (height <= 0 || width <= 0) {
            throw new UnsupportedConfigException(config.source() + ": \"" + key + "\" must be positive, found "
                    + height + " x " + width);
        }
        return new ImageSize(height, width);
    }
}
