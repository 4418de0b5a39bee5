package org.exporters4j.tasks;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import org.exporters4j.checkpoint.ModelConfig;
import org.exporters4j.checkpoint.ModelConfigException;
import org.exporters4j.models.CacheTensor;
import org.exporters4j.models.CacheTensor.Attention;
import org.exporters4j.models.CacheTensor.Part;
import org.exporters4j.onnx.ElementType;

/**
 * Makes the dummy inputs of an {@link ExportConfig}, input by input in graph order, after Optimum v1.5.2's generators
 * ({@code optimum/utils/input_generators.py}): the same names, shapes and value ranges, with these deliberate
 * differences, each so that the model can actually run on them:
 * <ul>
 *   <li>attention masks are ones with right padding on every row but the first (Optimum draws each element 0 or 1,
 *       which can mask a whole row); {@code token_type_ids} are 0 on the first half of a row and 1 on the second,
 *       or all 0 when the config's {@code type_vocab_size} is 1;</li>
 *   <li>{@code bbox} holds real boxes (x0 ≤ x1, y0 ≤ y1) within the layout grid (Optimum's are all 0) and
 *       {@code pixel_mask} is all ones (Optimum's is all 0, i.e. every pixel padding);</li>
 *   <li>BART-style sequence classification ends every row with one EOS token (Optimum inserts EOS at random
 *       positions, which fails when rows get different counts);</li>
 *   <li>image sizes come from the config wherever it has one, for Perceiver and LayoutLMv3 too (Optimum uses 224 for
 *       those two), and speech features from {@code num_mel_bins} and {@code 2 × max_source_positions};</li>
 *   <li>caches are shaped with the decoder's layer and head counts (Optimum uses the encoder's for some types; the
 *       same whenever the counts are equal) and Whisper's cross-attention cache with the encoder's output length.</li>
 * </ul>
 * Values are drawn from one {@link SplittableRandom} seeded with the caller's seed, so the same shapes and seed give
 * the same inputs.
 */
final class DummyInputGenerator {
    /** Raw audio samples per row, Optimum 1.25.3's DEFAULT_DUMMY_SHAPES["audio_sequence_length"]. */
    private static final int AUDIO_SAMPLES = 16000;

    /** SAM's prompts per image and points per prompt: Optimum 1.25.3's DEFAULT_DUMMY_SHAPES. */
    private static final long POINT_BATCH_SIZE = 3;
    private static final long POINTS_PER_PROMPT = 2;

    /** LayoutLM's boxes are on a 0..1000 grid (also bounded by max_2d_position_embeddings - 1). */
    private static final int LAYOUT_GRID = 1000;

    /**
     * The most elements one validation input may have (256 MiB of float32): 2 images of 3 × 3000 × 3000 pixels (54
     * million) fit, far above the dummy inputs of published checkpoints (SAM's 2 × 3 × 1024 × 1024 is 6.3 million).
     */
    static final long MAX_ELEMENTS = 1L << 26;

    private final ExportConfig export;
    private final OnnxModelRow row;
    private final ModelConfig config;
    private final DummyShapes shapes;
    private final SplittableRandom random;

    private DummyInputGenerator(ExportConfig export, OnnxModelRow row, DummyShapes shapes, long seed) {
        this.export = export;
        this.row = row;
        this.config = export.modelConfig();
        this.shapes = shapes;
        this.random = new SplittableRandom(seed);
    }

    static DummyInputs generate(ExportConfig export, OnnxModelRow row, DummyShapes shapes, long seed) {
        if (shapes == null) {
            throw new IllegalArgumentException("dummy shapes are required (DummyShapes.OPTIMUM_DEFAULTS for Optimum's)");
        }
        DummyInputGenerator generator = new DummyInputGenerator(export, row, shapes, seed);
        List<DummyTensor> tensors = new ArrayList<>();
        for (DynamicTensor input : export.inputs()) {
            tensors.add(generator.generate(input));
        }
        return new DummyInputs(tensors);
    }

    private DummyTensor generate(DynamicTensor input) {
        String name = input.name();
        if (input.cache().isPresent()) {
            return floats(name, cacheShape(input.cache().get()), 0f, 1f);
        }
        return switch (name) {
            case "input_ids" -> tokenIds(name, textShape());
            case "position_ids" -> positions(name);
            case "decoder_input_ids" -> tokenIds(name, List.of((long) shapes.batchSize(),
                    (long) (export.task().usesPast() ? 1 : shapes.sequenceLength())));
            case "attention_mask" -> attentionMask(name);
            // the decoder parts of Optimum 1.25.3's encoder-decoder split: the encoder's mask and output
            case "encoder_attention_mask" -> mask(name, textShape(), shapes.sequenceLength());
            case "encoder_hidden_states" -> floats(name, List.of((long) shapes.batchSize(),
                    Seq2SeqSplit.readsAudioFeatures(row.family())
                            ? (long) frames() / 2 : (long) shapes.sequenceLength(),
                    (long) row.attributes().intValue(config, ConfigAttribute.HIDDEN_SIZE)), -1f, 1f);
            case "decoder_attention_mask" -> mask(name, List.of((long) shapes.batchSize(),
                    (long) shapes.sequenceLength()), shapes.sequenceLength());
            case "token_type_ids" -> tokenTypeIds(name, textShape());
            case "bbox" -> boxes(name);
            case "pixel_values" -> floats(name, List.of((long) shapes.batchSize(), (long) channels(),
                    (long) imageSize().get(0), (long) imageSize().get(1)), 0f, 1f);
            case "pixel_mask" -> ones(name, List.of((long) shapes.batchSize(), (long) imageSize().get(0),
                    (long) imageSize().get(1)));
            // Optimum 1.25.3's DummyAudioInputGenerator: audio_sequence_length 16000 samples
            case "input_values" -> floats(name, List.of((long) shapes.batchSize(), (long) AUDIO_SAMPLES), -1f, 1f);
            case "input_features" -> floats(name, List.of((long) shapes.batchSize(), (long) melBins(),
                    (long) frames()), -1f, 1f);
            // Optimum 1.25.3's DummyPointsGenerator and DummyVisionEmbeddingsGenerator (SAM)
            case "input_points" -> floats(name, List.of((long) shapes.batchSize(), POINT_BATCH_SIZE,
                    POINTS_PER_PROMPT, 2L), 0f, (float) samPrompt().intValue("image_size"));
            case "input_labels" -> labels(name, List.of((long) shapes.batchSize(), POINT_BATCH_SIZE,
                    POINTS_PER_PROMPT));
            case "image_embeddings", "image_positional_embeddings" -> floats(name, samEmbeddingsShape(), -1f, 1f);
            default -> throw new IllegalStateException("no dummy input generator for input " + name + " of "
                    + export.configClassName() + "; add one to DummyInputGenerator");
        };
    }

    /** Text input shape: (batch, sequence), or (batch, choices, sequence) for multiple choice. */
    private List<Long> textShape() {
        if (export.task().task() == Task.MULTIPLE_CHOICE) {
            return List.of((long) shapes.batchSize(), (long) shapes.numChoices(), (long) shapes.sequenceLength());
        }
        return List.of((long) shapes.batchSize(), (long) shapes.sequenceLength());
    }

    /**
     * Whether the graph takes a cache: a {@code -with-past} task whose interface lists past tensors (Optimum
     * 1.25.3's {@code feature-extraction-with-past} of a decoder only returns the present).
     */
    private boolean takesPast() {
        return export.task().usesPast() && export.inputs().stream()
                .anyMatch(input -> input.cache().filter(cache -> cache.direction() == CacheTensor.Direction.PAST)
                        .isPresent());
    }

    /** A decoder-only cache extends the mask over the past tokens (Optimum's PAD_ATTENTION_MASK_TO_MATCH_TOTAL_SEQUENCE_LENGTH). */
    private DummyTensor attentionMask(String name) {
        boolean decoderCache = takesPast() && (row.family().padsMaskToPast()
                || ((row.family() == OnnxFamily.BART_SEQ2SEQ || row.family() == OnnxFamily.BART_SEQ2SEQ_OPTIMUM_1_25_3)
                        && export.task().task() == Task.CAUSAL_LM));
        if (decoderCache) {
            return mask(name, List.of((long) shapes.batchSize(),
                    (long) shapes.pastSequenceLength() + shapes.sequenceLength()), shapes.sequenceLength());
        }
        return mask(name, textShape(), shapes.sequenceLength());
    }

    /**
     * {@code [batch, sequence]} positions {@code past … past + sequence − 1} on every row, where the new tokens sit
     * after the cache (Optimum draws 0 or 1 at random; real positions make the first-row check meaningful).
     */
    private DummyTensor positions(String name) {
        long past = takesPast() ? shapes.pastSequenceLength() : 0;
        List<Long> shape = textShape();
        long rowLength = shape.get(shape.size() - 1);
        long count = elements(name, shape);
        ByteBuffer data = buffer(count, ElementType.INT64);
        for (long i = 0; i < count; i++) {
            data.putLong(past + i % rowLength);
        }
        return tensor(name, ElementType.INT64, shape, data);
    }

    private DummyTensor tokenIds(String name, List<Long> shape) {
        int vocabSize = row.attributes().intValue(config, ConfigAttribute.VOCAB_SIZE);
        if (vocabSize < 1) {
            throw new ModelConfigException(config.source() + ": vocab_size must be positive, got " + vocabSize);
        }
        boolean eosEndsRow = name.equals("input_ids") && export.task().task() == Task.SEQUENCE_CLASSIFICATION
                && row.boundaryToken() == OnnxModelRow.BoundaryToken.EOS_ENDS_EACH_ROW_FOR_SEQUENCE_CLASSIFICATION;
        int eos = eosEndsRow ? row.attributes().intValue(config, ConfigAttribute.EOS_TOKEN_ID) : -1;
        if (eosEndsRow && (eos < 0 || eos >= vocabSize || vocabSize < 2)) {
            throw new ModelConfigException(config.source() + ": eos_token_id " + eos + " must be a token id below "
                    + "vocab_size " + vocabSize + " for sequence classification");
        }
        long count = elements(name, shape);
        long rowLength = shape.get(shape.size() - 1);
        ByteBuffer data = buffer(count, ElementType.INT64);
        for (long i = 0; i < count; i++) {
            long id;
            if (eosEndsRow) {
                if (i % rowLength == rowLength - 1) {
                    id = eos;
                } else {
                    int drawn = random.nextInt(vocabSize - 1);
                    id = drawn >= eos ? drawn + 1 : drawn;
                }
            } else {
                id = random.nextInt(vocabSize);
            }
            data.putLong(id);
        }
        return tensor(name, ElementType.INT64, shape, data);
    }

    /**
     * Ones, with 0 to half of the last {@code paddable} positions padded (0) on every row but the first; at least the
     * first position of a row stays 1.
     */
    private DummyTensor mask(String name, List<Long> shape, int paddable) {
        long count = elements(name, shape);
        int rowLength = Math.toIntExact(shape.get(shape.size() - 1));
        int maxPadding = Math.min(paddable / 2, rowLength - 1);
        ByteBuffer data = buffer(count, ElementType.INT64);
        for (long rowIndex = 0; rowIndex < count / rowLength; rowIndex++) {
            int padding = rowIndex == 0 || maxPadding <= 0 ? 0 : random.nextInt(maxPadding + 1);
            for (int position = 0; position < rowLength; position++) {
                data.putLong(position < rowLength - padding ? 1 : 0);
            }
        }
        return tensor(name, ElementType.INT64, shape, data);
    }

    private DummyTensor tokenTypeIds(String name, List<Long> shape) {
        int typeVocabSize = row.attributes().optionalInt(config, ConfigAttribute.TYPE_VOCAB_SIZE).orElse(2);
        long count = elements(name, shape);
        long rowLength = shape.get(shape.size() - 1);
        ByteBuffer data = buffer(count, ElementType.INT64);
        for (long i = 0; i < count; i++) {
            boolean secondSegment = i % rowLength >= rowLength / 2;
            data.putLong(secondSegment && typeVocabSize >= 2 ? 1 : 0);
        }
        return tensor(name, ElementType.INT64, shape, data);
    }

    /** (batch, sequence, 4) boxes x0, y0, x1, y1 with x0 ≤ x1 and y0 ≤ y1, inside the layout grid. */
    private DummyTensor boxes(String name) {
        int limit = LAYOUT_GRID;
        int maxPositions = row.attributes().optionalInt(config, ConfigAttribute.MAX_2D_POSITION_EMBEDDINGS)
                .orElse(LAYOUT_GRID + 1);
        limit = Math.max(0, Math.min(limit, maxPositions - 1));
        List<Long> shape = List.of((long) shapes.batchSize(), (long) shapes.sequenceLength(), 4L);
        ByteBuffer data = buffer(elements(name, shape), ElementType.INT64);
        for (long box = 0; box < (long) shapes.batchSize() * shapes.sequenceLength(); box++) {
            int x0 = random.nextInt(limit + 1);
            int y0 = random.nextInt(limit + 1);
            int x1 = x0 + random.nextInt(limit - x0 + 1);
            int y1 = y0 + random.nextInt(limit - y0 + 1);
            data.putLong(x0).putLong(y0).putLong(x1).putLong(y1);
        }
        return tensor(name, ElementType.INT64, shape, data);
    }

    private DummyTensor ones(String name, List<Long> shape) {
        long count = elements(name, shape);
        ByteBuffer data = buffer(count, ElementType.INT64);
        for (long i = 0; i < count; i++) {
            data.putLong(1);
        }
        return tensor(name, ElementType.INT64, shape, data);
    }

    /** SAM's point labels: 1 (the object) or 0 (not the object), drawn per point. */
    private DummyTensor labels(String name, List<Long> shape) {
        long count = elements(name, shape);
        ByteBuffer data = buffer(count, ElementType.INT64);
        for (long i = 0; i < count; i++) {
            data.putLong(random.nextInt(2));
        }
        return tensor(name, ElementType.INT64, shape, data);
    }

    /** SAM's prompt encoder configuration (image size of the points, the embedding grid). */
    private ModelConfig samPrompt() {
        return config.subConfig("prompt_encoder_config", "sam_prompt_encoder").orElseThrow();
    }

    /** SAM's image embeddings: {@code [batch, mask decoder hidden_size, grid, grid]}. */
    private List<Long> samEmbeddingsShape() {
        long channels = config.subConfig("mask_decoder_config", "sam_mask_decoder").orElseThrow()
                .intValue("hidden_size");
        long grid = samPrompt().intValue("image_embedding_size");
        return List.of((long) shapes.batchSize(), channels, grid, grid);
    }

    /** Uniform floats in [low, high), as Optimum's {@code random_float_tensor}. */
    private DummyTensor floats(String name, List<Long> shape, float low, float high) {
        long count = elements(name, shape);
        ByteBuffer data = buffer(count, ElementType.FLOAT);
        float scale = (high - low) / (1 << 24);
        for (long i = 0; i < count; i++) {
            data.putFloat(low + random.nextInt(1 << 24) * scale);
        }
        return tensor(name, ElementType.FLOAT, shape, data);
    }

    /** The shape of one cache tensor. */
    private List<Long> cacheShape(CacheTensor cache) {
        long batch = shapes.batchSize();
        int queryHeads = row.attributes().intValue(config, ConfigAttribute.NUM_ATTENTION_HEADS);
        int headDim = headDimension(queryHeads);
        // a grouped-query cache holds the key/value heads (Optimum 1.10 sized it by the query heads, and failed)
        int keyValueHeads = row.attributes().defines(ConfigAttribute.NUM_KEY_VALUE_HEADS)
                ? row.attributes().intValue(config, ConfigAttribute.NUM_KEY_VALUE_HEADS) : queryHeads;
        int heads = row.cacheLayout().heads(config).orElse(keyValueHeads);
        long past = shapes.pastSequenceLength();
        if (cache.attention() == Attention.ENCODER_CROSS) {
            long encoderLength = Seq2SeqSplit.readsAudioFeatures(row.family())
                    ? frames() / 2 : shapes.sequenceLength();
            return List.of(batch, (long) heads, encoderLength, (long) headDim);
        }
        if (row.cacheLayout() == OnnxModelRow.CacheLayout.GPT_BIGCODE_FUSED_KEY_VALUE) {
            return OnnxModelRow.CacheLayout.multiQuery(config) ? List.of(batch, past, 2L * headDim)
                    : List.of(batch, (long) queryHeads, past, 2L * headDim);
        }
        if (row.cacheLayout() == OnnxModelRow.CacheLayout.BLOOM_FUSED_BATCH_AND_HEADS) {
            return cache.part() == Part.KEY ? List.of(batch * heads, (long) headDim, past)
                    : List.of(batch * heads, past, (long) headDim);
        }
        return List.of(batch, (long) heads, past, (long) headDim);
    }

    /**
     * The cache's per-head width: the row's key/value width where the config (or its class's defaults) has it, else
     * the hidden size over the heads (Phi-3's, OLMo's and Starcoder2's configs have a {@code head_dim} only where
     * config.json sets one, and their attention then reads it).
     */
    private int headDimension(int heads) {
        if (row.attributes().defines(ConfigAttribute.KEY_VALUE_DIM)) {
            Optional<Integer> width = row.attributes().optionalInt(config, ConfigAttribute.KEY_VALUE_DIM);
            if (width.isPresent()) {
                return width.get();
            }
        }
        int hidden = row.attributes().intValue(config, ConfigAttribute.HIDDEN_SIZE);
        if (heads < 1 || hidden % heads != 0) {
            throw new ModelConfigException(config.source() + ": the hidden size " + hidden
                    + " must be a positive multiple of the attention head count " + heads);
        }
        return hidden / heads;
    }

    /** (height, width): the config's image size where it has one, else the requested shape. */
    private List<Integer> imageSize() {
        List<Integer> size = row.attributes().intOrPair(config, ConfigAttribute.IMAGE_SIZE);
        if (size.isEmpty()) {
            return List.of(shapes.height(), shapes.width());
        }
        return size.size() == 1 ? List.of(size.get(0), size.get(0)) : size;
    }

    private int channels() {
        return row.attributes().optionalInt(config, ConfigAttribute.NUM_CHANNELS).orElse(shapes.numChannels());
    }

    private int melBins() {
        return row.attributes().optionalInt(config, ConfigAttribute.NUM_MEL_BINS).orElse(shapes.featureSize());
    }

    private int frames() {
        return row.attributes().optionalInt(config, ConfigAttribute.MAX_SOURCE_POSITIONS)
                .map(positions -> 2 * positions).orElse(shapes.numberOfFrames());
    }

    /** {@code count} elements of {@code type}; the count is at most {@link #MAX_ELEMENTS} ({@link #elements}). */
    private static ByteBuffer buffer(long count, ElementType type) {
        return ByteBuffer.allocate(Math.toIntExact(count * type.byteWidth())).order(ByteOrder.LITTLE_ENDIAN);
    }

    /**
     * The element count of the dummy input {@code name} of {@code shape}, refused above {@link #MAX_ELEMENTS}: its
     * sizes come from config.json (image_size, num_channels, num_mel_bins, max_source_positions, the cache's heads),
     * and a config that asks for a 100000 × 100000 image must end in one line, not an allocation of 240 GB.
     */
    private long elements(String name, List<Long> shape) {
        long count = 1;
        for (long dimension : shape) {
            count = dimension > 0 && count > MAX_ELEMENTS / dimension ? MAX_ELEMENTS + 1 : count * dimension;
        }
        if (count > MAX_ELEMENTS) {
            throw new ModelConfigException(config.source() + ": the validation input " + name + " would have shape "
                    + shape + ", more than exporters4j's cap of " + MAX_ELEMENTS + " elements per validation input; "
                    + "the config's sizes (image_size, num_channels, num_mel_bins, max_source_positions, head counts) "
                    + "are implausible: check config.json, or pass --no-validate to export without validating");
        }
        return count;
    }

    private static DummyTensor tensor(String name, ElementType type, List<Long> shape, ByteBuffer data) {
        data.flip();
        return new DummyTensor(name, type, shape, data);
    }
}
