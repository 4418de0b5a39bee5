package org.exporters4j.onnx;

import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * The builder of a table keyed by operator type ({@link OperatorTable}, {@link OutputTypes}): one row per operator,
 * collected once into an unmodifiable map sorted by operator; an operator listed twice is rejected, naming the table.
 *
 * @param <V> what a row says about its operator
 */
final class OperatorRows<V> {
    private final String table;
    private final Map<String, V> rows = new TreeMap<>();

    OperatorRows(String table) {
        this.table = table;
    }

    OperatorRows<V> row(String opType, V value) {
        if (rows.putIfAbsent(opType, value) != null) {
            throw new IllegalStateException("operator " + opType + " appears twice in " + table);
        }
        return this;
    }

    Map<String, V> build() {
        return Collections.unmodifiableMap(new TreeMap<>(rows));
    }
}
