package org.exporters4j.checkpoint.torch;

import java.nio.ByteBuffer;
import java.util.List;
import org.exporters4j.checkpoint.DType;

/**
 * The Python values the unpickler builds, as plain data. {@code int} is a {@link Long} (a {@link java.math.BigInteger}
 * beyond 64 bits), {@code float} a {@link Double}, {@code bool} a {@link Boolean}, {@code str} a {@link String},
 * {@code list} an {@link java.util.ArrayList}, {@code dict} (and {@code OrderedDict}) a {@link java.util.LinkedHashMap};
 * the records below stand for the rest. None of them can run code.
 */
final class PythonValues {
    /** The characters {@link #show} writes before it stops with "...". */
    private static final int SHOWN_CHARS = 80;
    /** How deep {@link #show} descends into nested containers (which keeps its recursion shallow). */
    private static final int SHOWN_DEPTH = 6;

    private PythonValues() {}

    /**
     * A value as one short line for a message, in Python's notation: at most about {@value #SHOWN_CHARS}
     * characters, containers shown {@value #SHOWN_DEPTH} levels deep, a container inside itself as {@code [...]}
     * (as Python's repr), control characters as {@code ?}. Safe on any value an unpickler builds: a list containing
     * itself, a list nested a million deep, a dict of a million entries.
     */
    static String show(Object value) {
        StringBuilder text = new StringBuilder();
        append(text, value, java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>()), 0);
        String line = text.toString().replaceAll("\\p{Cntrl}", "?");
        return line.length() > SHOWN_CHARS ? line.substring(0, SHOWN_CHARS - 3) + "..." : line;
    }

    private static void append(StringBuilder text, Object value, java.util.Set<Object> open, int depth) {
        if (text.length() > SHOWN_CHARS) {
            return;
        }
        boolean container = value instanceof java.util.List || value instanceof java.util.Map
                || value instanceof Tuple;
        if (container && (depth >= SHOWN_DEPTH || !open.add(value))) {
            text.append(value instanceof java.util.Map ? "{...}" : value instanceof Tuple ? "(...)" : "[...]");
            return;
        }
        if (value instanceof java.util.List<?> list) {
            text.append('[');
            items(text, list, open, depth);
            text.append(']');
        } else if (value instanceof Tuple tuple) {
            text.append('(');
            items(text, tuple.items(), open, depth);
            text.append(tuple.size() == 1 ? ",)" : ")");
        } else if (value instanceof java.util.Map<?, ?> map) {
            text.append('{');
            String separator = "";
            for (java.util.Map.Entry<?, ?> entry : map.entrySet()) {
                if (text.length() > SHOWN_CHARS) {
                    break;
                }
                text.append(separator);
                append(text, entry.getKey(), open, depth + 1);
                text.append(": ");
                append(text, entry.getValue(), open, depth + 1);
                separator = ", ";
            }
            text.append('}');
        } else if (value instanceof String string) {
            text.append('\'').append(string, 0, Math.min(string.length(), SHOWN_CHARS)).append('\'');
        } else if (value instanceof Bytes bytes) {
            text.append("b<").append(bytes.data().remaining()).append(" bytes>");
        } else if (value == None.NONE) {
            text.append("None");
        } else if (value instanceof Boolean bool) {
            text.append(bool ? "True" : "False");
        } else {
            String shown = String.valueOf(value); // numbers (at most 4,300 digits), storages, tensors, globals
            text.append(shown, 0, Math.min(shown.length(), SHOWN_CHARS));
        }
        if (container) {
            open.remove(value);
        }
    }

    private static void items(StringBuilder text, java.util.List<?> items, java.util.Set<Object> open, int depth) {
        String separator = "";
        for (Object item : items) {
            if (text.length() > SHOWN_CHARS) {
                break;
            }
            text.append(separator);
            append(text, item, open, depth + 1);
            separator = ", ";
        }
    }

    /** Python's {@code None}. */
    enum None {
        NONE
    }

    /** An immutable Python tuple (hashable, so it can be a dict key). */
    record Tuple(List<Object> items) {
        Tuple {
            items = java.util.Collections.unmodifiableList(new java.util.ArrayList<>(items)); // may hold None
        }

        int size() {
            return items.size();
        }

        Object get(int index) {
            return items.get(index);
        }

        /** Python's notation, short and safe on nested or cyclic items ({@link PythonValues#show}). */
        @Override
        public String toString() {
            return show(this);
        }
    }

    /** Python {@code bytes}; a read-only buffer, so equality is by content. */
    record Bytes(ByteBuffer data) {
        Bytes {
            data = data.asReadOnlyBuffer();
        }
    }

    /** A PyTorch storage class ({@code torch.FloatStorage} ...) named in a persistent id: the element type. */
    record StorageType(DType dtype) {}

    /**
     * A storage a persistent id refers to: its key (the zip record {@code data/<key>}, or the legacy file's
     * storage key), element type, and for a legacy storage view the first element and length of the view.
     */
    record StorageReference(String key, DType dtype, long elementOffset, long elementCount) {}

    /** What {@code torch._utils._rebuild_tensor_v2} returns: a view of a storage. */
    record TensorReference(StorageReference storage, long storageOffset, List<Long> size, List<Long> stride) {
        TensorReference {
            size = List.copyOf(size);
            stride = List.copyOf(stride);
        }
    }
}
