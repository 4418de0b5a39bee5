package org.exporters4j.models.bert;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.exporters4j.checkpoint.ModelConfig;
import org.exporters4j.checkpoint.Weights;
import org.exporters4j.checkpoint.folder.Checkpoints;
import org.exporters4j.models.ArchitectureFixtures;
import org.exporters4j.models.Fixture;
import org.exporters4j.models.OnnxRuntimeRun;
import org.exporters4j.onnx.ModelWriter;
import org.exporters4j.onnx.OnnxModel;
import org.exporters4j.onnx.WeightsLocation;
import org.exporters4j.tasks.ModelTypes;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every fixture of the BERT encoder family (bert, roberta, xlm-roberta, camembert, data2vec-text, ibert, electra,
 * albert, distilbert), built by its architecture straight from the checkpoint with Optimum's interface, gives
 * PyTorch's outputs in ONNX Runtime within 1e-5.
 */
class BertFamilyFixturesTest {
    static final List<String> FAMILY = List.of("albert", "bert", "camembert", "data2vec-text", "distilbert",
            "electra", "ibert", "roberta", "xlm-roberta");

    @TempDir
    Path folder;

    @TestFactory
    Stream<DynamicTest> everyFixtureMatchesPyTorch() {
        return Fixture.of(FAMILY).stream().map(fixture -> DynamicTest.dynamicTest(fixture.toString(), () -> {
            ModelConfig config = ModelConfig.read(fixture.checkpoint().resolve("config.json"))
                    .withOverrides(fixture.valuesOverride());
            Path out = folder.resolve(fixture.toString());
            try (Weights weights = Checkpoints.openWeights(fixture.checkpoint())) {
                OnnxModel model = ModelTypes.architecture(fixture.modelType()).build(config, weights,
                        fixture.variant(), fixture.graphInterface(fixture.defaultOpset()));
                new ModelWriter(WeightsLocation.AUTOMATIC).write(model, out);
            }
            Map<String, OnnxRuntimeRun.Output> outputs = OnnxRuntimeRun.run(out.resolve("model.onnx"),
                    fixture.inputsFile());
            ArchitectureFixtures.compare(fixture, outputs);
        }));
    }
}
