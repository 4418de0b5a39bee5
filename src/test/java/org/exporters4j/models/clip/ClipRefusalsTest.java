package org.exporters4j.models.clip;

import java.util.Map;
import org.exporters4j.models.ArchitectureException;
import org.exporters4j.models.ArchitectureRefusals;
import org.exporters4j.models.Head;
import org.exporters4j.models.UnsupportedConfigException;
import org.exporters4j.models.Variant;
import org.junit.jupiter.api.Test;

/** The CLIP family refuses configs it cannot build, naming the value, the file and the fix. */
class ClipRefusalsTest {
    @Test
    void headsThatDoNotDivideATowerAreRefused() {
        ArchitectureRefusals.refuse(UnsupportedConfigException.class, "clip", "default", Variant.of(Head.BASE),
                Map.of("text_config", Map.of("hidden_size", 24, "num_attention_heads", 5)),
                "text_config", "hidden_size 24", "num_attention_heads 5");
    }

    @Test
    void aSubConfigOfAnotherModelTypeIsRefused() {
        ArchitectureRefusals.refuse(UnsupportedConfigException.class, "owlvit", "default", Variant.of(Head.BASE),
                Map.of("vision_config", Map.of("model_type", "vit")), "vision_config", "owlvit_vision_model");
    }

    @Test
    void onlyTheContrastiveModelIsBuilt() {
        ArchitectureRefusals.refuse(ArchitectureException.class, "clip", "default",
                Variant.of(Head.IMAGE_CLASSIFICATION), Map.of(), "clip", "default");
    }
}
