package org.exporters4j.models.layoutlmv3;

import java.util.Map;
import org.exporters4j.models.ArchitectureRefusals;
import org.exporters4j.models.Head;
import org.exporters4j.models.UnsupportedConfigException;
import org.exporters4j.models.Variant;
import org.junit.jupiter.api.Test;

/** LayoutLMv3 refuses configs whose model cannot read Optimum's inputs, naming the option and the fix. */
class LayoutLmV3RefusalsTest {
    @Test
    void modelsWithoutImageEmbeddingsAreRefused() {
        ArchitectureRefusals.refuse(UnsupportedConfigException.class, "layoutlmv3", "default", Variant.of(Head.BASE),
                Map.of("visual_embed", false), "visual_embed", "true");
    }

    @Test
    void layoutEmbeddingsMustAddUpToTheHiddenSize() {
        ArchitectureRefusals.refuse(UnsupportedConfigException.class, "layoutlmv3", "default", Variant.of(Head.BASE),
                Map.of("coordinate_size", 5), "coordinate_size 5", "shape_size", "hidden_size 24");
    }

    @Test
    void tooFewRelativePositionBucketsAreRefused() {
        ArchitectureRefusals.refuse(UnsupportedConfigException.class, "layoutlmv3", "default", Variant.of(Head.BASE),
                Map.of("rel_pos_bins", 2), "rel_pos_bins 2", "max_rel_pos");
    }
}
