package org.exporters4j.tasks;

/**
 * The sizes of the dummy inputs an export traces and validates with. {@link #OPTIMUM_DEFAULTS} are the defaults of
 * Optimum v1.5.2's dummy input generators ({@code optimum/utils/input_generators.py}).
 *
 * <p>As in Optimum, a model config that fixes a size wins over these: {@code image_size} and {@code num_channels}
 * of vision configs, the mel bins and source positions of speech configs.
 *
 * @param batchSize rows of every input
 * @param sequenceLength tokens per row of text inputs (and of decoder inputs without a cache)
 * @param numChoices choices per row for multiple-choice inputs
 * @param pastSequenceLength tokens already in the cache of {@code -with-past} inputs
 * @param height image height when the config has no image size
 * @param width image width when the config has no image size
 * @param numChannels image channels when the config does not say
 * @param featureSize audio feature bins (mel bins) when the config does not say
 * @param numberOfFrames audio frames when the config does not say
 */
public record DummyShapes(int batchSize, int sequenceLength, int numChoices, int pastSequenceLength, int height,
        int width, int numChannels, int featureSize, int numberOfFrames) {

    /** Optimum v1.5.2: batch 2, sequence 16, 4 choices, cache 16, 224×224×3 images, 80 mel bins × 3000 frames. */
    public static final DummyShapes OPTIMUM_DEFAULTS = new DummyShapes(2, 16, 4, 16, 224, 224, 3, 80, 3000);

    public DummyShapes {
        requirePositive("batchSize", batchSize);
        requirePositive("sequenceLength", sequenceLength);
        requirePositive("numChoices", numChoices);
        requirePositive("pastSequenceLength", pastSequenceLength);
        requirePositive("height", height);
        requirePositive("width", width);
        requirePositive("numChannels", numChannels);
        requirePositive("featureSize", featureSize);
        requirePositive("numberOfFrames", numberOfFrames);
    }

    public DummyShapes withBatchSize(int value) {
        return new DummyShapes(value, sequenceLength, numChoices, pastSequenceLength, height, width, numChannels,
                featureSize, numberOfFrames);
    }

    public DummyShapes withSequenceLength(int value) {
        return new DummyShapes(batchSize, value, numChoices, pastSequenceLength, height, width, numChannels,
                featureSize, numberOfFrames);
    }

    public DummyShapes withNumChoices(int value) {
        return new DummyShapes(batchSize, sequenceLength, value, pastSequenceLength, height, width, numChannels,
                featureSize, numberOfFrames);
    }

    public DummyShapes withPastSequenceLength(int value) {
        return new DummyShapes(batchSize, sequenceLength, numChoices, value, height, width, numChannels,
                featureSize, numberOfFrames);
    }

    public DummyShapes withImageSize(int newHeight, int newWidth) {
        return new DummyShapes(batchSize, sequenceLength, numChoices, pastSequenceLength, newHeight, newWidth,
                numChannels, featureSize, numberOfFrames);
    }

    private static void requirePositive(String name, int value) {
        if (value <= 0) {
            throw new IllegalArgumentException("dummy shape " + name + " must be positive, got " + value);
        }
    }
}
