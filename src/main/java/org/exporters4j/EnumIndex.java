package org.exporters4j;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The constants of one enum by one of their spellings (a safetensors dtype name, an ONNX data type code, the name
 * Optimum writes): built once from {@code values()}, in declaration order, and refusing two constants with the same
 * spelling, so a lookup can never depend on which of them comes first.
 *
 * <p>Contract: {@link #find} answers the constant or empty, never an error; each caller writes its own error, naming
 * the value, the valid choices ({@link #keys}) and the fix, as the house style asks.
 *
 * @param <E> the enum
 * @param <K> the spelling
 */
public final class EnumIndex<E extends Enum<E>, K> {
    private final Map<K, E> byKey;

    private EnumIndex(Map<K, E> byKey) {
        this.byKey = byKey;
    }

    /** The constants of {@code type} by {@code key}; an {@link IllegalStateException} if two share a key. */
    public static <E extends Enum<E>, K> EnumIndex<E, K> of(Class<E> type, Function<E, K> key) {
        Map<K, E> byKey = new LinkedHashMap<>();
        for (E constant : type.getEnumConstants()) {
            K spelling = Objects.requireNonNull(key.apply(constant), constant + " has no key");
            E clash = byKey.putIfAbsent(spelling, constant);
            if (clash != null) {
                throw new IllegalStateException(type.getSimpleName() + "." + clash + " and " + constant
                        + " are both spelt " + spelling + "; give each constant its own spelling");
            }
        }
        return new EnumIndex<>(Collections.unmodifiableMap(byKey));
    }

    /** The constant spelt {@code key}, or empty (also for null). */
    public Optional<E> find(K key) {
        return key == null ? Optional.empty() : Optional.ofNullable(byKey.get(key));
    }

    /** Every spelling in declaration order, joined by {@code ", "}, for error messages. */
    public String keys() {
        return byKey.keySet().stream().map(String::valueOf).collect(Collectors.joining(", "));
    }

    /** Every constant written by {@code format} in declaration order, joined by {@code ", "}, for error messages. */
    public String choices(Function<? super E, String> format) {
        return byKey.values().stream().map(format).collect(Collectors.joining(", "));
    }
}
