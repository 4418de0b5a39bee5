package org.exporters4j.checkpoint.h5;

import io.jhdf.HdfFile;
import io.jhdf.api.Attribute;
import io.jhdf.api.Dataset;
import io.jhdf.api.Group;
import io.jhdf.api.Node;
import io.jhdf.api.dataset.ChunkedDataset;
import io.jhdf.api.dataset.ContiguousDataset;
import io.jhdf.exceptions.HdfException;
import io.jhdf.filter.PipelineFilterWithData;
import io.jhdf.object.datatype.DataType;
import io.jhdf.object.datatype.FixedPoint;
import io.jhdf.object.datatype.FloatingPoint;
import io.jhdf.object.message.DataLayout;
import java.lang.reflect.Array;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.exporters4j.checkpoint.CheckpointException;
import org.exporters4j.checkpoint.CorruptCheckpointException;
import org.exporters4j.checkpoint.DType;
import org.exporters4j.checkpoint.TensorInfo;

/**
 * The structure of a Keras HDF5 weights file, as Keras' {@code save_weights} (h5 format) writes it and Transformers'
 * TF {@code save_pretrained} uses it: the root attribute {@code layer_names} lists the model's top-level layers; each
 * has a group of that name whose attribute {@code weight_names} lists its weights' full TF names, and each weight is
 * the dataset at {@code <layer>/<weight name>} (the name's slashes are nested groups). Attributes over 64 KiB are
 * split by Keras into {@code name0}, {@code name1}, ... and joined here as Keras' {@code load_attributes_from_hdf5_group}
 * does. A whole-model file ({@code model.save}) keeps the same layout under the group {@code model_weights}.
 *
 * <p>Only the structure is read here, with io.jhdf, which maps the file's metadata; the data of contiguous datasets
 * (what h5py writes by default) are located by file offset so the caller can memory-map them. A chunked or compact
 * dataset has no single offset; {@link #read} assembles a chunked one chunk by chunk with bounded decoding
 * ({@link ChunkedData}) and copies a compact one (at most 64 KiB, inside the file's metadata) through jhdf. The file
 * is untrusted: every offset and size is checked against the file, and group paths are walked without cycles.
 */
final class KerasWeightsFile implements AutoCloseable {
    private static final String LAYER_NAMES = "layer_names";
    private static final String WEIGHT_NAMES = "weight_names";
    private static final String WHOLE_MODEL_GROUP = "model_weights";
    private static final int SHOWN_CHARS = 80;

    private final Path file;
    private final HdfFile hdf;
    private final List<KerasWeight> weights;
    private final Map<String, Dataset> datasets;
    private boolean closed;

    private KerasWeightsFile(Path file, HdfFile hdf, List<KerasWeight> weights, Map<String, Dataset> datasets) {
        this.file = file;
        this.hdf = hdf;
        this.weights = List.copyOf(weights);
        this.datasets = datasets;
    }

    /** Opens and indexes a Keras weights file; the file stays open (for non-contiguous datasets) until closed. */
    static KerasWeightsFile open(Path file, long fileSize) {
        HdfFile hdf;
        try {
            hdf = new HdfFile(file);
        } catch (HdfException | IllegalArgumentException e) {
            throw new CorruptCheckpointException(file + " is not a readable HDF5 file (" + e.getMessage()
                    + "); a tf_model.h5 is written by Transformers' TF save_pretrained: download or save it again", e);
        }
        try {
            Group root = weightsRoot(file, hdf);
            List<KerasWeight> weights = new ArrayList<>();
            Map<String, Dataset> datasets = new LinkedHashMap<>();
            long base = hdf.getUserBlockSize();
            for (String layerName : stringList(file, root, LAYER_NAMES)) {
                Node layer = child(file, root, layerName);
                if (!(layer instanceof Group layerGroup)) {
                    throw new CorruptCheckpointException(file + " lists layer '" + layerName + "' in '" + LAYER_NAMES
                            + "' but has no group of that name" + shardHint(layer) + "; the file is damaged or not a"
                            + " Keras weights file: save it again with save_pretrained");
                }
                for (String weightName : stringList(file, layerGroup, WEIGHT_NAMES)) {
                    Node node = child(file, layerGroup, weightName);
                    if (!(node instanceof Dataset dataset)) {
                        throw new CorruptCheckpointException(file + " lists weight '" + weightName + "' in layer '"
                                + layerName + "' but has no dataset " + layerGroup.getPath() + weightName
                                + "; the file is damaged: download or save it again");
                    }
                    if (datasets.put(weightName, dataset) != null) {
                        throw new CorruptCheckpointException(file + " lists weight '" + weightName + "' twice; the"
                                + " file is damaged: download or save it again");
                    }
                    weights.add(describe(file, fileSize, base, weightName, dataset));
                }
            }
            return new KerasWeightsFile(file, hdf, weights, datasets);
        } catch (RuntimeException e) {
            hdf.close();
            if (e instanceof CheckpointException) {
                throw e;
            }
            throw new CorruptCheckpointException(file + " cannot be read as a Keras weights file: " + e.getMessage()
                    + "; download or save it again with save_pretrained", e);
        }
    }

    /** The weights in file order (layers as {@code layer_names} lists them, weights as each layer lists them). */
    List<KerasWeight> weights() {
        return weights;
    }

    /**
     * The TF-layout bytes (row-major, little-endian) of a weight the file does not store contiguously, in an
     * off-heap buffer: a chunked dataset assembled by {@link #readChunked}; a compact one (at most 64 KiB) read
     * through jhdf, which returns a Java array of it.
     */
    ByteBuffer read(KerasWeight weight) {
        Dataset dataset = datasets.get(weight.info().name());
        if (dataset instanceof ChunkedDataset chunked) {
            return readChunked(weight, chunked);
        }
        Object flat;
        synchronized (this) {
            if (closed) {
                throw new IllegalStateException(file + " is closed");
            }
            try {
                flat = dataset.getDataFlat();
            } catch (HdfException e) {
                throw new CorruptCheckpointException("cannot read weight '" + weight.info().name() + "' of " + file
                        + ": " + e.getMessage() + "; the file is damaged or uses an HDF5 filter jhdf does not"
                        + " support: save it again with save_pretrained", e);
            }
        }
        TensorInfo info = weight.info();
        ByteBuffer out = ByteBuffer.allocateDirect(Math.toIntExact(info.byteSize())).order(ByteOrder.LITTLE_ENDIAN);
        int length = Array.getLength(flat);
        if (length != info.elementCount()) {
            throw new CorruptCheckpointException("weight '" + info.name() + "' of " + file + " has " + length
                    + " elements, its shape " + info.shape() + " says " + info.elementCount());
        }
        switch (info.dtype()) {
            case F64 -> out.asDoubleBuffer().put((double[]) flat);
            case F32 -> out.asFloatBuffer().put((float[]) flat);
            case I64 -> out.asLongBuffer().put((long[]) flat);
            case I32 -> out.asIntBuffer().put((int[]) flat);
            case I16 -> out.asShortBuffer().put((short[]) flat);
            case I8 -> out.put((byte[]) flat);
            default -> throw new CheckpointException("weight '" + info.name() + "' of " + file + " is a "
                    + info.dtype() + " dataset stored chunked or compact, which is read only for F64, F32, I64, I32,"
                    + " I16 and I8; save the weights again with save_pretrained (h5py writes contiguous datasets)");
        }
        out.position(0).limit(Math.toIntExact(info.byteSize()));
        return out.asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN);
    }

    /**
     * A chunked dataset, chunk by chunk into one off-heap buffer with every chunk's decoding bounded
     * ({@link ChunkedData}); jhdf's own reader inflates chunks without bound and copies the dataset twice on the heap.
     */
    private ByteBuffer readChunked(KerasWeight weight, ChunkedDataset dataset) {
        TensorInfo info = weight.info();
        String what = "weight '" + info.name() + "' of " + file;
        List<ChunkedData.Filter> filters = new ArrayList<>();
        int[] chunkDimensions;
        synchronized (this) {
            if (closed) {
                throw new IllegalStateException(file + " is closed");
            }
            try {
                for (PipelineFilterWithData filter : dataset.getFilters()) {
                    filters.add(new ChunkedData.Filter(filter.getId(), filter.getName(), filter.getFilterData()));
                }
                chunkDimensions = dataset.getChunkDimensions();
            } catch (HdfException e) {
                throw new CorruptCheckpointException("cannot read " + what + ": " + e.getMessage() + "; the file is"
                        + " damaged: save it again with save_pretrained", e);
            }
        }
        return ChunkedData.read(what, dataset.getDimensions(), chunkDimensions, filters, info.dtype().byteSize(),
                weight.byteOrder(), chunkOffset -> {
                    synchronized (this) {
                        if (closed) {
                            throw new IllegalStateException(file + " is closed");
                        }
                        try {
                            return dataset.getRawChunkBuffer(chunkOffset);
                        } catch (HdfException e) {
                            return null; // jhdf's answer for a chunk the dataset does not store
                        }
                    }
                });
    }

    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            hdf.close();
        }
    }

    private static Group weightsRoot(Path file, HdfFile hdf) {
        if (hdf.getAttribute(LAYER_NAMES) != null || hdf.getAttribute(LAYER_NAMES + "0") != null) {
            return hdf;
        }
        Node wholeModel = hdf.getChildren().get(WHOLE_MODEL_GROUP);
        if (wholeModel instanceof Group group
                && (group.getAttribute(LAYER_NAMES) != null || group.getAttribute(LAYER_NAMES + "0") != null)) {
            return group;
        }
        throw new CorruptCheckpointException(file + " is an HDF5 file but not Keras weights: it has no '" + LAYER_NAMES
                + "' attribute (at the root or in '" + WHOLE_MODEL_GROUP + "'); a tf_model.h5 is written by"
                + " Transformers' TF save_pretrained (Keras save_weights)");
    }

    /**
     * A child by a relative path whose components may contain ':' (weight names do); null when absent. The walk
     * remembers the object address of every group it passes through: HDF5 hard links may point back at a parent, so
     * groups can form a cycle, and a name such as {@code a/a/a/...} would walk it as deep as the name is long (jhdf
     * builds each node's path from its parents', so the cost grew with the square of the depth: minutes for a
     * 178 KB file). Coming back to a group is refused; the walk is as long as the file's distinct groups at most.
     */
    private static Node child(Path file, Group group, String relativePath) {
        Set<Long> visited = new HashSet<>();
        visited.add(group.getAddress());
        Node node = group;
        for (String part : relativePath.split("/")) {
            if (part.isEmpty()) {
                continue;
            }
            if (!(node instanceof Group current)) {
                return null;
            }
            node = current.getChildren().get(part);
            if (node == null) {
                return null;
            }
            if (node instanceof Group && !visited.add(node.getAddress())) {
                throw new CorruptCheckpointException(file + ": the path of '" + shorten(relativePath) + "' under '"
                        + group.getPath() + "' comes back to a group it passed through (HDF5 object at address "
                        + node.getAddress() + "): the file's groups form a cycle through a hard link, which a Keras"
                        + " weights file never has; save the weights again with save_pretrained");
            }
        }
        return node;
    }

    /** A name from the file, cut for a message. */
    private static String shorten(String name) {
        String oneLine = name.replaceAll("\\p{Cntrl}", "?");
        return oneLine.length() > SHOWN_CHARS ? oneLine.substring(0, SHOWN_CHARS - 3) + "..." : oneLine;
    }

    private static String shardHint(Node node) {
        return node instanceof Dataset
                ? " (it is a dataset: this looks like one shard of a sharded TF checkpoint, tf_model-0000N-of-0000M.h5,"
                        + " which is not read yet)"
                : "";
    }

    /** A string-list attribute, joined from Keras' numbered chunks when it was split; absent → error. */
    private static List<String> stringList(Path file, Group group, String name) {
        Attribute whole = group.getAttribute(name);
        if (whole != null) {
            return strings(file, group, whole);
        }
        List<String> joined = new ArrayList<>();
        int chunk = 0;
        for (Attribute part; (part = group.getAttribute(name + chunk)) != null; chunk++) {
            joined.addAll(strings(file, group, part));
        }
        if (chunk == 0) {
            throw new CorruptCheckpointException(file + ": group '" + group.getPath() + "' has no '" + name
                    + "' attribute; a Keras weights file lists every layer's weights there: save the file again with"
                    + " save_pretrained");
        }
        return joined;
    }

    private static List<String> strings(Path file, Group group, Attribute attribute) {
        if (attribute.isEmpty()) {
            return List.of();
        }
        Object data = attribute.getData();
        if (data instanceof String single) {
            return List.of(single);
        }
        if (data instanceof String[] many) {
            return Arrays.asList(many);
        }
        if (data.getClass().isArray() && Array.getLength(data) == 0) {
            return List.of(); // Keras writes an empty numeric array for a layer without weights
        }
        throw new CorruptCheckpointException(file + ": attribute '" + attribute.getName() + "' of '" + group.getPath()
                + "' holds " + attribute.getJavaType().getSimpleName() + " values, not names; the file is damaged or"
                + " not a Keras weights file");
    }

    private static KerasWeight describe(Path file, long fileSize, long base, String weightName, Dataset dataset) {
        DataType type = dataset.getDataType();
        DType dtype = dtype(file, weightName, type);
        List<Long> shape = new ArrayList<>();
        for (int dimension : dataset.getDimensions()) {
            shape.add((long) dimension);
        }
        TensorInfo info = new TensorInfo(weightName, dtype, shape);
        ByteOrder order = type instanceof FloatingPoint fp ? fp.getByteOrder()
                : type instanceof FixedPoint fx ? fx.getByteOrder() : ByteOrder.LITTLE_ENDIAN;
        if (info.elementCount() == 0) {
            return new KerasWeight(info, dataset.getPath(), -1, order);
        }
        if (dataset.getDataLayout() == DataLayout.CONTIGUOUS && dataset instanceof ContiguousDataset contiguous
                && dataset.getFilters().isEmpty()) {
            long address = contiguous.getDataAddress();
            long offset = base + address;
            long bytes = info.byteSize();
            if (address < 0 || offset < 0 || offset > fileSize || bytes > fileSize - offset) {
                throw new CorruptCheckpointException(file + " is truncated or damaged: weight '" + weightName + "' ("
                        + dtype + " " + shape + ", " + bytes + " bytes) would start at byte " + offset + " of a file of "
                        + fileSize + " bytes; download or save it again");
            }
            return new KerasWeight(info, dataset.getPath(), offset, order);
        }
        return new KerasWeight(info, dataset.getPath(), -1, order);
    }

    private static DType dtype(Path file, String weightName, DataType type) {
        if (type instanceof FloatingPoint fp) {
            switch (fp.getSize()) {
                case 8:
                    return DType.F64;
                case 4:
                    return DType.F32;
                case 2:
                    if (fp.getExponentSize() == 5) {
                        return DType.F16;
                    }
                    if (fp.getExponentSize() == 8) {
                        return DType.BF16;
                    }
                    break;
                default:
                    break;
            }
        } else if (type instanceof FixedPoint fx) {
            if (fx.isSigned()) {
                switch (fx.getSize()) {
                    case 8:
                        return DType.I64;
                    case 4:
                        return DType.I32;
                    case 2:
                        return DType.I16;
                    case 1:
                        return DType.I8;
                    default:
                        break;
                }
            } else if (fx.getSize() == 1) {
                return DType.U8;
            }
        }
        throw new CorruptCheckpointException(file + ": weight '" + weightName + "' has HDF5 type "
                + type.getClass().getSimpleName() + " of " + type.getSize() + " bytes, which is not a tensor element"
                + " type (" + DType.safetensorsNames() + "); save the weights again with save_pretrained");
    }
}
