package org.exporters4j.tasks;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The parameters of a Transformers model class's {@code forward}, in declaration order, from the first up to the last
 * one that can carry an exported input (later parameters cannot change the order). The exported graph takes its
 * inputs in this order: as Optimum v1.5.2's {@code OnnxConfig.ordered_inputs}, each parameter in turn claims the
 * inputs whose name it starts ({@code re.match(param + r"(\.\d*)?", name)}, so {@code past_key_values} claims every
 * {@code past_key_values.*} input, in their own order); an input that no parameter claims is not a graph input.
 * Here the parameter {@value #CACHE_PARAMETER} claims the cache inputs by their type, not by their names.
 */
record ForwardSignature(List<String> parameters) {
    /** The forward parameter that takes the cache tensors. */
    static final String CACHE_PARAMETER = "past_key_values";

    ForwardSignature {
        parameters = List.copyOf(parameters);
        if (parameters.isEmpty() || parameters.stream().distinct().count() != parameters.size()) {
            throw new IllegalArgumentException("a forward signature lists distinct parameters: " + parameters);
        }
    }

    static ForwardSignature of(String... parameters) {
        return new ForwardSignature(List.of(parameters));
    }

    /** The inputs re-ordered as the exported graph takes them, unclaimed ones left out. */
    List<DynamicTensor> order(List<DynamicTensor> inputs) {
        Map<String, DynamicTensor> ordered = new LinkedHashMap<>();
        for (String parameter : parameters) {
            for (DynamicTensor input : inputs) {
                boolean claimed = input.cache().isPresent() ? parameter.equals(CACHE_PARAMETER)
                        : input.name().startsWith(parameter);
                if (claimed) {
                    ordered.putIfAbsent(input.name(), input);
                }
            }
        }
        return List.copyOf(new ArrayList<>(ordered.values()));
    }
}
