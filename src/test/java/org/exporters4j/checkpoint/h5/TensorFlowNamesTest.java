package org.exporters4j.checkpoint.h5;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

class TensorFlowNamesTest {

    private static PyTorchName convert(String name, int rank) {
        return TensorFlowNames.toPyTorch(name, rank, "");
    }

    @Test
    void denseKernelsBecomeTransposedWeightsAndListIndicesBecomeLevels() {
        assertEquals(new PyTorchName("bert.encoder.layer.0.attention.self.query.weight", Transpose.MATRIX),
                convert("tf_bert_for_masked_lm/bert/encoder/layer_._0/attention/self/query/kernel:0", 2));
        assertEquals(new PyTorchName("bert.encoder.layer.11.output.dense.bias", Transpose.NONE),
                convert("tf_bert_for_masked_lm/bert/encoder/layer_._11/output/dense/bias:0", 1));
    }

    @Test
    void layerNormsAndEmbeddingsGetPyTorchLeafNames() {
        assertEquals(new PyTorchName("bert.embeddings.LayerNorm.weight", Transpose.NONE),
                convert("tf_bert_model/bert/embeddings/LayerNorm/gamma:0", 1));
        assertEquals(new PyTorchName("bert.embeddings.LayerNorm.bias", Transpose.NONE),
                convert("tf_bert_model/bert/embeddings/LayerNorm/beta:0", 1));
        assertEquals(new PyTorchName("bert.embeddings.position_embeddings.weight", Transpose.NONE),
                convert("tf_bert_model/bert/embeddings/position_embeddings/embeddings:0", 2));
        assertEquals(new PyTorchName("bert.embeddings.word_embeddings.weight", Transpose.NONE),
                convert("tf_bert_model/bert/embeddings/word_embeddings/weight:0", 2));
    }

    @Test
    void tripleUnderscoreScopesRenameALayer() {
        assertEquals(new PyTorchName("cls.predictions.transform.dense.weight", Transpose.MATRIX),
                convert("tf_bert_for_masked_lm/mlm___cls/predictions/transform/dense/kernel:0", 2));
        assertEquals(new PyTorchName("cls.predictions.bias", Transpose.NONE),
                convert("tf_bert_for_masked_lm/mlm___cls/predictions/bias:0", 1));
    }

    @Test
    void theBaseModelPrefixIsRemovedForABareBaseModel() {
        assertEquals(new PyTorchName("pooler.dense.weight", Transpose.MATRIX),
                TensorFlowNames.toPyTorch("tf_bert_model/bert/pooler/dense/kernel:0", 2, "bert."));
        assertEquals(new PyTorchName("h.0.attn.c_attn.weight", Transpose.NONE),
                TensorFlowNames.toPyTorch("tf_gp_t2_model/transformer/h_._0/attn/c_attn/weight:0", 2, "transformer."));
        // a name outside the prefix keeps its levels
        assertEquals(new PyTorchName("shared.weight", Transpose.NONE),
                TensorFlowNames.toPyTorch("shared/shared/weight:0", 2, "transformer."));
    }

    @Test
    void absoluteScopesOfSharedEmbeddingsKeepTheirPath() {
        // T5 and BART create their shared embeddings in an absolute variable scope (real TF names)
        assertEquals(new PyTorchName("shared.weight", Transpose.NONE), convert("shared/shared/weight:0", 2));
        assertEquals(new PyTorchName("model.shared.weight", Transpose.NONE),
                convert("model.shared/model.shared/weight:0", 2));
        assertEquals(new PyTorchName("shared.weight", Transpose.NONE),
                TensorFlowNames.toPyTorch("model.shared/model.shared/weight:0", 2, "model."));
    }

    @Test
    void aSingleLevelNameIsKept() {
        assertEquals(new PyTorchName("final_logits_bias", Transpose.NONE), convert("final_logits_bias:0", 2));
    }

    @Test
    void convolutionKernelsTransposeByRank() {
        assertEquals(new PyTorchName("vit.embeddings.patch_embeddings.projection.weight", Transpose.CONV2D),
                convert("tf_vi_t_model/vit/embeddings/patch_embeddings/projection/kernel:0", 4));
        assertEquals(new PyTorchName("conv.weight", Transpose.CONV1D), convert("m/conv/kernel:0", 3));
        assertEquals(new PyTorchName("conv.pointwise.weight", Transpose.MATRIX), convert("m/conv/pointwise_kernel:0", 3));
        assertEquals(new PyTorchName("conv.depthwise.weight", Transpose.MATRIX), convert("m/conv/depthwise_kernel:0", 3));
        assertEquals(new PyTorchName("crit.out_projs.0", Transpose.MATRIX), convert("m/crit/out_projs_._0:0", 2));
    }

    @Test
    void emptyLevelsCollapse() {
        assertEquals(new PyTorchName("lm_head.bias", Transpose.NONE), convert("tft5_for_conditional_generation/lm_head//bias:0", 1));
    }

    @Test
    void transposesGiveThePyTorchShape() {
        assertEquals(List.of(6L, 4L), Transpose.MATRIX.pyTorchShape(List.of(4L, 6L)));
        assertEquals(List.of(32L, 16L, 3L, 5L), Transpose.CONV2D.pyTorchShape(List.of(3L, 5L, 16L, 32L)));
        assertEquals(List.of(32L, 16L, 3L), Transpose.CONV1D.pyTorchShape(List.of(3L, 16L, 32L)));
        assertEquals(List.of(7L), Transpose.MATRIX.pyTorchShape(List.of(7L)));
        assertEquals(List.of(2L, 3L), Transpose.NONE.pyTorchShape(List.of(2L, 3L)));
        assertThrows(IllegalArgumentException.class, () -> Transpose.CONV2D.sourceAxes(3));
    }
}
