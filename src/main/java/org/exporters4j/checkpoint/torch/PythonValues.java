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
    private PythonValues() {}

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
