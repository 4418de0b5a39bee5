package org.exporters4j.tasks;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Every family of Optimum 1.25.3's interface (the {@code *_OPTIMUM_1_25_3} ones) is written in today's layouts, so
 * each of today's rows defaults to {@code --layout optimum} and refuses {@code optimum-1.5}; the others are Optimum
 * v1.5.2's.
 */
class OnnxFamilyLayoutsTest {
    @Test
    void todaysFamiliesAreTheOnesWithTodaysInterface() {
        for (OnnxFamily family : OnnxFamily.values()) {
            assertEquals(family.name().endsWith("_OPTIMUM_1_25_3"), family.hasTodaysInterface(), family.name());
        }
        for (String type : List.of("dinov2", "mpnet", "siglip", "wav2vec2", "qwen2")) {
            assertEquals(Layout.OPTIMUM, ModelTypes.find(type).orElseThrow().defaultLayout(), type);
        }
        assertEquals(List.of(Layout.OPTIMUM_1_5, Layout.OPTIMUM, Layout.TRANSFORMERS_JS),
                ModelTypes.find("detr").orElseThrow().layouts());
    }
}
