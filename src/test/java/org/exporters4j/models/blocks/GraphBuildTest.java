package org.exporters4j.models.blocks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.exporters4j.checkpoint.DType;
import org.exporters4j.checkpoint.SafetensorsFileWriter;
import org.exporters4j.checkpoint.Weights;
import org.exporters4j.checkpoint.folder.Checkpoints;
import org.exporters4j.models.ArchitectureException;
import org.exporters4j.models.GraphInterface;
import org.exporters4j.models.Head;
import org.exporters4j.models.ModelForm;
import org.exporters4j.models.InterfaceTensor;
import org.exporters4j.models.Variant;
import org.exporters4j.onnx.Dim;
import org.exporters4j.onnx.ElementType;
import org.exporters4j.onnx.OnnxModel;
import org.exporters4j.onnx.Opset;
import org.exporters4j.onnx.Shape;
import org.exporters4j.onnx.TensorSpec;
import org.exporters4j.onnx.Value;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The frame every Architecture.build shares: the variant refusal, the purpose, and the outputs it declares. */
class GraphBuildTest {
    private static final Set<Variant> VARIANTS = Set.of(Variant.of(Head.MASKED_LM), Variant.of(Head.BASE),
            Variant.withPast(Head.BASE));

    @Test
    void refusesAVariantTheFamilyDoesNotBuildListingTheOnesItDoes() {
        ArchitectureException refused = assertThrows(ArchitectureException.class,
                () -> GraphBuild.requireBuilt("bert", VARIANTS, Variant.of(Head.CAUSAL_LM)));
        assertEquals("bert has no causal-lm graph; it builds base, base with past, masked-lm", refused.getMessage());
    }

    @Test
    void startsTheGraphAtTheInterfaceOpsetAndDeclaresTheRequestedOutputs(@TempDir Path folder) throws Exception {
        new SafetensorsFileWriter().add("scale", DType.F32, List.of(2L), SafetensorsFileWriter.floats(2f, 3f))
                .write(folder.resolve("model.safetensors"));
        GraphInterface graphInterface = new GraphInterface(
                List.of(InterfaceTensor.of("x", ElementType.FLOAT, Map.of(0, "batch_size"))),
                List.of(InterfaceTensor.of("y", ElementType.FLOAT, Map.of(0, "batch_size"))), Opset.of(14));
        try (Weights weights = Checkpoints.openWeights(folder)) {
            GraphBuild build = GraphBuild.start("bert", VARIANTS, Variant.of(Head.MASKED_LM), weights,
                    graphInterface);
            assertEquals("the bert masked-lm graph", build.purpose());
            assertEquals("the bert masked-lm graph", build.parameters().purpose());
            Value x = build.graph().input("x", ElementType.FLOAT, Shape.of(Dim.symbolic("batch_size"), Dim.of(2)));
            build.outputs().add("y", () -> build.graph().mul(x, build.parameters().tensor("scale", 2)),
                    Dim.unknown(), Dim.of(2));
            build.outputs().add("unused", () -> {
                throw new AssertionError("an output the interface does not name is never computed");
            });
            OnnxModel model = build.finish();
            assertEquals(14, model.opset().version());
            assertEquals(List.of("y"), model.outputs().stream().map(TensorSpec::name).toList());
            assertEquals(Shape.of(Dim.symbolic("batch_size"), Dim.of(2)), model.outputs().get(0).shape());
        }
    }

    @Test
    void handsTheInterfaceFormToTheBuilderAndItsParameters(@TempDir Path folder) throws Exception {
        new SafetensorsFileWriter().add("scale", DType.F32, List.of(2L), SafetensorsFileWriter.floats(2f, 3f))
                .write(folder.resolve("model.safetensors"));
        GraphInterface plain = new GraphInterface(
                List.of(InterfaceTensor.of("x", ElementType.FLOAT, Map.of(0, "batch_size"))),
                List.of(InterfaceTensor.of("y", ElementType.FLOAT, Map.of(0, "batch_size"))), Opset.of(14));
        assertEquals(ModelForm.PLAIN, plain.form(), "the old constructors ask for the plain form");
        ModelForm fused = ModelForm.PLAIN.withOperators(ModelForm.Operators.FUSED);
        try (Weights weights = Checkpoints.openWeights(folder)) {
            assertEquals(ModelForm.PLAIN, GraphBuild.start("bert", VARIANTS, Variant.of(Head.MASKED_LM), weights,
                    plain).form());
            GraphBuild build = GraphBuild.start("bert", VARIANTS, Variant.of(Head.MASKED_LM), weights,
                    plain.withForm(fused));
            assertEquals(fused, build.form());
            assertEquals(fused, build.parameters().form());
            assertEquals(plain.inputs(), build.graphInterface().inputs());
        }
    }
}
