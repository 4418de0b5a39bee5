package org.exporters4j.models.t5;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import org.exporters4j.SharedFiles;
import org.exporters4j.checkpoint.ModelConfig;
import org.exporters4j.checkpoint.Weights;
import org.exporters4j.checkpoint.folder.Checkpoints;
import org.exporters4j.models.ArchitectureException;
import org.exporters4j.models.Fixture;
import org.exporters4j.models.GraphInterface;
import org.exporters4j.models.Head;
import org.exporters4j.models.Variant;
import org.exporters4j.tasks.ModelTypes;
import org.junit.jupiter.api.Test;

/** The T5 rows of the architecture table, their variants, and interfaces the family refuses, named. */
class T5ArchitectureTest {
    private static final Fixture FIXTURE = Fixture.read(SharedFiles.fixtures().resolve("t5--seq2seq-lm-with-past"));

    @Test
    void everyTypeBuildsBaseAndSeq2seqWithAndWithoutPast() {
        for (String modelType : List.of("t5", "mt5", "longt5")) {
            assertEquals("t5", ModelTypes.architecture(modelType).family());
            assertEquals(Set.of(Variant.of(Head.BASE), Variant.withPast(Head.BASE), Variant.of(Head.SEQ2SEQ_LM),
                    Variant.withPast(Head.SEQ2SEQ_LM)), ModelTypes.architecture(modelType).variants());
        }
        assertEquals(T5Flavor.EncoderAttention.LONG_T5,
                ((T5Architecture) ModelTypes.architecture("longt5")).flavor().encoderAttention());
    }

    @Test
    void anotherHeadIsRefusedNamingTheVariantsBuilt() {
        ArchitectureException error = assertThrows(ArchitectureException.class, () -> build(
                Variant.of(Head.SEQUENCE_CLASSIFICATION), T5FamilyFixturesTest.graphInterface(FIXTURE)));
        assertEquals("t5 has no sequence-classification graph; it builds base, base with past, seq2seq-lm, "
                + "seq2seq-lm with past", error.getMessage());
    }

    @Test
    void anIncompleteCacheIsRefusedNamingTheMissingInput() {
        GraphInterface full = T5FamilyFixturesTest.graphInterface(FIXTURE);
        GraphInterface incomplete = new GraphInterface(full.inputs().stream()
                .filter(tensor -> !tensor.name().equals("past_key_values.1.encoder.value")).toList(),
                full.outputs(), full.opset());
        ArchitectureException error = assertThrows(ArchitectureException.class,
                () -> build(Variant.withPast(Head.SEQ2SEQ_LM), incomplete));
        assertTrue(error.getMessage().startsWith("the t5 seq2seq-lm with past graph needs the cache input "
                + "'past_key_values.1.encoder.value'"), error.getMessage());
        ArchitectureException withoutPast = assertThrows(ArchitectureException.class,
                () -> build(Variant.of(Head.SEQ2SEQ_LM), full));
        assertTrue(withoutPast.getMessage().startsWith("the t5 seq2seq-lm graph has no input "
                + "'past_key_values.0.decoder.key'"), withoutPast.getMessage());
    }

    private static void build(Variant variant, GraphInterface graphInterface) {
        try (Weights weights = Checkpoints.openWeights(FIXTURE.checkpoint())) {
            ModelTypes.architecture("t5").build(ModelConfig.read(FIXTURE.checkpoint().resolve("config.json")),
                    weights, variant, graphInterface);
        }
    }
}
