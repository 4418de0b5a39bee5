package org.exporters4j.tasks;

import static org.exporters4j.tasks.ModelTypeRow.Registered.V1_25_3;
import static org.exporters4j.tasks.ModelTypeRows.NO_TF;
import static org.exporters4j.tasks.ModelTypeRows.family;
import static org.exporters4j.tasks.ModelTypeRows.pt;
import static org.exporters4j.tasks.ModelTypeRows.task;
import static org.exporters4j.tasks.ModelTypeRows.tf;
import static org.exporters4j.tasks.ModelTypeRows.type;
import static org.exporters4j.tasks.OnnxConfigs.samOnnx;
import static org.exporters4j.tasks.OnnxConfigs.siglipOnnx;
import static org.exporters4j.tasks.OnnxConfigs.vitOnnxToday;
import static org.exporters4j.tasks.Task.DEFAULT;
import static org.exporters4j.tasks.Task.IMAGE_CLASSIFICATION;
import static org.exporters4j.tasks.Task.MASKED_IM;
import static org.exporters4j.tasks.Task.ZERO_SHOT_IMAGE_CLASSIFICATION;

import java.util.List;
import org.exporters4j.models.dinov2.Dinov2Architecture;
import org.exporters4j.models.sam.SamArchitecture;
import org.exporters4j.models.siglip.SiglipArchitecture;
import org.exporters4j.models.swin.SwinArchitecture;

/**
 * The rows of the vision models Optimum 1.25.3 registers and Optimum v1.5.2 does not (see {@link ModelTypes} for how
 * a row reads), exported with Optimum 1.25.3's interface, with the graph families they are built with.
 */
final class VisionModelTypes {
    static final List<ModelTypeRow> ROWS = List.of(
            type("dinov2", vitOnnxToday("Dinov2OnnxConfig").opset(14),
                    family(Dinov2Architecture::new),
                    task(V1_25_3,                DEFAULT,                 pt("Dinov2Model"),                              NO_TF),
                    task(V1_25_3,                IMAGE_CLASSIFICATION,    pt("Dinov2ForImageClassification"),             NO_TF)),
            type("swin", vitOnnxToday("SwinOnnxConfig"),
                    family(SwinArchitecture::new),
                    task(V1_25_3,                DEFAULT,                 pt("SwinModel"),                                tf("TFSwinModel")),
                    task(V1_25_3,                IMAGE_CLASSIFICATION,    pt("SwinForImageClassification"),               tf("TFSwinForImageClassification")),
                    task(V1_25_3,                MASKED_IM,               pt("SwinForMaskedImageModeling"),               tf("TFSwinForMaskedImageModeling"))),
            // text and vision towers; both tasks export SiglipModel
            type("siglip", siglipOnnx(),
                    family(SiglipArchitecture::new),
                    task(V1_25_3,                DEFAULT,                 pt("SiglipModel"),                              NO_TF),
                    task(V1_25_3,                ZERO_SHOT_IMAGE_CLASSIFICATION, pt("SiglipModel"),                       NO_TF)),
            // split into vision_encoder.onnx and prompt_encoder_mask_decoder.onnx, as Optimum 1.25.3's main_export
            type("sam", samOnnx(),
                    family(SamArchitecture::new),
                    task(V1_25_3,                DEFAULT,                 pt("SamModel"),                                 tf("TFSamModel"))));

    private VisionModelTypes() {}
}
