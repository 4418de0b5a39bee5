package org.exporters4j.onnx;

import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.WireFormat;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.exporters4j.onnx.proto.OnnxProto.GraphProto;
import org.exporters4j.onnx.proto.OnnxProto.ModelProto;
import org.exporters4j.onnx.proto.OnnxProto.OperatorSetIdProto;
import org.exporters4j.onnx.proto.OnnxProto.TensorProto;

/**
 * Writes an {@link OnnxModel} to a folder as {@code model.onnx} (or another file name), with its weights inside or,
 * for models over protobuf's 2 GiB limit or when asked, in {@code <file>_data} as ONNX external data.
 *
 * <p>The model is never whole on the heap: the graph's structure is serialized with protobuf, but each
 * initializer's raw bytes are streamed from its {@link TensorData} straight into the file, after the message sizes
 * have been computed up front. As every size, and so every tensor's offset, is known before anything is written, the
 * structure is written first with a gap for each tensor, then the tensors are streamed into their gaps by a few
 * threads at once. Memory grows with the largest derived tensor at most (per thread). Files are written under
 * temporary names in the target folder and renamed when complete (the data file first, so a model file never points
 * at missing data); a failure deletes the temporaries and leaves any earlier model untouched. Like {@code cp} and
 * {@code onnx.save}, the writer leaves flushing to the operating system instead of forcing the files to disk (a
 * forced flush costs about a quarter second per 400 MB): the renames already keep readers from ever seeing a
 * partial file.
 */
public final class ModelWriter {
    private static final SecureRandom RANDOM = new SecureRandom();
    public static final String DEFAULT_FILE_NAME = "model.onnx";
    /** Protobuf cannot parse messages of 2 GiB or more. */
    static final long MAX_PROTOBUF_BYTES = Integer.MAX_VALUE;
    /** External data keeps tensors under this size inline, as {@code onnx.save(size_threshold=1024)} does. */
    static final long EXTERNAL_THRESHOLD_BYTES = 1024;
    /** External tensor offsets are multiples of the page size, so runtimes can memory-map them. */
    static final long EXTERNAL_ALIGNMENT_BYTES = 4096;
    /** Threads that stream tensors into a file at once (at most the processors). */
    static final int MAX_STREAMING_THREADS = 4;

    private static final String PRODUCER_NAME = "exporters4j";
    private static final String PRODUCER_VERSION = producerVersion();
    private static final int RAW_DATA_FIELD = TensorProto.RAW_DATA_FIELD_NUMBER;
    private static final int INITIALIZER_FIELD = GraphProto.INITIALIZER_FIELD_NUMBER;
    private static final int GRAPH_FIELD = ModelProto.GRAPH_FIELD_NUMBER;

    private final WeightsLocation location;
    private final long maxEmbeddedBytes;

    public ModelWriter(WeightsLocation location) {
        this(location, MAX_PROTOBUF_BYTES);
    }

    /** A writer whose single-file limit is {@code maxEmbeddedBytes} (tests lower it to exercise the switch). */
    ModelWriter(WeightsLocation location, long maxEmbeddedBytes) {
        if (location == null) {
            throw new ModelWriteException("choose where weights go: AUTOMATIC, EMBEDDED or EXTERNAL_DATA");
        }
        this.location = location;
        this.maxEmbeddedBytes = Math.min(maxEmbeddedBytes, MAX_PROTOBUF_BYTES);
    }

    /** Writes {@code folder/model.onnx} (and {@code model.onnx_data} when weights go outside). */
    public WrittenModel write(OnnxModel model, Path folder) {
        return write(model, folder, DEFAULT_FILE_NAME);
    }

    /**
     * Writes {@code folder/fileName} (and {@code fileName + "_data"} when weights go outside), creating the folder if
     * needed. When the weights end up inside the model, a stale {@code fileName_data} from an earlier export is
     * deleted so the folder holds one consistent model.
     */
    public WrittenModel write(OnnxModel model, Path folder, String fileName) {
        if (model == null || folder == null) {
            throw new ModelWriteException("writing a model needs the model and a target folder");
        }
        try {
            Files.createDirectories(folder);
        } catch (IOException e) {
            throw new ModelWriteException("cannot create the output folder " + folder + ": " + e, e);
        }
        return writeInto(model, folder, fileName);
    }

    /**
     * Writes {@code folder/fileName} as {@link #write(OnnxModel, Path, String)} does into a folder that must already
     * exist: it is never created, so a folder that another thread removed meanwhile (an export's staging folder
     * discarded by a stop) fails the write instead of coming back with a model no one will clean up.
     */
    public WrittenModel writeInto(OnnxModel model, Path folder, String fileName) {
        if (model == null || folder == null) {
            throw new ModelWriteException("writing a model needs the model and a target folder");
        }
        if (fileName == null || fileName.isBlank() || fileName.contains("/") || fileName.contains("\\")) {
            throw new ModelWriteException("the model file name must be a plain file name such as \"model.onnx\", got '"
                    + fileName + "'");
        }
        String dataFileName = fileName + "_data";
        Path modelFile = folder.resolve(fileName);
        Path dataFile = folder.resolve(dataFileName);
        if (!Files.isDirectory(folder)) {
            throw new ModelWriteException("cannot write the ONNX model " + modelFile + ": the folder " + folder
                    + " does not exist (it was removed while the model was built); create it and export again");
        }

        Layout layout = plan(model, dataFileName);
        Path modelTemp = null;
        Path dataTemp = null;
        try {
            modelTemp = createTemporary(folder, fileName);
            long dataBytes = 0;
            if (layout.external()) {
                dataTemp = createTemporary(folder, dataFileName);
                dataBytes = writeExternalData(layout, dataTemp);
            }
            long modelBytes = writeModelFile(model, layout, modelTemp);
            if (layout.external()) {
                move(dataTemp, dataFile);
                dataTemp = null;
            }
            move(modelTemp, modelFile);
            modelTemp = null;
            if (!layout.external()) {
                Files.deleteIfExists(dataFile);
            }
            return new WrittenModel(modelFile, modelBytes,
                    layout.external() ? Optional.of(dataFile) : Optional.empty(), dataBytes);
        } catch (IOException e) {
            throw new ModelWriteException("cannot write the ONNX model " + modelFile + ": " + e, e);
        } finally {
            deleteQuietly(modelTemp);
            deleteQuietly(dataTemp);
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Layout: where each initializer goes, and every size, computed before anything is written

    /**
     * One initializer's placement: its header (dims, type, name and, if external, where) and its offset in the
     * external data file, or -1 when its bytes follow the header inside the model file.
     */
    private record PlacedTensor(Initializer initializer, TensorProto header, long offset) {
        static final long INLINE = -1;

        PlacedTensor {
            if (offset < INLINE) {
                throw new IllegalArgumentException("an external data offset is at least 0, was " + offset);
            }
        }

        boolean inline() {
            return offset == INLINE;
        }

        long tensorMessageBytes() {
            long size = header.getSerializedSize();
            if (inline()) {
                long bytes = initializer.data().byteSize();
                size += CodedOutputStream.computeTagSize(RAW_DATA_FIELD) + CodedOutputStream.computeUInt64SizeNoTag(bytes)
                        + bytes;
            }
            return size;
        }

        long fieldBytes() {
            long message = tensorMessageBytes();
            return CodedOutputStream.computeTagSize(INITIALIZER_FIELD) + CodedOutputStream.computeUInt64SizeNoTag(message)
                    + message;
        }
    }

    private record Layout(ModelProto modelHead, ModelProto modelTail, GraphProto graphHead, GraphProto graphTail,
                          List<PlacedTensor> tensors, boolean external, long graphBytes, long modelBytes) {}

    private Layout plan(OnnxModel model, String dataFileName) {
        ModelProto modelHead = ModelProto.newBuilder()
                .setIrVersion(model.opset().irVersion())
                .setProducerName(PRODUCER_NAME)
                .setProducerVersion(PRODUCER_VERSION)
                .build();
        ModelProto.Builder tail = ModelProto.newBuilder()
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(model.opset().version()));
        if (model.domains().contains(OperatorDomain.MICROSOFT)) {
            // ONNX Runtime's contrib operators: the model needs ONNX Runtime to run
            tail.addOpsetImport(OperatorSetIdProto.newBuilder().setDomain(OperatorDomain.MICROSOFT.protoName())
                    .setVersion(OperatorDomain.MICROSOFT_VERSION));
        }
        ModelProto modelTail = tail.build();
        GraphProto.Builder head = GraphProto.newBuilder().setName(model.graphName());
        for (Node node : model.nodes()) {
            head.addNode(ProtoEncoding.node(node));
        }
        GraphProto graphHead = head.build();
        GraphProto graphTail = GraphProto.newBuilder()
                .addAllInput(ProtoEncoding.valueInfos(model.inputs()))
                .addAllOutput(ProtoEncoding.valueInfos(model.outputs()))
                .build();

        Layout embedded = layout(model, modelHead, modelTail, graphHead, graphTail, WeightsLocation.EMBEDDED,
                dataFileName);
        boolean fits = embedded.modelBytes() <= maxEmbeddedBytes;
        switch (location) {
            case EMBEDDED -> {
                if (!fits) {
                    throw new ModelWriteException("the model '" + model.graphName() + "' is " + embedded.modelBytes()
                            + " bytes, over protobuf's 2 GiB limit for one file (" + maxEmbeddedBytes
                            + " bytes); write it with AUTOMATIC or EXTERNAL_DATA weights");
                }
                return embedded;
            }
            case AUTOMATIC -> {
                return fits ? embedded : layout(model, modelHead, modelTail, graphHead, graphTail,
                        WeightsLocation.EXTERNAL_DATA, dataFileName);
            }
            default -> {
                return layout(model, modelHead, modelTail, graphHead, graphTail, WeightsLocation.EXTERNAL_DATA,
                        dataFileName);
            }
        }
    }

    /**
     * The layout with every initializer inside the model ({@code EMBEDDED}) or those of 1 KiB and more outside
     * ({@code EXTERNAL_DATA}).
     */
    private static Layout layout(OnnxModel model, ModelProto modelHead, ModelProto modelTail, GraphProto graphHead,
                                 GraphProto graphTail, WeightsLocation placement, String dataFileName) {
        if (placement == WeightsLocation.AUTOMATIC) {
            throw new IllegalArgumentException("a layout is EMBEDDED or EXTERNAL_DATA; plan chooses for AUTOMATIC");
        }
        boolean external = placement == WeightsLocation.EXTERNAL_DATA;
        List<PlacedTensor> tensors = new ArrayList<>();
        long dataOffset = 0;
        boolean anyExternal = false;
        for (Initializer initializer : model.initializers()) {
            TensorData data = initializer.data();
            long size = data.byteSize();
            if (external && size >= EXTERNAL_THRESHOLD_BYTES) {
                long offset = alignUp(dataOffset);
                TensorProto header = ProtoEncoding.externalTensorHeader(initializer.name(), data, dataFileName, offset);
                tensors.add(new PlacedTensor(initializer, header, offset));
                dataOffset = offset + size;
                anyExternal = true;
            } else {
                tensors.add(new PlacedTensor(initializer, ProtoEncoding.tensorHeader(initializer.name(), data).build(),
                        PlacedTensor.INLINE));
            }
        }
        long graphBytes = (long) graphHead.getSerializedSize() + graphTail.getSerializedSize();
        for (PlacedTensor tensor : tensors) {
            graphBytes = Math.addExact(graphBytes, tensor.fieldBytes());
        }
        long modelBytes = (long) modelHead.getSerializedSize() + modelTail.getSerializedSize()
                + CodedOutputStream.computeTagSize(GRAPH_FIELD) + CodedOutputStream.computeUInt64SizeNoTag(graphBytes)
                + graphBytes;
        if (external && modelBytes > MAX_PROTOBUF_BYTES) {
            throw new ModelWriteException("the structure of model '" + model.graphName() + "' alone is " + modelBytes
                    + " bytes, over protobuf's 2 GiB limit even with its weights outside; it has too many nodes or"
                    + " large constants");
        }
        return new Layout(modelHead, modelTail, graphHead, graphTail, tensors, anyExternal, graphBytes, modelBytes);
    }

    private static long alignUp(long offset) {
        long remainder = offset % EXTERNAL_ALIGNMENT_BYTES;
        return remainder == 0 ? offset : offset + EXTERNAL_ALIGNMENT_BYTES - remainder;
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Writing

    private static long writeExternalData(Layout layout, Path dataTemp) throws IOException {
        List<TensorSlot> slots = new ArrayList<>();
        long position = 0;
        for (PlacedTensor tensor : layout.tensors()) {
            if (!tensor.inline()) {
                slots.add(new TensorSlot(tensor.initializer(), position, tensor.offset()));
                position = tensor.offset() + tensor.initializer().data().byteSize();
            }
        }
        streamTensors(slots, dataTemp);
        return position;
    }

    private static long writeModelFile(OnnxModel model, Layout layout, Path modelTemp) throws IOException {
        List<TensorSlot> slots = new ArrayList<>();
        try (FileChannel channel = FileChannel.open(modelTemp, StandardOpenOption.WRITE)) {
            OutputStream stream = Channels.newOutputStream(channel);
            CodedOutputStream out = CodedOutputStream.newInstance(stream, 1 << 16);
            // Field order as protobuf would write it: ModelProto fields 1-3, graph (7), opset_import (8); inside the
            // graph: nodes (1) and name (2), initializers (5), inputs (11) and outputs (12). Concatenated messages of
            // one type merge, so the head and tail parts serialize independently.
            layout.modelHead().writeTo(out);
            out.writeTag(GRAPH_FIELD, WireFormat.WIRETYPE_LENGTH_DELIMITED);
            out.writeUInt64NoTag(layout.graphBytes());
            layout.graphHead().writeTo(out);
            for (PlacedTensor tensor : layout.tensors()) {
                out.writeTag(INITIALIZER_FIELD, WireFormat.WIRETYPE_LENGTH_DELIMITED);
                out.writeUInt64NoTag(tensor.tensorMessageBytes());
                tensor.header().writeTo(out);
                if (tensor.inline()) {
                    long bytes = tensor.initializer().data().byteSize();
                    out.writeTag(RAW_DATA_FIELD, WireFormat.WIRETYPE_LENGTH_DELIMITED);
                    out.writeUInt64NoTag(bytes);
                    out.flush();
                    // the tensor's bytes go here, streamed below; the structure goes on after them
                    slots.add(new TensorSlot(tensor.initializer(), channel.position(), channel.position()));
                    channel.position(channel.position() + bytes);
                }
            }
            layout.graphTail().writeTo(out);
            layout.modelTail().writeTo(out);
            out.flush();
            long written = channel.position();
            if (written != layout.modelBytes()) {
                throw new IllegalStateException("model '" + model.graphName() + "': wrote " + written
                        + " bytes but the layout computed " + layout.modelBytes());
            }
        }
        streamTensors(slots, modelTemp);
        return layout.modelBytes();
    }

    /**
     * Where one initializer's bytes go in a file: at {@code offset}, after zeros from {@code zerosFrom} (the end of
     * the tensor before it, when external data aligns tensors to pages).
     */
    private record TensorSlot(Initializer initializer, long zerosFrom, long offset) {
        TensorSlot {
            if (zerosFrom < 0 || zerosFrom > offset) {
                throw new IllegalArgumentException("a tensor's padding starts at 0 to its offset " + offset
                        + ", was " + zerosFrom);
            }
        }
    }

    /**
     * Streams each slot's tensor into {@code file} at its offset, on up to {@link #MAX_STREAMING_THREADS} threads
     * (this one among them), each with its own channel on the file: while one thread waits for the kernel to copy
     * its bytes, another converts the next tensor. Tensors computed together ({@link JointlyWritten}, a quantized
     * weight's codes and scales) are written together, in one pass over their source. The bytes and offsets are the
     * layout's, so the file is the same whatever the threads' order. The first failure stops the threads from taking further tensors and is thrown.
     */
    private static void streamTensors(List<TensorSlot> slots, Path file) throws IOException {
        if (slots.isEmpty()) {
            return;
        }
        List<List<TensorSlot>> tasks = tasks(slots);
        int threads = (int) Math.min(tasks.size(),
                Math.min(MAX_STREAMING_THREADS, Runtime.getRuntime().availableProcessors()));
        AtomicInteger next = new AtomicInteger();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Runnable worker = () -> {
            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
                for (int index = next.getAndIncrement(); index < tasks.size() && failure.get() == null;
                     index = next.getAndIncrement()) {
                    List<TensorSlot> task = tasks.get(index);
                    for (TensorSlot slot : task) {
                        channel.position(slot.zerosFrom());
                        writeZeros(channel, slot.offset() - slot.zerosFrom());
                    }
                    if (task.size() == 1) {
                        channel.position(task.get(0).offset());
                        streamTensor(task.get(0).initializer(), channel);
                    } else {
                        streamJointly(task, channel);
                    }
                }
            } catch (Throwable e) {
                failure.compareAndSet(null, e);
            }
        };
        List<Thread> helpers = new ArrayList<>();
        for (int t = 1; t < threads; t++) {
            Thread helper = new Thread(worker, "exporters4j-tensor-writer-" + t);
            helper.setDaemon(true);
            helper.start();
            helpers.add(helper);
        }
        worker.run();
        boolean interrupted = false;
        for (Thread helper : helpers) {
            while (helper.isAlive()) {
                try {
                    helper.join();
                } catch (InterruptedException e) {
                    interrupted = true; // the helpers write into this file: wait for them before it is deleted
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        Throwable first = failure.get();
        if (first instanceof IOException e) {
            throw e;
        }
        if (first instanceof RuntimeException e) {
            throw e;
        }
        if (first instanceof Error e) {
            throw e;
        }
    }

    /**
     * The slots in the order they are written, one task each, except that the parts of one {@link JointlyWritten}
     * joint that all have a slot in this file are one task, at the first part's place: written in one pass over their
     * source.
     */
    private static List<List<TensorSlot>> tasks(List<TensorSlot> slots) {
        Map<Object, Integer> slotByIdentity = new HashMap<>();
        for (int i = 0; i < slots.size(); i++) {
            slotByIdentity.putIfAbsent(slots.get(i).initializer().data().identity(), i);
        }
        boolean[] taken = new boolean[slots.size()];
        List<List<TensorSlot>> tasks = new ArrayList<>();
        for (int i = 0; i < slots.size(); i++) {
            if (taken[i]) {
                continue;
            }
            List<TensorSlot> task = List.of(slots.get(i));
            if (slots.get(i).initializer().data() instanceof JointlyWritten jointly) {
                List<Integer> members = new ArrayList<>();
                for (TensorData part : jointly.joint().parts()) {
                    Integer at = slotByIdentity.get(part.identity());
                    if (at == null || taken[at] || members.contains(at)) {
                        members = null; // a part lies in the other file, or elsewhere: each part writes alone
                        break;
                    }
                    members.add(at);
                }
                if (members != null && members.contains(i)) {
                    task = members.stream().map(slots::get).toList();
                    members.forEach(at -> taken[at] = true);
                }
            }
            taken[i] = true;
            tasks.add(task);
        }
        return tasks;
    }

    /**
     * Streams the parts of one joint, each at its slot's offset by positional writes on {@code channel}, and checks
     * that each part writes exactly the size it declares.
     */
    private static void streamJointly(List<TensorSlot> task, FileChannel channel) throws IOException {
        List<PlacedChannel> placed = new ArrayList<>();
        for (TensorSlot slot : task) {
            placed.add(new PlacedChannel(channel, slot.offset()));
        }
        JointlyWritten.Joint joint = ((JointlyWritten) task.get(0).initializer().data()).joint();
        try {
            joint.writeTo(List.copyOf(placed));
        } catch (IOException | RuntimeException e) {
            throw new ModelWriteException("cannot write initializers " + task.stream().map(slot -> "'"
                    + slot.initializer().name() + "' (" + slot.initializer().data().elementType().onnxName()
                    + slot.initializer().data().dims() + ")").toList() + " (computed together from one weight): "
                    + e.getMessage(), e);
        }
        for (int i = 0; i < task.size(); i++) {
            TensorData data = task.get(i).initializer().data();
            if (placed.get(i).written() != data.byteSize()) {
                throw new ModelWriteException("initializer '" + task.get(i).initializer().name() + "' ("
                        + data.elementType().onnxName() + data.dims() + ") wrote " + placed.get(i).written()
                        + " bytes but declares " + data.byteSize() + "; its tensor data is inconsistent");
            }
        }
    }

    /** Writes into a file from a position of its own (positional writes: the file channel's position is left alone). */
    private static final class PlacedChannel extends TensorWriteChannel {
        private final FileChannel file;
        private final long start;
        private long position;

        PlacedChannel(FileChannel file, long start) {
            this.file = file;
            this.start = start;
            this.position = start;
        }

        @Override
        public int write(ByteBuffer source) throws IOException {
            int written = file.write(source, position);
            position += written;
            return written;
        }

        long written() {
            return position - start;
        }
    }

    /**
     * Streams one initializer's bytes, checking that the tensor writes exactly the size it declares. The tensor
     * writes straight into the file channel, so a tensor backed by a file can hand it to the kernel
     * ({@code FileChannel.transferTo}) without mapping or copying its bytes into this process; the count is the
     * channel's position change (a wrong count fails the write, and the temporary file is deleted).
     */
    private static long streamTensor(Initializer initializer, FileChannel channel) throws IOException {
        TensorData data = initializer.data();
        long start = channel.position();
        try {
            data.writeTo(channel);
        } catch (IOException | RuntimeException e) {
            throw new ModelWriteException("cannot write initializer '" + initializer.name() + "' ("
                    + data.elementType().onnxName() + data.dims() + "): " + e.getMessage(), e);
        }
        long written = channel.position() - start;
        if (written != data.byteSize()) {
            throw new ModelWriteException("initializer '" + initializer.name() + "' (" + data.elementType().onnxName()
                    + data.dims() + ") wrote " + written + " bytes but declares " + data.byteSize()
                    + "; its tensor data is inconsistent");
        }
        return written;
    }

    private static void writeZeros(FileChannel channel, long count) throws IOException {
        ByteBuffer zeros = ByteBuffer.allocate((int) Math.min(count, EXTERNAL_ALIGNMENT_BYTES));
        long left = count;
        while (left > 0) {
            zeros.clear().limit((int) Math.min(left, zeros.capacity()));
            while (zeros.hasRemaining()) {
                left -= channel.write(zeros);
            }
        }
    }

    /**
     * A new, empty {@code .<name>.<random>.tmp} in {@code folder}, created with the default permissions (the
     * process's umask applies, as for any file the user writes; {@code createTempFile} would make it owner-only).
     */
    private static Path createTemporary(Path folder, String name) throws IOException {
        for (int attempt = 0; ; attempt++) {
            Path candidate = folder.resolve("." + name + "." + Long.toUnsignedString(RANDOM.nextLong(), 36) + ".tmp");
            try {
                return Files.createFile(candidate);
            } catch (FileAlreadyExistsException e) {
                if (attempt >= 100) {
                    throw e;
                }
            }
        }
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private static void deleteQuietly(Path path) {
        if (path == null) {
            return;
        }
        try {
            Files.deleteIfExists(path);
        } catch (IOException e) {
            // best effort: the write has already failed and reports its own cause
        }
    }

    /** The project version from the jar's Maven metadata; "dev" when running from unpackaged classes. */
    private static String producerVersion() {
        try (InputStream in = ModelWriter.class.getResourceAsStream(
                "/META-INF/maven/org.exporters4j/exporters4j/pom.properties")) {
            if (in != null) {
                Properties properties = new Properties();
                properties.load(in);
                String version = properties.getProperty("version");
                if (version != null && !version.isBlank()) {
                    return version;
                }
            }
        } catch (IOException e) {
            // fall through: the version is informational
        }
        return "dev";
    }
}
