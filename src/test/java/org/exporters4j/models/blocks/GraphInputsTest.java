package org.exporters4j.models.blocks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.exporters4j.models.ArchitectureException;
import org.exporters4j.models.CacheTensor;
import org.exporters4j.models.CacheTensor.Attention;
import org.exporters4j.models.CacheTensor.Direction;
import org.exporters4j.models.CacheTensor.Part;
import org.exporters4j.models.GraphInterface;
import org.exporters4j.models.InterfaceTensor;
import org.exporters4j.models.blocks.GraphInputs.Accepted;
import org.exporters4j.models.blocks.GraphInputs.CacheInputs;
import org.exporters4j.models.blocks.GraphInputs.Kind;
import org.exporters4j.onnx.Dim;
import org.exporters4j.onnx.ElementType;
import org.exporters4j.onnx.OnnxGraphBuilder;
import org.exporters4j.onnx.Opset;
import org.junit.jupiter.api.Test;

/** The one input binder with a family's cache inputs: taken by CacheTensor, checked, and named in errors. */
class GraphInputsTest {
    private static final CacheTensor KEY_0 = new CacheTensor(Direction.PAST, 0, Attention.SELF, Part.KEY);
    private static final CacheTensor KEY_1 = new CacheTensor(Direction.PAST, 1, Attention.SELF, Part.KEY);
    private static final List<Accepted> TOKENS = List.of(
            Accepted.of("input_ids", Kind.INTEGER, Dim.unknown(), Dim.unknown()));
    /** Takes layer 0's cache only, as {@code [batch, 2 heads, past, 4]}. */
    private static final CacheInputs LAYER_0 = new CacheInputs("past_key_values.<layer>.key/value",
            tensor -> tensor.layer() == 0
                    ? Optional.of(List.of(Dim.unknown(), Dim.of(2), Dim.unknown(), Dim.of(4))) : Optional.empty());

    @Test
    void cacheInputsAreHandedOutByCacheTensor() {
        GraphInputs inputs = declare(InterfaceTensor.of(KEY_0, ElementType.FLOAT, Map.of(0, "batch_size")));
        assertTrue(inputs.cache(KEY_0).isPresent());
        assertTrue(inputs.cache(new CacheTensor(Direction.PAST, 0, Attention.SELF, Part.VALUE)).isEmpty());
        assertEquals(List.of("input_ids"), inputs.names());
    }

    @Test
    void aCacheInputThatIsNotFloatIsRefused() {
        ArchitectureException error = assertThrows(ArchitectureException.class,
                () -> declare(InterfaceTensor.of(KEY_0, ElementType.INT64, Map.of())));
        assertEquals("the test graph: cache input 'past_key_values.0.key' must be float32, not int64",
                error.getMessage());
    }

    @Test
    void aCacheInputTheFamilyDoesNotTakeIsRefusedNamingWhatItTakes() {
        ArchitectureException error = assertThrows(ArchitectureException.class,
                () -> declare(InterfaceTensor.of(KEY_1, ElementType.FLOAT, Map.of())));
        assertEquals("the test graph has no input 'past_key_values.1.key'; it takes input_ids and "
                + "past_key_values.<layer>.key/value", error.getMessage());
    }

    private static GraphInputs declare(InterfaceTensor cache) {
        GraphInterface graphInterface = new GraphInterface(List.of(
                InterfaceTensor.of("input_ids", ElementType.INT64, Map.of(0, "batch_size", 1, "sequence_length")),
                cache), List.of(InterfaceTensor.of("logits", ElementType.FLOAT, Map.of())), Opset.of(14));
        return GraphInputs.declare(new OnnxGraphBuilder("main_graph", 14), graphInterface, TOKENS, LAYER_0,
                "the test graph");
    }
}
