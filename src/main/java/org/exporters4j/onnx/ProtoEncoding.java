package org.exporters4j.onnx;

import com.google.protobuf.ByteString;
import java.nio.ByteBuffer;
import java.util.List;
import org.exporters4j.onnx.proto.OnnxProto.AttributeProto;
import org.exporters4j.onnx.proto.OnnxProto.GraphProto;
import org.exporters4j.onnx.proto.OnnxProto.NodeProto;
import org.exporters4j.onnx.proto.OnnxProto.TensorProto;
import org.exporters4j.onnx.proto.OnnxProto.TensorShapeProto;
import org.exporters4j.onnx.proto.OnnxProto.TypeProto;
import org.exporters4j.onnx.proto.OnnxProto.ValueInfoProto;

/** Converts the graph's structure (not its initializers' bytes) into the generated protobuf messages. */
final class ProtoEncoding {
    private ProtoEncoding() {}

    static NodeProto node(Node node) {
        NodeProto.Builder proto = NodeProto.newBuilder()
                .setName(node.name())
                .setOpType(node.opType())
                .addAllInput(node.inputs())
                .addAllOutput(node.outputs());
        if (node.domain() != OperatorDomain.ONNX) {
            proto.setDomain(node.domain().protoName());
        }
        for (Attribute attribute : node.attributes()) {
            proto.addAttribute(attribute(attribute));
        }
        return proto.build();
    }

    static AttributeProto attribute(Attribute attribute) {
        AttributeProto.Builder proto = AttributeProto.newBuilder().setName(attribute.name());
        if (attribute instanceof Attribute.IntValue value) {
            proto.setType(AttributeProto.AttributeType.INT).setI(value.value());
        } else if (attribute instanceof Attribute.FloatValue value) {
            proto.setType(AttributeProto.AttributeType.FLOAT).setF(value.value());
        } else if (attribute instanceof Attribute.StringValue value) {
            proto.setType(AttributeProto.AttributeType.STRING).setS(ByteString.copyFromUtf8(value.value()));
        } else if (attribute instanceof Attribute.IntList value) {
            proto.setType(AttributeProto.AttributeType.INTS).addAllInts(value.values());
        } else if (attribute instanceof Attribute.TensorValue value) {
            proto.setType(AttributeProto.AttributeType.TENSOR).setT(inlineTensor("", value.value()));
        } else if (attribute instanceof Attribute.GraphValue value) {
            proto.setType(AttributeProto.AttributeType.GRAPH).setG(subgraph(value.value()));
        } else {
            throw new IllegalStateException("unknown attribute kind " + attribute);
        }
        return proto.build();
    }

    /** A branch: its name, nodes and outputs (it reads the enclosing graph's values, so it has no inputs). */
    static GraphProto subgraph(Subgraph subgraph) {
        GraphProto.Builder proto = GraphProto.newBuilder().setName(subgraph.name());
        for (Node node : subgraph.nodes()) {
            proto.addNode(node(node));
        }
        return proto.addAllOutput(valueInfos(subgraph.outputs())).build();
    }

    static ValueInfoProto valueInfo(TensorSpec spec) {
        TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
        for (Dim dim : spec.shape().dims()) {
            if (dim instanceof Dim.Fixed fixed) {
                shape.addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(fixed.size()));
            } else if (dim instanceof Dim.Symbolic symbolic) {
                shape.addDim(TensorShapeProto.Dimension.newBuilder().setDimParam(symbolic.name()));
            } else {
                shape.addDim(TensorShapeProto.Dimension.newBuilder());
            }
        }
        TypeProto type = TypeProto.newBuilder()
                .setTensorType(TypeProto.Tensor.newBuilder()
                        .setElemType(spec.elementType().onnxCode())
                        .setShape(shape))
                .build();
        return ValueInfoProto.newBuilder().setName(spec.name()).setType(type).build();
    }

    /** A tensor's dims, type and name, without its data. */
    static TensorProto.Builder tensorHeader(String name, TensorData data) {
        TensorProto.Builder proto = TensorProto.newBuilder()
                .addAllDims(data.dims())
                .setDataType(data.elementType().onnxCode());
        if (!name.isEmpty()) {
            proto.setName(name);
        }
        return proto;
    }

    /** A small tensor with its bytes in raw_data (Constant values). */
    static TensorProto inlineTensor(String name, TensorData data) {
        ByteBuffer bytes = data.bytes();
        return tensorHeader(name, data).setRawData(ByteString.copyFrom(bytes)).build();
    }

    /** The external-data header: location, offset and length, as ONNX's external data convention spells them. */
    static TensorProto externalTensorHeader(String name, TensorData data, String location, long offset) {
        return tensorHeader(name, data)
                .addExternalData(entry("location", location))
                .addExternalData(entry("offset", Long.toString(offset)))
                .addExternalData(entry("length", Long.toString(data.byteSize())))
                .setDataLocation(TensorProto.DataLocation.EXTERNAL)
                .build();
    }

    static List<ValueInfoProto> valueInfos(List<TensorSpec> specs) {
        return specs.stream().map(ProtoEncoding::valueInfo).toList();
    }

    private static org.exporters4j.onnx.proto.OnnxProto.StringStringEntryProto entry(String key, String value) {
        return org.exporters4j.onnx.proto.OnnxProto.StringStringEntryProto.newBuilder()
                .setKey(key).setValue(value).build();
    }
}
