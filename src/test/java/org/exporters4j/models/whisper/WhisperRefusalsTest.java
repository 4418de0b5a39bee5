package org.exporters4j.models.whisper;

import java.util.Map;
import org.exporters4j.models.ArchitectureException;
import org.exporters4j.models.ArchitectureRefusals;
import org.exporters4j.models.Head;
import org.exporters4j.models.MissingWeightsException;
import org.exporters4j.models.UnsupportedConfigException;
import org.exporters4j.models.Variant;
import org.junit.jupiter.api.Test;

/** Whisper refuses configs and checkpoints it cannot build, naming the value and the fix. */
class WhisperRefusalsTest {
    @Test
    void headsThatDoNotDivideTheModelSizeAreRefused() {
        ArchitectureRefusals.refuse(UnsupportedConfigException.class, "whisper", "speech2seq-lm",
                Variant.of(Head.SPEECH2SEQ_LM), Map.of("decoder_attention_heads", 5), "decoder_attention_heads 5",
                "d_model 24");
    }

    @Test
    void anUntiedOutputProjectionMustBeInTheCheckpoint() {
        // tie_word_embeddings false makes proj_out its own weight, which a WhisperForConditionalGeneration checkpoint
        // saved tied does not hold
        ArchitectureRefusals.refuse(MissingWeightsException.class, "whisper", "speech2seq-lm",
                Variant.of(Head.SPEECH2SEQ_LM), Map.of("tie_word_embeddings", false), "proj_out.weight");
    }

    @Test
    void unknownHeadsAreRefused() {
        ArchitectureRefusals.refuse(ArchitectureException.class, "whisper", "default", Variant.of(Head.MASKED_LM),
                Map.of(), "whisper", "speech2seq-lm");
    }
}
