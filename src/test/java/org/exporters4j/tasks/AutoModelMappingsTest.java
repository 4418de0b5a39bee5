package org.exporters4j.tasks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.exporters4j.Exporters4jException;
import org.exporters4j.SharedFiles;
import org.junit.jupiter.api.Test;

class AutoModelMappingsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void everyFixtureModelClassIsWhatItsAutoClassBuilds() throws IOException {
        List<String> problems = new ArrayList<>();
        int checked = 0;
        List<Path> manifests = new ArrayList<>();
        try (Stream<Path> dirs = Files.list(SharedFiles.fixtures())) {
            manifests.addAll(dirs.map(d -> d.resolve("manifest.json")).filter(Files::isRegularFile).sorted().toList());
        }
        int fromFixtures = manifests.size();
        try (Stream<Path> dirs = Files.list(SharedFiles.fixturesToday())) {
            // today's model types once they have a row
            manifests.addAll(dirs.filter(d -> ModelTypes.find(d.getFileName().toString().split("--")[0]).isPresent())
                    .map(d -> d.resolve("manifest.json")).filter(Files::isRegularFile).sorted().toList());
        }
        for (Path manifest : manifests) {
            JsonNode node = JSON.readTree(manifest.toFile());
            String autoClass = node.get("auto_class").asText();
            String modelType = node.get("model_type").asText();
            String modelClass = node.get("model_class").asText();
            checked++;
            Optional<String> architecture = AutoModelMappings.architectureFor(autoClass, modelType);
            if (!architecture.equals(Optional.of(modelClass))) {
                problems.add(manifest.getParent().getFileName() + ": " + autoClass + " / " + modelType + " gives "
                        + architecture + ", the fixture used " + modelClass);
            }
            if (!AutoModelMappings.autoClassesOf(modelClass).contains(autoClass)) {
                problems.add(manifest.getParent().getFileName() + ": autoClassesOf(" + modelClass + ") = "
                        + AutoModelMappings.autoClassesOf(modelClass) + " lacks " + autoClass);
            }
        }
        assertTrue(fromFixtures >= 239, "fixture manifests checked: " + fromFixtures);
        assertTrue(checked - fromFixtures >= 16, "fixtures-today manifests checked: " + (checked - fromFixtures));
        assertEquals(List.of(), problems);
    }

    /**
     * Every (model type, task) pair Optimum v1.5.2 registers has a model class for the task's auto class, except
     * flaubert causal-lm: Transformers 4.25.1's AutoModelForCausalLM has no FlauBERT entry.
     */
    @Test
    void everyOptimumRegisteredTaskHasAnArchitecture() throws IOException {
        JsonNode registry = JSON.readTree(SharedFiles.reference("optimum-1.5.2-onnx-registry.json").toFile());
        JsonNode taskToAutoModel = registry.get("task_to_automodel_pt");
        List<String> missing = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = registry.get("model_types").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> type = it.next();
            for (JsonNode task : type.getValue().get("tasks")) {
                String autoClass = taskToAutoModel.get(task.asText().replace("-with-past", "")).asText();
                if (AutoModelMappings.architectureFor(autoClass, type.getKey()).isEmpty()) {
                    missing.add(type.getKey() + " " + task.asText() + " (" + autoClass + ")");
                }
            }
        }
        assertEquals(List.of("flaubert causal-lm (AutoModelForCausalLM)"), missing);
        for (JsonNode autoClass : registry.get("task_to_automodel_pt")) {
            assertTrue(AutoModelMappings.autoClasses().contains(autoClass.asText()), autoClass.asText());
        }
        for (JsonNode autoClass : registry.get("task_to_automodel_tf")) {
            assertTrue(AutoModelMappings.autoClasses().contains(autoClass.asText()), autoClass.asText());
        }
    }

    @Test
    void looksUpBothWays() {
        assertEquals(Optional.of("DistilBertForSequenceClassification"),
                AutoModelMappings.architectureFor("AutoModelForSequenceClassification", "distilbert"));
        assertEquals(Optional.of("TFDistilBertForSequenceClassification"),
                AutoModelMappings.architectureFor("TFAutoModelForSequenceClassification", "distilbert"));
        assertEquals(Optional.of("GPTNeoForCausalLM"), AutoModelMappings.architectureFor("AutoModelForCausalLM",
                "GPT-NEO"));
        assertEquals(Optional.of("BlenderbotSmallModel"), AutoModelMappings.architectureFor("AutoModel",
                "blenderbot_small"));
        assertEquals(Optional.of("MarianMTModel"), AutoModelMappings.architectureFor("AutoModelForSeq2SeqLM",
                "marian"));
        assertEquals(Optional.of("WhisperForConditionalGeneration"),
                AutoModelMappings.architectureFor("AutoModelForSpeechSeq2Seq", "whisper"));
        assertEquals(Optional.empty(), AutoModelMappings.architectureFor("AutoModelForSeq2SeqLM", "bert"));
        assertEquals(Optional.empty(), AutoModelMappings.architectureFor("AutoModel", "no-such-type"));
        assertEquals(List.of("DeiTForImageClassification", "DeiTForImageClassificationWithTeacher"),
                AutoModelMappings.architecturesFor("AutoModelForImageClassification", "deit"));
        assertEquals(3, AutoModelMappings.architecturesFor("AutoModelForImageClassification", "perceiver").size());

        assertEquals(List.of("AutoModelForMaskedLM"), AutoModelMappings.autoClassesOf("BertForMaskedLM"));
        assertEquals(List.of("AutoModelForCausalLM"), AutoModelMappings.autoClassesOf("GPT2LMHeadModel"));
        assertEquals(List.of("AutoModelForMaskedLM", "AutoModelForSeq2SeqLM"),
                AutoModelMappings.autoClassesOf("BartForConditionalGeneration"));
        assertEquals(List.of("AutoModelForCausalLM", "AutoModelForMaskedLM"),
                AutoModelMappings.autoClassesOf("XLMWithLMHeadModel"));
        assertEquals(List.of("AutoModelForImageClassification"),
                AutoModelMappings.autoClassesOf("LevitForImageClassificationWithTeacher"));
        assertEquals(List.of("TFAutoModelForCausalLM", "TFAutoModelForMaskedLM"),
                AutoModelMappings.autoClassesOf("TFXLMWithLMHeadModel"));
        assertEquals(List.of(), AutoModelMappings.autoClassesOf("BertForPreTraining"));

        assertEquals(26 + 4 + 1, AutoModelMappings.autoClasses().size(), "26 of Optimum v1.5.2's rows, the audio "
                + "tasks' four auto classes and AutoModelForZeroShotImageClassification (siglip)");
        assertEquals(Optional.of("SiglipModel"),
                AutoModelMappings.architectureFor("AutoModelForZeroShotImageClassification", "siglip"));
        assertTrue(AutoModelMappings.autoClasses().contains("TFAutoModelForSemanticSegmentation"));
    }

    @Test
    void unknownAutoClassNamesCloseMatches() {
        Exporters4jException error = assertThrows(Exporters4jException.class,
                () -> AutoModelMappings.architectureFor("AutoModelForMaskedLm", "bert"));
        assertTrue(error.getMessage().startsWith("unknown auto class \"AutoModelForMaskedLm\"; did you mean "
                + "AutoModelForMaskedLM, "), error.getMessage());
    }
}
