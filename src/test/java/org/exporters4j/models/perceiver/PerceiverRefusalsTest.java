package org.exporters4j.models.perceiver;

import java.util.Map;
import org.exporters4j.models.ArchitectureRefusals;
import org.exporters4j.models.Head;
import org.exporters4j.models.UnsupportedConfigException;
import org.exporters4j.models.Variant;
import org.junit.jupiter.api.Test;

/** Perceiver refuses what it does not build, naming the class or option and the fix. */
class PerceiverRefusalsTest {
    @Test
    void imageClassifiersOtherThanTheLearnedOneAreRefused() {
        // a text checkpoint has no convnet_1x1, as the Fourier and conv-processing image classifiers have none
        ArchitectureRefusals.refuse(UnsupportedConfigException.class, "perceiver", "sequence-classification",
                "image-classification", Variant.of(Head.IMAGE_CLASSIFICATION), Map.of(),
                "convnet_1x1", "PerceiverForImageClassificationLearned");
    }

    @Test
    void headsThatDoNotDivideTheLatentsAreRefused() {
        ArchitectureRefusals.refuse(UnsupportedConfigException.class, "perceiver", "masked-lm",
                Variant.of(Head.MASKED_LM), Map.of("num_self_attention_heads", 5), "num_self_attention_heads 5",
                "d_latents 24");
    }
}
