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
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import org.exporters4j.checkpoint.CheckpointException;
import org.exporters4j.checkpoint.CloseMatches;
import org.exporters4j.checkpoint.ContiguousBytes;
import org.exporters4j.checkpoint.CorruptCheckpointException;
import org.exporters4j.checkpoint.MappedFile;
import org.exporters4j.checkpoint.MissingTensorException;
import org.exporters4j.checkpoint.ModelConfig;
import org.exporters4j.checkpoint.TensorInfo;
import org.exporters4j.checkpoint.TensorLocation;
import org.exporters4j.checkpoint.Weights;
import org.exporters4j.WeightsFormat;

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
 * <p>Data: each stored weight is a {@link TensorLocation} (its PyTorch view of the TF data) served by the package's
 * {@link MappedFile}: a weight TF stores contiguously in PyTorch's layout is a zero-copy slice of the memory-mapped
 * file; a transposed kernel is gathered into an off-heap buffer ({@link #bytes}) or streamed in pieces
 * ({@link #transferTo}). Safe for concurrent reads; {@link #close()} is idempotent and any other call afterwards is an
 * {@link IllegalStateException}.
 */
public final class TensorFlowWeights implements Weights {
    /** The file name Transformers' TF {@code save_pretrained} writes (its {@code TF2_WEIGHTS_NAME}). */
    public static final String FILE_NAME = "tf_model.h5";

    /** The smallest mapping window the package-private {@code open} accepts. */
    private static final long SMALLEST_WINDOW_BYTES = 16;
    private static final int COMPUTED_CHUNK_BYTES = 1 << 20;

    private final Path file;
    private final KerasWeightsFile keras;
    private final MappedFile mapped;
    private final SortedMap<String, Entry> entries;
    private final List<String> names;

    /** One PyTorch key: a stored TF weight, a computed buffer, or another key it is tied to. */
    private sealed interface Entry {
        TensorInfo info();
    }

    /**
     * A TF weight seen through a PyTorch view: {@code view} has the PyTorch key and shape, and strides (in elements
     * of the TF data, one per PyTorch axis) that say where each PyTorch element lies in the weight's row-major TF
     * data. Its storage is the weight's bytes in the file when the file stores them contiguously (or there are
     * none), else the buffer {@link KerasWeightsFile#read} returns.
     */
    private record Stored(KerasWeight weight, TensorLocation view) implements Entry {
        @Override
        public TensorInfo info() {
            return view.info();
        }

        /** Whether {@link #view} locates the data in the file (else in the buffer the HDF5 library reads). */
        boolean inFile() {
            return weight.contiguous() || view.info().elementCount() == 0;
        }
    }

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
        if (windowBytes < SMALLEST_WINDOW_BYTES || windowBytes > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("window must be 16 bytes to 2 GiB, was " + windowBytes);
        }
        FileChannel channel;
        try {
            channel = FileChannel.open(file, StandardOpenOption.READ);
        } catch (NoSuchFileException e) {
            throw new CheckpointException("TF weights file not found: " + file + "; a TF checkpoint folder holds the "
                    + FILE_NAME + " that Transformers' save_pretrained writes", e);
        } catch (IOException e) {
            throw new CheckpointException("cannot open " + file + ": " + e.getMessage(), e);
        }
        KerasWeightsFile keras = null;
        try {
            MappedFile mapped = new MappedFile(file, channel, windowBytes);
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
        mapped.requireOpen();
        return names;
    }

    @Override
    public boolean contains(String name) {
        mapped.requireOpen();
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
        if (source instanceof Stored stored) {
            return stored.inFile() ? mapped.bytes(stored.view())
                    : ContiguousBytes.of(keras.read(stored.weight()), stored.view());
        }
        Computed computed = (Computed) source;
        ByteBuffer out = ByteBuffer.allocateDirect((int) size).order(ByteOrder.LITTLE_ENDIAN);
        computed.values().write(computed.info(), 0, out); // fills it: the buffer has the tensor's size
        out.flip();
        return out.asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN);
    }

    @Override
    public void transferTo(String name, WritableByteChannel target) throws IOException {
        Entry source = source(name);
        if (source instanceof Stored stored) {
            if (stored.inFile()) {
                mapped.transferTo(stored.view(), target);
            } else {
                writeFully(ContiguousBytes.of(keras.read(stored.weight()), stored.view()), target);
            }
            return;
        }
        Computed computed = (Computed) source;
        TensorInfo info = computed.info();
        long size = info.byteSize();
        ByteBuffer chunk = ByteBuffer.allocateDirect((int) Math.min(Math.max(size, 1), COMPUTED_CHUNK_BYTES))
                .order(ByteOrder.LITTLE_ENDIAN);
        for (long done = 0; done < size; ) {
            computed.values().write(info, done, chunk);
            done += chunk.position();
            chunk.flip();
            writeFully(chunk, target);
            chunk.clear();
        }
    }

    @Override
    public Object storageIdentity(String name) {
        Entry entry = entry(name);
        String key = entry instanceof Tied tied ? tied.sameAs() : name;
        return new StorageIdentity(file, key);
    }

    @Override
    public List<Path> files() {
        mapped.requireOpen();
        return List.of(file);
    }

    @Override
    public WeightsFormat format() {
        mapped.requireOpen();
        return WeightsFormat.TF_H5;
    }

    /** Closes the HDF5 file and the mappings; idempotent (both are). */
    @Override
    public void close() {
        keras.close();
        mapped.close();
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
        TensorInfo info = new TensorInfo(name, weight.info().dtype(), shape);
        // a contiguous weight is located in the file; any other in the little-endian buffer KerasWeightsFile.read fills
        TensorLocation view = weight.contiguous()
                ? new TensorLocation(info, weight.fileOffset(), weight.info().byteSize(), 0, strides, weight.byteOrder())
                : new TensorLocation(info, 0, weight.info().byteSize(), 0, strides, ByteOrder.LITTLE_ENDIAN);
        return new Stored(weight, view);
    }

    // ---- reading ----------------------------------------------------------------------------------------------

    private Entry entry(String name) {
        mapped.requireOpen();
        Entry entry = entries.get(name);
        if (entry == null) {
            throw new MissingTensorException(name, "no tensor '" + name + "' in " + file + " read as PyTorch weights ("
                    + entries.size() + " tensors" + CloseMatches.describe(name, entries.keySet()) + "); check the name against the PyTorch"
                    + " state-dict keys of the model (TF weight names are converted as Transformers does)");
        }
        return entry;
    }

    /** The entry holding the data of {@code name}: itself, or the key it is tied to. */
    private Entry source(String name) {
        Entry entry = entry(name);
        return entry instanceof Tied tied ? entries.get(tied.sameAs()) : entry;
    }

    private static void writeFully(ByteBuffer source, WritableByteChannel target) throws IOException {
        while (source.hasRemaining()) {
            target.write(source);
        }
    }
}
