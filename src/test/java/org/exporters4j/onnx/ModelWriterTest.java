package org.exporters4j.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.exporters4j.onnx.proto.OnnxProto.ModelProto;
import org.exporters4j.onnx.proto.OnnxProto.StringStringEntryProto;
import org.exporters4j.onnx.proto.OnnxProto.TensorProto;
import org.exporters4j.onnx.proto.OnnxProto.ValueInfoProto;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Writes models, reads them back with the generated protobuf parser and runs them in ONNX Runtime. */
class ModelWriterTest {
    private static final Dim BATCH = Dim.symbolic("batch_size");

    @TempDir
    Path folder;

    @Test
    void writeIntoNeverCreatesItsFolder() {
        OnnxModel model = dense(14, TensorData.ofFloats(new float[] {1, 2, 3, 4, 5, 6}, 2, 3));
        Path gone = folder.resolve("staging");
        ModelWriteException error = assertThrows(ModelWriteException.class,
                () -> new ModelWriter(WeightsLocation.EMBEDDED).writeInto(model, gone, "model.onnx"));
        assertEquals("cannot write the ONNX model " + gone.resolve("model.onnx") + ": the folder " + gone + " does "
                + "not exist (it was removed while the model was built); create it and export again",
                error.getMessage());
        assertFalse(Files.exists(gone));
        // write creates it, as its contract says
        assertEquals(gone.resolve("model.onnx"), new ModelWriter(WeightsLocation.EMBEDDED).write(model, gone)
                .modelFile());
    }

    @Test
    void embeddedModelRoundTripsThroughTheProtobufParser() throws Exception {
        OnnxModel model = dense(14, TensorData.ofFloats(new float[] {1, 2, 3, 4, 5, 6}, 2, 3));
        WrittenModel written = new ModelWriter(WeightsLocation.EMBEDDED).write(model, folder);
        assertEquals(folder.resolve("model.onnx"), written.modelFile());
        assertEquals(Files.size(written.modelFile()), written.modelFileBytes());
        assertTrue(written.externalDataFile().isEmpty());

        ModelProto proto = parse(written.modelFile());
        assertEquals(7, proto.getIrVersion());
        assertEquals("exporters4j", proto.getProducerName());
        assertFalse(proto.getProducerVersion().isBlank());
        assertEquals(1, proto.getOpsetImportCount());
        assertEquals("", proto.getOpsetImport(0).getDomain());
        assertEquals(14, proto.getOpsetImport(0).getVersion());
        assertEquals("main_graph", proto.getGraph().getName());
        ValueInfoProto input = proto.getGraph().getInput(0);
        assertEquals("x", input.getName());
        assertEquals(ElementType.FLOAT.onnxCode(), input.getType().getTensorType().getElemType());
        assertEquals("batch_size", input.getType().getTensorType().getShape().getDim(0).getDimParam());
        assertEquals(2, input.getType().getTensorType().getShape().getDim(1).getDimValue());
        assertEquals("y", proto.getGraph().getOutput(0).getName());
        TensorProto weight = proto.getGraph().getInitializer(0);
        assertEquals("dense.weight", weight.getName());
        assertEquals(List.of(2L, 3L), weight.getDimsList());
        assertEquals(ElementType.FLOAT.onnxCode(), weight.getDataType());
        assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6}, floats(weight.getRawData().asReadOnlyByteBuffer()));
        assertEquals(List.of("MatMul", "Add"), proto.getGraph().getNodeList().stream().map(n -> n.getOpType()).toList());
        assertEquals(List.of("x", "dense.weight"), proto.getGraph().getNode(0).getInputList());
    }

    @Test
    void anUnknownDimensionHasNeitherAValueNorAName() throws Exception {
        OnnxGraphBuilder g = new OnnxGraphBuilder("main_graph", 11);
        Value x = g.input("x", ElementType.FLOAT, Shape.of(BATCH, Dim.unknown()));
        g.output("y", g.relu(x), ElementType.FLOAT, Shape.of(BATCH, Dim.unknown()));
        WrittenModel written = new ModelWriter(WeightsLocation.EMBEDDED).write(g.build(), folder);

        var dim = parse(written.modelFile()).getGraph().getOutput(0).getType().getTensorType().getShape().getDim(1);
        assertFalse(dim.hasDimValue());
        assertFalse(dim.hasDimParam());
        assertEquals("[batch_size, ?]", Shape.of(BATCH, Dim.unknown()).toString());
    }

    @Test
    void writtenFilesHaveTheDefaultPermissionsOfNewFiles() throws Exception {
        OnnxModel model = dense(14, TensorData.ofFloats(new float[2 * 512], 2, 512));
        WrittenModel written = new ModelWriter(WeightsLocation.EXTERNAL_DATA).write(model, folder);
        Path plain = Files.createFile(folder.resolve("plain.txt"));
        assertEquals(Files.getPosixFilePermissions(plain), Files.getPosixFilePermissions(written.modelFile()));
        assertEquals(Files.getPosixFilePermissions(plain),
                Files.getPosixFilePermissions(written.externalDataFile().orElseThrow()));
    }

    @Test
    void irVersionFollowsTheOpset() throws Exception {
        Map<Integer, Integer> expected = Map.of(11, 6, 13, 7, 14, 7, 15, 8, 17, 8, 18, 8, 19, 9, 21, 10, 23, 11);
        for (Map.Entry<Integer, Integer> entry : expected.entrySet()) {
            assertEquals(entry.getValue(), Opset.of(entry.getKey()).irVersion(), "opset " + entry.getKey());
        }
        WrittenModel written = new ModelWriter(WeightsLocation.AUTOMATIC)
                .write(dense(11, TensorData.ofFloats(new float[] {1, 2, 3, 4, 5, 6}, 2, 3)), folder);
        assertEquals(6, parse(written.modelFile()).getIrVersion());
    }

    @Test
    void forcedExternalDataRoundTripsAndRunsLikeTheEmbeddedModel() throws Exception {
        float[] weights = new float[2 * 300];
        for (int i = 0; i < weights.length; i++) {
            weights[i] = (i % 17) * 0.25f - 2;
        }
        OnnxModel model = dense(14, TensorData.ofFloats(weights, 2, 300));
        Path embeddedFolder = folder.resolve("embedded");
        Path externalFolder = folder.resolve("external");
        new ModelWriter(WeightsLocation.EMBEDDED).write(model, embeddedFolder);
        WrittenModel written = new ModelWriter(WeightsLocation.EXTERNAL_DATA).write(model, externalFolder);

        Path data = externalFolder.resolve("model.onnx_data");
        assertEquals(data, written.externalDataFile().orElseThrow());
        assertEquals(Files.size(data), written.externalDataBytes());
        ModelProto proto = parse(written.modelFile());
        TensorProto weight = proto.getGraph().getInitializer(0);
        assertEquals(TensorProto.DataLocation.EXTERNAL, weight.getDataLocation());
        assertFalse(weight.hasRawData());
        Map<String, String> entries = weight.getExternalDataList().stream()
                .collect(Collectors.toMap(StringStringEntryProto::getKey, StringStringEntryProto::getValue));
        assertEquals("model.onnx_data", entries.get("location"));
        assertEquals(2400, Long.parseLong(entries.get("length")));
        long offset = Long.parseLong(entries.get("offset"));
        assertEquals(0, offset % ModelWriter.EXTERNAL_ALIGNMENT_BYTES);
        ByteBuffer stored = ByteBuffer.wrap(Files.readAllBytes(data), (int) offset, 2400).slice();
        assertArrayEquals(weights, floats(stored));
        // the 1.2 KiB bias threshold: a 1200-byte bias goes out, a tiny one would stay in
        TensorProto bias = proto.getGraph().getInitializer(1);
        assertEquals(TensorProto.DataLocation.EXTERNAL, bias.getDataLocation());
        long biasOffset = Long.parseLong(bias.getExternalData(1).getValue());
        assertEquals(4096, biasOffset, "the second tensor starts at the next 4 KiB boundary");

        float[] input = new float[2 * 2];
        input[0] = 1;
        input[3] = -1;
        try (RuntimeSession embedded = new RuntimeSession(embeddedFolder.resolve("model.onnx"));
             RuntimeSession external = new RuntimeSession(written.modelFile())) {
            float[] expected = embedded.feed("x", input, 2, 2).run("y").values();
            assertArrayEquals(expected, external.feed("x", input, 2, 2).run("y").values());
            assertEquals(weights[0] + 0.5f, expected[0]); // x[0] = [1, 0] picks W's first row, plus bias 0.5
        }
    }

    @Test
    void automaticWeightsGoOutsideOnlyPastTheSingleFileLimit() throws Exception {
        OnnxModel model = dense(14, TensorData.ofFloats(new float[2 * 300], 2, 300));
        WrittenModel small = new ModelWriter(WeightsLocation.AUTOMATIC).write(model, folder.resolve("inside"));
        assertTrue(small.externalDataFile().isEmpty());
        WrittenModel large = new ModelWriter(WeightsLocation.AUTOMATIC, 2000).write(model, folder.resolve("outside"));
        assertEquals(folder.resolve("outside").resolve("model.onnx_data"), large.externalDataFile().orElseThrow());
        assertTrue(large.modelFileBytes() < 2000);
        assertEquals(4096 + 1200, large.externalDataBytes(), "weight at 0, bias at the next 4 KiB boundary");
        ModelWriteException error = assertThrows(ModelWriteException.class,
                () -> new ModelWriter(WeightsLocation.EMBEDDED, 2000).write(model, folder.resolve("refused")));
        assertTrue(error.getMessage().contains("write it with AUTOMATIC or EXTERNAL_DATA"), error.getMessage());
    }

    @Test
    void smallTensorsStayInsideWhenWeightsGoOutside() throws Exception {
        OnnxModel model = dense(14, TensorData.ofFloats(new float[] {1, 2, 3, 4, 5, 6}, 2, 3));
        WrittenModel written = new ModelWriter(WeightsLocation.EXTERNAL_DATA).write(model, folder, "decoder_model.onnx");
        assertEquals(folder.resolve("decoder_model.onnx"), written.modelFile());
        assertTrue(written.externalDataFile().isEmpty(), "no tensor reaches the 1 KiB threshold");
        assertTrue(parse(written.modelFile()).getGraph().getInitializer(0).hasRawData());
    }

    @Test
    void tiedWeightsAreWrittenOnceAndLazyDerivedTensorsRunCorrectly() throws Exception {
        OnnxGraphBuilder g = new OnnxGraphBuilder("main_graph", 14);
        Value x = g.input("x", ElementType.FLOAT, Shape.of(BATCH, Dim.of(2)));
        TensorData linear = TensorData.ofFloats(new float[] {1, 2, 3, 4, 5, 6}, 3, 2); // nn.Linear [out=3, in=2]
        Value first = g.matMul(x, g.initializer("a.weight", linear.transposed()));
        Value tied = g.matMul(x, g.initializer("b.weight", linear.transposed()));
        // float16 [1, -2] and bfloat16 [0.5, 3] widened to float when written
        TensorData half = TensorDataTest.shorts(ElementType.FLOAT16, new short[] {0x3c00, (short) 0xc000});
        TensorData brain = TensorDataTest.shorts(ElementType.BFLOAT16, new short[] {0x3f00, 0x4040});
        Value scale = g.initializer("scale", half.convertedTo(ElementType.FLOAT).reshaped(1, 2));
        Value shift = g.initializer("shift", brain.convertedTo(ElementType.FLOAT));
        g.output("first", g.add(first, tied), ElementType.FLOAT, Shape.of(BATCH, Dim.of(3)));
        g.output("scaled", g.add(g.mul(x, scale), shift), ElementType.FLOAT, Shape.of(BATCH, Dim.of(2)));
        OnnxModel model = g.build();

        WrittenModel written = new ModelWriter(WeightsLocation.EMBEDDED).write(model, folder);
        ModelProto proto = parse(written.modelFile());
        assertEquals(List.of("a.weight", "scale", "shift"),
                proto.getGraph().getInitializerList().stream().map(TensorProto::getName).toList());
        assertEquals(List.of(2L, 3L), proto.getGraph().getInitializer(0).getDimsList());
        assertArrayEquals(new float[] {1, 3, 5, 2, 4, 6}, floats(proto.getGraph().getInitializer(0).getRawData()
                .asReadOnlyByteBuffer()));
        assertEquals(ElementType.FLOAT.onnxCode(), proto.getGraph().getInitializer(1).getDataType());
        assertEquals(List.of("x", "a.weight"), proto.getGraph().getNode(1).getInputList());

        try (RuntimeSession session = new RuntimeSession(written.modelFile())) {
            var out = session.feed("x", new float[] {1, 1, 2, -1}, 2, 2).run();
            // [1,1]·Wᵀ = [3, 7, 11], doubled by the tied product
            assertArrayEquals(new float[] {6, 14, 22, 0, 4, 8}, out.get("first").values());
            assertArrayEquals(new float[] {1.5f, 1, 2.5f, 5}, out.get("scaled").values());
        }
    }

    @Test
    void initializersAreStreamedNeverViewedAsOneBuffer() throws Exception {
        float[] expected = new float[2 * 400];
        for (int i = 0; i < expected.length; i++) {
            expected[i] = i * 0.5f;
        }
        TensorData source = TensorData.ofFloats(expected, 2, 400);
        TensorData streamOnly = new TensorData() {
            @Override
            public ElementType elementType() {
                return ElementType.FLOAT;
            }

            @Override
            public List<Long> dims() {
                return source.dims();
            }

            @Override
            public void writeTo(WritableByteChannel channel) throws IOException {
                ByteBuffer bytes = source.bytes();
                while (bytes.hasRemaining()) { // in 100-byte pieces, as a windowed mapping would
                    ByteBuffer piece = bytes.slice(bytes.position(), Math.min(100, bytes.remaining()));
                    bytes.position(bytes.position() + piece.remaining());
                    channel.write(piece);
                }
            }

            @Override
            public ByteBuffer bytes() {
                throw new AssertionError("the writer must stream initializers, not view them whole");
            }
        };
        for (WeightsLocation location : List.of(WeightsLocation.EMBEDDED, WeightsLocation.EXTERNAL_DATA)) {
            WrittenModel written = new ModelWriter(location).write(dense(14, streamOnly), folder.resolve(location.name()));
            try (RuntimeSession session = new RuntimeSession(written.modelFile())) {
                float[] y = session.feed("x", new float[] {0, 1}, 1, 2).run("y").values();
                assertEquals(expected[400 + 7] + 0.5f, y[7], location.toString());
            }
        }
    }

    @Test
    void aTensorThatFailsMidWriteLeavesNoPartialModel() throws Exception {
        byte[] previous = {1, 2, 3};
        Files.write(folder.resolve("model.onnx"), previous);
        for (WeightsLocation location : WeightsLocation.values()) {
            OnnxModel model = dense(14, failing(2, 600, 1000));
            ModelWriteException error = assertThrows(ModelWriteException.class,
                    () -> new ModelWriter(location).write(model, folder));
            assertTrue(error.getMessage().contains("cannot write initializer 'dense.weight' (float[2, 600])"),
                    error.getMessage());
            assertTrue(error.getMessage().contains("disk went away"), error.getMessage());
            assertArrayEquals(previous, Files.readAllBytes(folder.resolve("model.onnx")), "the earlier model stays");
            assertEquals(List.of("model.onnx"), files(folder), location.toString());
        }
    }

    @Test
    void manyTensorsStreamedOnSeveralThreadsLandAtTheirOffsets() throws Exception {
        // sizes around the 1 KiB external threshold and the 4 KiB alignment, each tensor written in odd pieces
        int[] sizes = {3, 255, 256, 1000, 1025, 4096, 37, 70_001, 1, 2048, 511, 300_000, 12, 1024, 999, 5000};
        OnnxGraphBuilder g = new OnnxGraphBuilder("main_graph", 14);
        Value x = g.input("x", ElementType.FLOAT, Shape.of(Dim.of(1)));
        for (int t = 0; t < sizes.length; t++) {
            Value w = g.initializer("w." + t, piecewise(values(t, sizes[t])));
            g.output("y." + t, g.add(x, w), ElementType.FLOAT, Shape.of(Dim.of(sizes[t])));
        }
        OnnxModel model = g.build();
        for (WeightsLocation location : List.of(WeightsLocation.EMBEDDED, WeightsLocation.EXTERNAL_DATA)) {
            WrittenModel written = new ModelWriter(location).write(model, folder.resolve(location.name()));
            byte[] file = Files.readAllBytes(written.modelFile());
            ModelProto proto = ModelProto.parseFrom(file);
            // protobuf serializes the parsed model to the same bytes: no gap left unfilled, no field out of place
            assertArrayEquals(proto.toByteArray(), file, location.toString());
            byte[] data = written.externalDataFile().isPresent()
                    ? Files.readAllBytes(written.externalDataFile().get()) : new byte[0];
            boolean[] covered = new boolean[data.length];
            for (int t = 0; t < sizes.length; t++) {
                TensorProto tensor = proto.getGraph().getInitializer(t);
                assertEquals("w." + t, tensor.getName());
                if (tensor.getDataLocation() == TensorProto.DataLocation.EXTERNAL) {
                    Map<String, String> entries = tensor.getExternalDataList().stream()
                            .collect(Collectors.toMap(StringStringEntryProto::getKey, StringStringEntryProto::getValue));
                    int offset = Integer.parseInt(entries.get("offset"));
                    int length = Integer.parseInt(entries.get("length"));
                    assertEquals(0, offset % ModelWriter.EXTERNAL_ALIGNMENT_BYTES);
                    assertArrayEquals(values(t, sizes[t]), floats(ByteBuffer.wrap(data, offset, length).slice()),
                            "w." + t + " in the data file");
                    java.util.Arrays.fill(covered, offset, offset + length, true);
                } else {
                    assertArrayEquals(values(t, sizes[t]), floats(tensor.getRawData().asReadOnlyByteBuffer()),
                            "w." + t + " inside " + location);
                }
            }
            for (int i = 0; i < data.length; i++) {
                assertTrue(covered[i] || data[i] == 0, "alignment padding is zeros, byte " + i);
            }
            try (RuntimeSession session = new RuntimeSession(written.modelFile())) {
                float[] y = session.feed("x", new float[] {2}, 1).run("y.11").values();
                assertEquals(values(11, sizes[11])[299_999] + 2, y[299_999], location.toString());
            }
        }
    }

    @Test
    void aQuantizedWeightsPartsAreWrittenInOnePassAtTheirOwnOffsets() throws Exception {
        // three weights quantized to 4 bits: [256, 256] symmetric and with zero points (every part at least 1 KiB,
        // so outside with external data), and [64, 64] whose 512 bytes of scales stay inside while its 2 KiB of codes
        // go outside
        assertEachWeightIsReadOncePerFile("int4-", new int[][] {{256, 256}, {256, 256}, {64, 64}},
                (symmetry, weight) -> new BlockInt4(32, symmetry).quantize(weight),
                (g, x, parts, rows, columns) -> g.matMulNBits(x, parts.get(0), parts.get(1),
                        Optional.ofNullable(parts.size() > 2 ? parts.get(2) : null), Optional.empty(), columns, rows,
                        32, 0));
    }

    @Test
    void aQuantizedWeightFailingMidWriteNamesItsPartsAndLeavesNoPartialModel() {
        OnnxGraphBuilder g = new OnnxGraphBuilder("main_graph", 14);
        QuantizedMatrix q = new BlockInt4(32, QuantizationSymmetry.SYMMETRIC).quantize(failing(256, 256, 100_000));
        Value x = g.input("x", ElementType.FLOAT, Shape.of(Dim.of(1), Dim.of(256)));
        Value y = g.matMulNBits(x, g.initializer("w.codes", q.values()), g.initializer("w.scales", q.scales()),
                Optional.empty(), Optional.empty(), 256, 256, 32, 0);
        g.output("y", y, ElementType.FLOAT, Shape.of(Dim.of(1), Dim.of(256)));
        OnnxModel model = g.build();
        for (WeightsLocation location : List.of(WeightsLocation.EMBEDDED, WeightsLocation.EXTERNAL_DATA)) {
            ModelWriteException error = assertThrows(ModelWriteException.class,
                    () -> new ModelWriter(location).write(model, folder));
            assertTrue(error.getMessage().contains("cannot write initializers ['w.codes' (uint8[256, 8, 16]), "
                    + "'w.scales' (float[256, 8])] (computed together from one weight)"), error.getMessage());
            assertTrue(error.getMessage().contains("disk went away"), error.getMessage());
            assertEquals(List.of(), files(folder), location.toString());
        }
    }

    @Test
    void anInt8WeightsPartsAreWrittenInOnePassAtTheirOwnOffsets() throws Exception {
        // three weights [out, in] quantized to int8 per channel: [256, 64] symmetric (16 KiB of codes, 1 KiB of
        // scales) and [1024, 16] with zero points (16 KiB, 4 KiB, 1 KiB), every part outside with external data; and
        // [128, 16] whose 512 bytes of scales stay inside while its 2 KiB of codes go outside
        assertEachWeightIsReadOncePerFile("int8-", new int[][] {{256, 64}, {1024, 16}, {128, 16}},
                (symmetry, weight) -> new ChannelInt8(symmetry).quantize(weight),
                (g, x, parts, rows, columns) -> g.dynamicQuantizeMatMul(x, parts.get(0), parts.get(1),
                        Optional.ofNullable(parts.size() > 2 ? parts.get(2) : null), Optional.empty()));
    }

    /** A quantizer under test, given the symmetry of the weight at hand. */
    private interface Quantize {
        QuantizedMatrix apply(QuantizationSymmetry symmetry, TensorData weight);
    }

    /** The node that multiplies {@code x} by a quantized weight from its parts (codes, scales[, zero points]). */
    private interface QuantizedNode {
        Value apply(OnnxGraphBuilder g, Value x, List<Value> parts, int rows, int columns);
    }

    /**
     * Writes three weights of {@code shapes} (the first and third symmetric, the second with zero points) embedded and
     * with external data, and checks that every part holds the bytes it writes alone, and that each weight is read
     * once when its parts share a file (the third's are meant to be split across the two files with external data,
     * so each of its parts reads it).
     */
    private void assertEachWeightIsReadOncePerFile(String folderPrefix, int[][] shapes, Quantize quantize,
                                                   QuantizedNode node) throws Exception {
        QuantizationSymmetry[] symmetries = {
            QuantizationSymmetry.SYMMETRIC, QuantizationSymmetry.WITH_ZERO_POINTS, QuantizationSymmetry.SYMMETRIC};
        java.util.concurrent.atomic.AtomicInteger[] reads = new java.util.concurrent.atomic.AtomicInteger[3];
        OnnxGraphBuilder g = new OnnxGraphBuilder("main_graph", 14);
        Map<String, TensorData> parts = new java.util.LinkedHashMap<>();
        for (int w = 0; w < 3; w++) {
            int rows = shapes[w][0];
            int columns = shapes[w][1];
            java.util.concurrent.atomic.AtomicInteger count = new java.util.concurrent.atomic.AtomicInteger();
            reads[w] = count;
            TensorData piecewise = piecewise(values(w, rows * columns));
            TensorData weight = new TensorData() {
                @Override
                public ElementType elementType() {
                    return ElementType.FLOAT;
                }

                @Override
                public List<Long> dims() {
                    return List.of((long) rows, (long) columns);
                }

                @Override
                public void writeTo(WritableByteChannel channel) throws IOException {
                    count.incrementAndGet(); // every read of the weight goes through here (int8's bytes() view too)
                    piecewise.writeTo(channel);
                }
            };
            QuantizedMatrix q = quantize.apply(symmetries[w], weight);
            String name = "w." + w;
            Value x = g.input("x." + w, ElementType.FLOAT, Shape.of(Dim.of(1), Dim.of(columns)));
            List<Value> initializers = new java.util.ArrayList<>(List.of(g.initializer(name + ".codes", q.values()),
                    g.initializer(name + ".scales", q.scales())));
            q.zeroPoints().ifPresent(z -> initializers.add(g.initializer(name + ".zero_points", z)));
            g.output("y." + w, node.apply(g, x, initializers, rows, columns), ElementType.FLOAT,
                    Shape.of(Dim.of(1), Dim.of(rows)));
            parts.put(name + ".codes", q.values());
            parts.put(name + ".scales", q.scales());
            q.zeroPoints().ifPresent(z -> parts.put(name + ".zero_points", z));
        }
        OnnxModel model = g.build();
        // each part alone: one read of its weight each
        Map<String, byte[]> alone = new java.util.HashMap<>();
        parts.forEach((name, data) -> {
            ByteBuffer bytes = data.bytes();
            byte[] copy = new byte[bytes.remaining()];
            bytes.get(copy);
            alone.put(name, copy);
        });
        for (WeightsLocation location : List.of(WeightsLocation.EMBEDDED, WeightsLocation.EXTERNAL_DATA)) {
            for (java.util.concurrent.atomic.AtomicInteger count : reads) {
                count.set(0);
            }
            WrittenModel written = new ModelWriter(location).write(model, folder.resolve(folderPrefix + location.name()));
            ModelProto proto = parse(written.modelFile());
            byte[] data = written.externalDataFile().isPresent()
                    ? Files.readAllBytes(written.externalDataFile().get()) : new byte[0];
            for (TensorProto tensor : proto.getGraph().getInitializerList()) {
                byte[] bytes;
                if (tensor.getDataLocation() == TensorProto.DataLocation.EXTERNAL) {
                    Map<String, String> entries = tensor.getExternalDataList().stream()
                            .collect(Collectors.toMap(StringStringEntryProto::getKey, StringStringEntryProto::getValue));
                    int offset = Integer.parseInt(entries.get("offset"));
                    bytes = java.util.Arrays.copyOfRange(data, offset, offset + Integer.parseInt(entries.get("length")));
                } else {
                    bytes = tensor.getRawData().toByteArray();
                }
                assertArrayEquals(alone.get(tensor.getName()), bytes, tensor.getName() + ", " + location);
            }
            assertEquals(parts.keySet(), proto.getGraph().getInitializerList().stream().map(TensorProto::getName)
                    .collect(Collectors.toSet()));
            // one read per weight whose parts share a file; the split one is read by each of its two parts
            assertEquals(List.of(1, 1, location == WeightsLocation.EMBEDDED ? 1 : 2),
                    Stream.of(reads).map(java.util.concurrent.atomic.AtomicInteger::get).toList(),
                    location.toString());
        }
    }

    @Test
    void aTensorFailingOnAnyThreadLeavesNoPartialModel() {
        OnnxGraphBuilder g = new OnnxGraphBuilder("main_graph", 14);
        Value x = g.input("x", ElementType.FLOAT, Shape.of(Dim.of(1)));
        for (int t = 0; t < 12; t++) {
            TensorData data = t == 7 ? failing(1, 600, 1000) : piecewise(values(t, 5000));
            g.output("y." + t, g.add(x, g.initializer("w." + t, data.reshaped(data.elementCount()))),
                    ElementType.FLOAT, Shape.of(Dim.of(data.elementCount())));
        }
        OnnxModel model = g.build();
        for (WeightsLocation location : List.of(WeightsLocation.EMBEDDED, WeightsLocation.EXTERNAL_DATA)) {
            ModelWriteException error = assertThrows(ModelWriteException.class,
                    () -> new ModelWriter(location).write(model, folder));
            assertTrue(error.getMessage().contains("cannot write initializer 'w.7' (float[600])"), error.getMessage());
            assertTrue(error.getMessage().contains("disk went away"), error.getMessage());
            assertEquals(List.of(), files(folder), location.toString());
        }
    }

    @Test
    void aTensorThatWritesTheWrongNumberOfBytesIsAnError() {
        ModelWriteException fewer = assertThrows(ModelWriteException.class,
                () -> new ModelWriter(WeightsLocation.EMBEDDED).write(dense(14, failing(2, 3, 20)), folder));
        assertTrue(fewer.getMessage().contains("wrote 20 bytes but declares 24"), fewer.getMessage());
        ModelWriteException more = assertThrows(ModelWriteException.class,
                () -> new ModelWriter(WeightsLocation.EMBEDDED).write(dense(14, failing(2, 3, 40)), folder));
        assertTrue(more.getMessage().contains("wrote 40 bytes but declares 24"), more.getMessage());
        assertEquals(List.of(), files(folder));
    }

    @Test
    void embeddedWeightsOverTwoGibibytesAreRefusedBeforeAnythingIsWritten() {
        TensorData huge = new TensorData() {
            @Override
            public ElementType elementType() {
                return ElementType.FLOAT;
            }

            @Override
            public List<Long> dims() {
                return List.of(1L << 29, 2L); // 4 GiB of float32 (the graph is never run)
            }

            @Override
            public void writeTo(WritableByteChannel channel) {
                throw new AssertionError("the size check must come first");
            }
        };
        ModelWriteException error = assertThrows(ModelWriteException.class,
                () -> new ModelWriter(WeightsLocation.EMBEDDED).write(dense(14, huge), folder));
        assertTrue(error.getMessage().contains("over protobuf's 2 GiB limit"), error.getMessage());
        assertTrue(error.getMessage().contains("AUTOMATIC or EXTERNAL_DATA"), error.getMessage());
        assertEquals(List.of(), files(folder));
    }

    @Test
    void aStaleExternalDataFileIsRemovedWhenWeightsGoInside() throws Exception {
        float[] weights = new float[2 * 300];
        new ModelWriter(WeightsLocation.EXTERNAL_DATA).write(dense(14, TensorData.ofFloats(weights, 2, 300)), folder);
        assertEquals(List.of("model.onnx", "model.onnx_data"), files(folder));
        new ModelWriter(WeightsLocation.AUTOMATIC).write(dense(14, TensorData.ofFloats(weights, 2, 300)), folder);
        assertEquals(List.of("model.onnx"), files(folder));
    }

    @Test
    void badFileNamesAreRejected() {
        OnnxModel model = dense(14, TensorData.ofFloats(new float[] {1, 2, 3, 4, 5, 6}, 2, 3));
        ModelWriter writer = new ModelWriter(WeightsLocation.AUTOMATIC);
        assertThrows(ModelWriteException.class, () -> writer.write(model, folder, "../model.onnx"));
        assertThrows(ModelWriteException.class, () -> writer.write(model, folder, " "));
        assertThrows(ModelWriteException.class, () -> new ModelWriter(null));
    }

    /** x: float[batch_size, 2] → y = x · W + b, with W of shape [2, n]. */
    private static OnnxModel dense(int opset, TensorData weight) {
        OnnxGraphBuilder g = new OnnxGraphBuilder("main_graph", opset);
        long columns = weight.dims().get(1);
        Value x = g.input("x", ElementType.FLOAT, Shape.of(BATCH, Dim.of(2)));
        float[] bias = new float[(int) columns];
        java.util.Arrays.fill(bias, 0.5f);
        Value w = g.initializer("dense.weight", weight);
        Value b = g.initializer("dense.bias", TensorData.ofFloats(bias, columns));
        g.output("y", g.add(g.matMul(x, w), b), ElementType.FLOAT, Shape.of(BATCH, Dim.of(columns)));
        return g.build();
    }

    /** {@code count} distinct floats for tensor {@code tensor}. */
    private static float[] values(int tensor, int count) {
        float[] values = new float[count];
        for (int i = 0; i < count; i++) {
            values[i] = tensor * 1000 + i * 0.25f - 3;
        }
        return values;
    }

    /** The float tensor of {@code values}, writing itself in pieces of 1 to 97 bytes. */
    private static TensorData piecewise(float[] values) {
        TensorData source = TensorData.ofFloats(values, values.length);
        return new TensorData() {
            @Override
            public ElementType elementType() {
                return ElementType.FLOAT;
            }

            @Override
            public List<Long> dims() {
                return source.dims();
            }

            @Override
            public void writeTo(WritableByteChannel channel) throws IOException {
                ByteBuffer bytes = source.bytes();
                for (int piece = 1; bytes.hasRemaining(); piece = piece % 97 + 1) {
                    int length = Math.min(piece, bytes.remaining());
                    channel.write(bytes.slice(bytes.position(), length));
                    bytes.position(bytes.position() + length);
                }
            }
        };
    }

    /** A float tensor [rows, columns] that writes {@code bytesBeforeFailure} zero bytes, then fails or stops. */
    private static TensorData failing(long rows, long columns, int bytesWritten) {
        return new TensorData() {
            @Override
            public ElementType elementType() {
                return ElementType.FLOAT;
            }

            @Override
            public List<Long> dims() {
                return List.of(rows, columns);
            }

            @Override
            public void writeTo(WritableByteChannel channel) throws IOException {
                channel.write(ByteBuffer.allocate(bytesWritten));
                if (bytesWritten < byteSize() && bytesWritten >= 1000) {
                    throw new IOException("disk went away");
                }
            }
        };
    }

    private static ModelProto parse(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return ModelProto.parseFrom(in);
        }
    }

    private static float[] floats(ByteBuffer bytes) {
        float[] values = new float[bytes.remaining() / 4];
        bytes.order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(values);
        return values;
    }

    private static List<String> files(Path folder) {
        try (Stream<Path> children = Files.list(folder)) {
            return children.map(p -> p.getFileName().toString()).sorted().toList();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}
