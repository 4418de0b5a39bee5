package org.exporters4j.checkpoint.h5;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import org.exporters4j.checkpoint.CheckpointException;
import org.exporters4j.checkpoint.CorruptCheckpointException;
import org.exporters4j.checkpoint.MissingTensorException;
import org.exporters4j.checkpoint.ModelConfig;
import org.exporters4j.checkpoint.TensorInfo;
import org.exporters4j.checkpoint.TensorLocation;
import org.exporters4j.checkpoint.Weights;
import org.exporters4j.checkpoint.WeightsFormat;

/**
 * A {@code tf_model.h5} presented as the PyTorch state dict Transformers builds from it when a PyTorch model loads TF
 * weights ({@code from_pretrained(..., from_tf=True)}, {@code load_tf2_weights_in_pytorch_model}), for the
 * architecture {@code config.json} names (TF's {@code save_pretrained} writes its class name without {@code TF}).
 *
 * <ul>
 *   <li>Names: {@link TensorFlowNames}; the base model prefix (e.g. {@code bert.}) is removed when the architecture is
 *       the bare base model (Transformers' {@code start_prefix_to_remove}); without {@code architectures} in the
 *       config, when every weight lies under the base model's scope.
 *   <li>Layouts: kernels are transposed as {@link Transpose} says; a TF Conv1D bias of shape {@code [1, n]} (GPT-2's)
 *       is PyTorch's {@code [n]} (Transformers squeezes it to the PyTorch parameter's rank).
 *   <li>Tied weights (output embeddings, shared token embeddings, decoder biases) appear under every PyTorch key and
 *       share one {@link #storageIdentity}; when tied, the TF file's own tensor of that key (if any) is unused, as
 *       PyTorch loads only the first of tied parameters.
 *   <li>Buffers PyTorch registers and saves (position ids, causal masks, BART's final logits bias) are computed with
 *       PyTorch's initial values, which loading TF weights leaves in place.
 * </ul>
 *
 * <p>Data: a weight TF stores contiguously in PyTorch's layout is a zero-copy slice of the memory-mapped file;
 * a transposed kernel is gathered into an off-heap buffer ({@link #bytes}) or streamed in pieces ({@link #transferTo}).
 * Safe for concurrent reads; {@link #close()} is idempotent and any other call afterwards is an
 * {@link IllegalStateException}.
 */
public final class TensorFlowWeights implements Weights {
    /** The file name Transformers' TF {@code save_pretrained} writes (its {@code TF2_WEIGHTS_NAME}). */
    public static final String FILE_NAME = "tf_model.h5";

    private static final int GATHER_CHUNK_BYTES = 1 << 24;
    private static final int COMPUTED_CHUNK_BYTES = 1 << 20;

    private final Path file;
    private final KerasWeightsFile keras;
    private final MappedFile mapped;
    private final SortedMap<String, Entry> entries;
    private final List<String> names;
    private volatile boolean closed;

    /** One PyTorch key: a stored TF weight, a computed buffer, or another key it is tied to. */
    private sealed interface Entry {
        TensorInfo info();
    }

    /**
     * A TF weight seen through a PyTorch view: {@code strides} (in elements of the TF data, one per PyTorch axis) say
     * where each PyTorch element lies in the weight's row-major TF data.
     */
    private record Stored(TensorInfo info, KerasWeight weight, List<Long> strides) implements Entry {}

    private record Computed(TensorInfo info, BufferValues values) implements Entry {}

    private record Tied(TensorInfo info, String sameAs) implements Entry {}

    /** Equal for keys that are the same bytes: tied keys share their source's identity. */
    private record StorageIdentity(Path file, String key) {}

    private TensorFlowWeights(Path file, KerasWeightsFile keras, MappedFile mapped, SortedMap<String, Entry> entries) {
        this.file = file;
        this.keras = keras;
        this.mapped = mapped;
        this.entries = Collections.unmodifiableSortedMap(entries);
        this.names = List.copyOf(entries.keySet());
    }

    /**
     * Opens a Keras HDF5 weights file as the PyTorch state dict of the model {@code config} describes.
     *
     * @throws CheckpointException if the file is missing, unreadable, not Keras weights, or damaged
     */
    public static TensorFlowWeights open(Path file, ModelConfig config) {
        return open(file, config, MappedFile.DEFAULT_WINDOW_BYTES);
    }

    /** As {@link #open(Path, ModelConfig)}, with a mapping window of {@code windowBytes} (tests use small ones). */
    static TensorFlowWeights open(Path file, ModelConfig config, long windowBytes) {
        Objects.requireNonNull(config, "config");
        FileChannel channel;
        try {
            channel = FileChannel.open(file, StandardOpenOption.READ);
        } catch (NoSuchFileException e) {
            throw new CheckpointException("TF weights file not found: " + file + "; a TF checkpoint folder holds the "
                    + FILE_NAME + " that Transformers' save_pretrained writes", e);
        } catch (IOException e) {
            throw new CheckpointException("cannot open " + file + ": " + e.getMessage(), e);
        }
        MappedFile mapped = null;
        KerasWeightsFile keras = null;
        try {
            mapped = new MappedFile(file, channel, windowBytes);
            keras = KerasWeightsFile.open(file, mapped.size());
            SortedMap<String, Entry> entries = pyTorchView(file, keras.weights(), config);
            return new TensorFlowWeights(file, keras, mapped, entries);
        } catch (IOException | RuntimeException e) {
            if (keras != null) {
                keras.close();
            }
            try {
                channel.close();
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            if (e instanceof IOException) {
                throw new CheckpointException("cannot read " + file + ": " + e.getMessage(), e);
            }
            throw (RuntimeException) e;
        }
    }

    /** The TF weight name a PyTorch key is read from, if it is read from the file (not tied or computed). */
    public Optional<String> tensorFlowName(String key) {
        Entry entry = entry(key);
        return entry instanceof Stored stored ? Optional.of(stored.weight().info().name()) : Optional.empty();
    }

    @Override
    public List<String> names() {
        ensureOpen();
        return names;
    }

    @Override
    public boolean contains(String name) {
        ensureOpen();
        return entries.containsKey(name);
    }

    @Override
    public TensorInfo info(String name) {
        return entry(name).info();
    }

    @Override
    public ByteBuffer bytes(String name) {
        TensorInfo info = info(name);
        Entry source = source(name);
        long size = info.byteSize();
        if (size > Integer.MAX_VALUE) {
            throw new CheckpointException("tensor '" + name + "' of " + file + " is " + size + " bytes, more than one"
                    + " buffer can hold (2 GiB); stream it with Weights.transferTo instead");
        }
        if (source instanceof Stored stored && stored.weight().contiguous() && inFileOrder(stored)) {
            return mapped.region(stored.weight().fileOffset(), size);
        }
        ByteBuffer out = ByteBuffer.allocateDirect((int) size).order(ByteOrder.LITTLE_ENDIAN);
        try {
            fill(source, out, () -> {
                throw new IllegalStateException("a buffer of the tensor's size cannot fill before the tensor ends");
            });
        } catch (IOException e) {
            throw new IllegalStateException("filling memory performs no I/O", e);
        }
        out.flip();
        return out.asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN);
    }

    @Override
    public void transferTo(String name, WritableByteChannel target) throws IOException {
        TensorInfo info = info(name);
        Entry source = source(name);
        long size = info.byteSize();
        if (source instanceof Stored stored && stored.weight().contiguous() && inFileOrder(stored)) {
            long start = stored.weight().fileOffset();
            for (long done = 0; done < size; ) {
                long piece = Math.min(mapped.halfWindow(), size - done);
                writeFully(mapped.region(start + done, piece), target);
                done += piece;
            }
            return;
        }
        int chunkBytes = source instanceof Computed ? COMPUTED_CHUNK_BYTES : GATHER_CHUNK_BYTES;
        ByteBuffer chunk = ByteBuffer.allocateDirect((int) Math.min(Math.max(size, 1), chunkBytes))
                .order(ByteOrder.LITTLE_ENDIAN);
        Flush flush = () -> {
            chunk.flip();
            writeFully(chunk, target);
            chunk.clear();
        };
        fill(source, chunk, flush);
        flush.run();
    }

    @Override
    public Object storageIdentity(String name) {
        entry(name);
        Entry entry = entries.get(name);
        String key = entry instanceof Tied tied ? tied.sameAs() : name;
        return new StorageIdentity(file, key);
    }

    @Override
    public List<Path> files() {
        ensureOpen();
        return List.of(file);
    }

    @Override
    public WeightsFormat format() {
        ensureOpen();
        return WeightsFormat.TF_H5;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        keras.close();
        try {
            mapped.close();
        } catch (IOException e) {
            throw new CheckpointException("cannot close " + file + ": " + e.getMessage(), e);
        }
    }

    @Override
    public String toString() {
        return "TensorFlowWeights[" + file + ", " + entries.size() + " tensors]";
    }

    // ---- the PyTorch view -------------------------------------------------------------------------------------

    private static SortedMap<String, Entry> pyTorchView(Path file, List<KerasWeight> weights, ModelConfig config) {
        List<String> architectures = config.architectures();
        String architecture = architectures.isEmpty() ? null : architectures.get(0);
        Optional<PyTorchLayouts.ModelType> modelType = PyTorchLayouts.modelType(config.modelType());

        String prefixToRemove = "";
        if (modelType.isPresent()) {
            String prefix = modelType.get().baseModelPrefix() + ".";
            boolean bareBaseModel = architecture != null
                    ? architecture.equals(modelType.get().baseArchitecture())
                    : !weights.isEmpty() && weights.stream().allMatch(weight -> TensorFlowNames
                            .toPyTorch(weight.info().name(), weight.info().rank(), "").name().startsWith(prefix));
            prefixToRemove = bareBaseModel ? prefix : "";
        }

        SortedMap<String, Entry> entries = new TreeMap<>();
        Map<String, String> sources = new TreeMap<>();
        for (KerasWeight weight : weights) {
            TensorInfo tensorFlow = weight.info();
            PyTorchName converted = TensorFlowNames.toPyTorch(tensorFlow.name(), tensorFlow.rank(), prefixToRemove);
            Stored stored = view(converted, weight);
            String previous = sources.put(converted.name(), tensorFlow.name());
            if (previous != null) {
                throw new CorruptCheckpointException(file + " holds TF weights '" + previous + "' and '"
                        + tensorFlow.name() + "', which both become PyTorch key '" + converted.name() + "'; the file"
                        + " is not one Transformers model's weights: save it again with save_pretrained");
            }
            entries.put(converted.name(), stored);
        }

        if (architecture != null) {
            boolean tieWordEmbeddings = config.optionalBoolean("tie_word_embeddings").orElse(true);
            for (PyTorchLayouts.TiedWeight tie : PyTorchLayouts.tiedWeights(architecture)) {
                if (tie.tie() == PyTorchLayouts.Tie.WORD_EMBEDDINGS && !tieWordEmbeddings) {
                    continue;
                }
                Entry same = entries.get(tie.sameAs());
                if (same == null || same instanceof Tied) {
                    continue; // nothing to tie to: PyTorch would leave the key newly initialised
                }
                entries.put(tie.key(), new Tied(new TensorInfo(tie.key(), same.info().dtype(), same.info().shape()),
                        tie.sameAs()));
            }
        }

        List<BufferFamily> families = new ArrayList<>();
        modelType.ifPresent(row -> families.addAll(row.buffers()));
        if (architecture != null) {
            families.addAll(PyTorchLayouts.architectureBuffers(architecture));
        }
        for (BufferFamily family : families) {
            for (BufferTensor buffer : family.buffers(List.copyOf(entries.keySet()), config)) {
                entries.putIfAbsent(buffer.info().name(), new Computed(buffer.info(), buffer.values()));
            }
        }
        return entries;
    }

    /** The PyTorch view of one TF weight: its key, PyTorch shape and the strides that read it from the TF data. */
    private static Stored view(PyTorchName converted, KerasWeight weight) {
        List<Long> tensorFlowShape = weight.info().shape();
        List<Long> tensorFlowStrides = TensorLocation.rowMajorStrides(tensorFlowShape);
        List<Long> shape = new ArrayList<>();
        List<Long> strides = new ArrayList<>();
        for (int axis : converted.transpose().sourceAxes(tensorFlowShape.size())) {
            shape.add(tensorFlowShape.get(axis));
            strides.add(tensorFlowStrides.get(axis));
        }
        // A TF Conv1D bias is [1, n]; PyTorch's is [n] (Transformers squeezes to the parameter's rank).
        String name = converted.name();
        if ((name.equals("bias") || name.endsWith(".bias")) && shape.size() == 2 && shape.get(0) == 1) {
            shape.remove(0);
            strides.remove(0);
        }
        return new Stored(new TensorInfo(name, weight.info().dtype(), shape), weight, strides);
    }

    // ---- reading ----------------------------------------------------------------------------------------------

    private Entry entry(String name) {
        ensureOpen();
        Entry entry = entries.get(name);
        if (entry == null) {
            throw new MissingTensorException(name, "no tensor '" + name + "' in " + file + " read as PyTorch weights ("
                    + entries.size() + " tensors" + closeMatches(name) + "); check the name against the PyTorch"
                    + " state-dict keys of the model (TF weight names are converted as Transformers does)");
        }
        return entry;
    }

    /** The entry holding the data of {@code name}: itself, or the key it is tied to. */
    private Entry source(String name) {
        Entry entry = entry(name);
        return entry instanceof Tied tied ? entries.get(tied.sameAs()) : entry;
    }

    /** Whether the PyTorch view is the TF data as stored: same element order, little-endian. */
    private static boolean inFileOrder(Stored stored) {
        if (stored.weight().byteOrder() != ByteOrder.LITTLE_ENDIAN && stored.info().dtype().byteSize() > 1) {
            return false;
        }
        return rowMajor(stored.info().shape(), stored.strides());
    }

    private static boolean rowMajor(List<Long> shape, List<Long> strides) {
        long expected = 1;
        for (int axis = shape.size() - 1; axis >= 0; axis--) {
            if (shape.get(axis) != 1 && strides.get(axis) != expected) {
                return false;
            }
            expected *= shape.get(axis);
        }
        return true;
    }

    /** Empties a full buffer into its destination. */
    @FunctionalInterface
    private interface Flush {
        void run() throws IOException;
    }

    /** Writes the whole tensor of {@code source} into {@code out}, flushing whenever it is full. */
    private void fill(Entry source, ByteBuffer out, Flush flush) throws IOException {
        if (source instanceof Computed computed) {
            TensorInfo info = computed.info();
            long total = info.byteSize();
            for (long done = 0; done < total; ) {
                if (out.remaining() < info.dtype().byteSize()) {
                    flush.run();
                }
                int before = out.position();
                computed.values().write(info, done, out);
                done += out.position() - before;
            }
        } else if (source instanceof Stored stored) {
            KerasWeight weight = stored.weight();
            if (stored.info().elementCount() == 0) {
                return;
            }
            ByteBuffer data;
            ByteOrder order;
            if (weight.contiguous()) {
                long bytes = weight.info().byteSize();
                // one mapping of the whole weight when a buffer can hold it (2 GiB), else piece by piece
                data = bytes <= mapped.wholeMappingLimit() ? mapped.region(weight.fileOffset(), bytes) : null;
                order = weight.byteOrder();
            } else {
                data = keras.read(weight);
                order = ByteOrder.LITTLE_ENDIAN;
            }
            gather(stored, data, order, out, flush);
        } else {
            throw new IllegalStateException("a tied key resolves to the key it is tied to");
        }
    }

    /**
     * Copies the elements of a PyTorch view in row-major order into {@code out} (little-endian). {@code data} holds the
     * whole TF data, or is null for a weight too large for one window (then each piece is mapped as needed).
     */
    private void gather(Stored stored, ByteBuffer data, ByteOrder order, ByteBuffer out, Flush flush)
            throws IOException {
        TensorInfo info = stored.info();
        int elementBytes = info.dtype().byteSize();
        boolean swap = elementBytes > 1 && order != ByteOrder.LITTLE_ENDIAN;
        List<Long> shape = info.shape();
        List<Long> strides = stored.strides();
        int rank = shape.size();
        boolean innerRun = rank > 0 && !swap && strides.get(rank - 1) == 1;
        int outer = innerRun ? rank - 1 : rank;
        long runBytes = (innerRun ? shape.get(rank - 1) : 1) * elementBytes;
        long[] index = new long[outer];
        long element = 0;
        byte[] scratch = new byte[elementBytes];
        ByteBuffer whole = data == null ? null : data.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        out.order(ByteOrder.LITTLE_ENDIAN);
        while (true) {
            long byteOffset = element * elementBytes;
            if (whole != null && !innerRun && !swap) {
                // one element of a transposed view: copy it as a primitive (same byte order on both sides)
                if (out.remaining() < elementBytes) {
                    flush.run();
                }
                int at = (int) byteOffset;
                switch (elementBytes) {
                    case 1 -> out.put(whole.get(at));
                    case 2 -> out.putShort(whole.getShort(at));
                    case 4 -> out.putInt(whole.getInt(at));
                    case 8 -> out.putLong(whole.getLong(at));
                    default -> throw new IllegalStateException("element size " + elementBytes);
                }
            } else if (innerRun || !swap) {
                for (long done = 0; done < runBytes; ) {
                    if (!out.hasRemaining()) {
                        flush.run();
                    }
                    long piece = Math.min(out.remaining(), runBytes - done);
                    out.put(slice(stored, data, byteOffset + done, piece));
                    done += piece;
                }
            } else {
                if (out.remaining() < elementBytes) {
                    flush.run();
                }
                slice(stored, data, byteOffset, elementBytes).get(scratch);
                for (int b = elementBytes - 1; b >= 0; b--) {
                    out.put(scratch[b]);
                }
            }
            int axis = outer - 1;
            while (axis >= 0) {
                index[axis]++;
                element += strides.get(axis);
                if (index[axis] < shape.get(axis)) {
                    break;
                }
                element -= strides.get(axis) * shape.get(axis);
                index[axis] = 0;
                axis--;
            }
            if (axis < 0) {
                return;
            }
        }
    }

    private ByteBuffer slice(Stored stored, ByteBuffer data, long byteOffset, long length) {
        if (data != null) {
            return data.slice((int) byteOffset, (int) length);
        }
        return mapped.region(stored.weight().fileOffset() + byteOffset, Math.min(length, mapped.halfWindow()));
    }

    private static void writeFully(ByteBuffer source, WritableByteChannel target) throws IOException {
        while (source.hasRemaining()) {
            target.write(source);
        }
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("the weights of " + file + " are closed; open the checkpoint again"
                    + " (Checkpoints.openWeights) and read them inside its try-with-resources block");
        }
    }

    /** {@code ; close matches: a, b} for up to three keys within a small edit distance, closest first, or nothing. */
    private String closeMatches(String name) {
        int allowed = Math.max(3, name.length() / 3);
        record Scored(String key, int distance) {}
        List<String> matches = entries.keySet().stream()
                .map(key -> new Scored(key, editDistance(name, key, allowed)))
                .filter(scored -> scored.distance() <= allowed)
                .sorted(Comparator.comparingInt(Scored::distance).thenComparing(Scored::key))
                .limit(3)
                .map(Scored::key)
                .toList();
        return matches.isEmpty() ? "" : "; close matches: " + String.join(", ", matches);
    }

    /** Levenshtein distance, or {@code cap + 1} once it is known to exceed {@code cap}. */
    private static int editDistance(String a, String b, int cap) {
        if (Math.abs(a.length() - b.length()) > cap) {
            return cap + 1;
        }
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            int rowMinimum = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitution, Math.min(previous[j], current[j - 1]) + 1);
                rowMinimum = Math.min(rowMinimum, current[j]);
            }
            if (rowMinimum > cap) {
                return cap + 1;
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }
}
