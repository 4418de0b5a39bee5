package org.exporters4j.models;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * One key/value cache tensor of a graph with past: whether it is the past fed in or the present returned, the
 * decoder layer, which attention it caches, and key or value. Package {@code tasks} declares the interface with
 * these values and the builders read them; the name Optimum gives the tensor is rendered here, once, and never read
 * back ({@link #name()}).
 *
 * <p>Optimum v1.5.2's names: a decoder-only model's cache is {@code past_key_values.{i}.key} / {@code .value} in and
 * {@code present.{i}.key} / {@code .value} out ({@code OnnxConfigWithPast.add_past_key_values}); a seq2seq model's
 * is {@code past_key_values.{i}.decoder.key} … for the decoder's self-attention and
 * {@code past_key_values.{i}.encoder.key} … for its cross-attention over the encoder output
 * ({@code OnnxSeq2SeqConfigWithPast.add_past_key_values}).
 */
public record CacheTensor(Direction direction, int layer, Attention attention, Part part) {

    /** Fed in or returned. */
    public enum Direction {
        /** A graph input: the cache of earlier steps. */
        PAST("past_key_values"),
        /** A graph output: the cache after this step. */
        PRESENT("present");

        private final String prefix;

        Direction(String prefix) {
            this.prefix = prefix;
        }
    }

    /** Which attention the tensor caches. */
    public enum Attention {
        /** A decoder-only model's self-attention (no infix in Optimum's name). */
        SELF(""),
        /** A seq2seq decoder's self-attention ({@code .decoder.} in Optimum's name). */
        DECODER_SELF("decoder."),
        /** A seq2seq decoder's cross-attention over the encoder output ({@code .encoder.} in Optimum's name). */
        ENCODER_CROSS("encoder.");

        private final String infix;

        Attention(String infix) {
            this.infix = infix;
        }
    }

    /** The key, the value, or both in one tensor. */
    public enum Part {
        KEY("key"),
        VALUE("value"),
        /**
         * GPT-BigCode's cache: key and value side by side on the last axis of one tensor
         * ({@code past_key_values.{i}.key_value}, Optimum's {@code GPTBigCodeOnnxConfig.add_past_key_values}).
         */
        KEY_VALUE("key_value");

        private final String suffix;

        Part(String suffix) {
            this.suffix = suffix;
        }
    }

    public CacheTensor {
        Objects.requireNonNull(direction, "direction");
        Objects.requireNonNull(attention, "attention");
        Objects.requireNonNull(part, "part");
        if (layer < 0) {
            throw new IllegalArgumentException("a cache tensor's layer is 0 or more, got " + layer);
        }
    }

    /** Optimum's name of the tensor, e.g. {@code past_key_values.3.key} or {@code present.0.encoder.value}. */
    public String name() {
        return direction.prefix + "." + layer + "." + attention.infix + part.suffix;
    }

    /** The same tensor in the other direction: the present a past came from, or the past a present feeds. */
    public CacheTensor opposite() {
        return new CacheTensor(direction == Direction.PAST ? Direction.PRESENT : Direction.PAST, layer, attention, part);
    }

    /**
     * A cache of {@code layers} layers in Optimum's order: layer by layer, each with the given attentions in turn,
     * key before value, each its own tensor (decoder-only: {@code 0.key, 0.value, 1.key …}; seq2seq: {@code 0.decoder.key,
     * 0.decoder.value, 0.encoder.key, 0.encoder.value, 1.decoder.key …}).
     */
    public static List<CacheTensor> layers(Direction direction, int layers, List<Attention> attentions) {
        if (layers < 1 || attentions.isEmpty()) {
            throw new IllegalArgumentException("a cache has at least one layer and one attention, got " + layers
                    + " layers of " + attentions);
        }
        List<CacheTensor> cache = new ArrayList<>();
        for (int layer = 0; layer < layers; layer++) {
            for (Attention attention : attentions) {
                for (Part part : List.of(Part.KEY, Part.VALUE)) {
                    cache.add(new CacheTensor(direction, layer, attention, part));
                }
            }
        }
        return List.copyOf(cache);
    }

    /**
     * A decoder-only cache of {@code layers} layers kept as one key/value tensor per layer (GPT-BigCode):
     * {@code 0.key_value, 1.key_value …}.
     */
    public static List<CacheTensor> fusedLayers(Direction direction, int layers) {
        if (layers < 1) {
            throw new IllegalArgumentException("a cache has at least one layer, got " + layers);
        }
        List<CacheTensor> cache = new ArrayList<>();
        for (int layer = 0; layer < layers; layer++) {
            cache.add(new CacheTensor(direction, layer, Attention.SELF, Part.KEY_VALUE));
        }
        return List.copyOf(cache);
    }

    @Override
    public String toString() {
        return name();
    }
}
