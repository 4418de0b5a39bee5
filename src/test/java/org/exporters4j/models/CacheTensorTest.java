package org.exporters4j.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.exporters4j.models.CacheTensor.Attention;
import org.exporters4j.models.CacheTensor.Direction;
import org.exporters4j.models.CacheTensor.Part;
import org.exporters4j.onnx.ElementType;
import org.junit.jupiter.api.Test;

class CacheTensorTest {
    @Test
    void rendersOptimumsNames() {
        assertEquals("past_key_values.0.key", new CacheTensor(Direction.PAST, 0, Attention.SELF, Part.KEY).name());
        assertEquals("present.11.value", new CacheTensor(Direction.PRESENT, 11, Attention.SELF, Part.VALUE).name());
        assertEquals("past_key_values.2.decoder.value",
                new CacheTensor(Direction.PAST, 2, Attention.DECODER_SELF, Part.VALUE).name());
        assertEquals("present.1.encoder.key",
                new CacheTensor(Direction.PRESENT, 1, Attention.ENCODER_CROSS, Part.KEY).name());
        assertEquals(new CacheTensor(Direction.PRESENT, 3, Attention.ENCODER_CROSS, Part.VALUE),
                new CacheTensor(Direction.PAST, 3, Attention.ENCODER_CROSS, Part.VALUE).opposite());
    }

    @Test
    void listsLayersInOptimumsOrder() {
        assertEquals(List.of("past_key_values.0.key", "past_key_values.0.value", "past_key_values.1.key",
                        "past_key_values.1.value"),
                CacheTensor.layers(Direction.PAST, 2, List.of(Attention.SELF)).stream().map(CacheTensor::name).toList());
        assertEquals(List.of("present.0.decoder.key", "present.0.decoder.value", "present.0.encoder.key",
                        "present.0.encoder.value"),
                CacheTensor.layers(Direction.PRESENT, 1, List.of(Attention.DECODER_SELF, Attention.ENCODER_CROSS))
                        .stream().map(CacheTensor::name).toList());
        assertThrows(IllegalArgumentException.class, () -> CacheTensor.layers(Direction.PAST, 0,
                List.of(Attention.SELF)));
        assertThrows(IllegalArgumentException.class, () -> new CacheTensor(Direction.PAST, -1, Attention.SELF,
                Part.KEY));
    }

    @Test
    void anInterfaceTensorCarriesItsCacheTensorsName() {
        CacheTensor key = new CacheTensor(Direction.PAST, 0, Attention.SELF, Part.KEY);
        InterfaceTensor tensor = InterfaceTensor.of(key, ElementType.FLOAT, Map.of(0, "batch_size"));
        assertEquals("past_key_values.0.key", tensor.name());
        assertEquals(key, tensor.cache().orElseThrow());
        assertThrows(IllegalArgumentException.class, () -> new InterfaceTensor("past_key_values.1.key",
                ElementType.FLOAT, new java.util.TreeMap<>(), java.util.Optional.of(key)));
    }

    /**
     * Cache names are rendered by CacheTensor alone and read apart nowhere in the main sources: no name is
     * concatenated or formatted from Optimum's prefixes, no pattern matches them (error messages may still describe
     * the names, e.g. {@code past_key_values.N.key/value}).
     */
    @Test
    void noMainSourceSpellsOrParsesACacheName() throws IOException {
        Path main = Path.of("src/main/java/org/exporters4j");
        Path self = main.resolve("models/CacheTensor.java");
        try (Stream<Path> files = Files.walk(main)) {
            List<String> offenders = files.filter(file -> file.toString().endsWith(".java") && !file.equals(self))
                    .filter(file -> {
                        String text = read(file);
                        return Stream.of("\"past_key_values.\" +", "\"present.\" +", "\"past_key_values.%",
                                        "\"present.%", "past_key_values\\\\.", "present\\\\.",
                                        "startsWith(\"past_key_values", "startsWith(\"present")
                                .anyMatch(text::contains);
                    })
                    .map(Path::toString).toList();
            assertEquals(List.of(), offenders, "build cache names with CacheTensor, read them from its fields");
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
