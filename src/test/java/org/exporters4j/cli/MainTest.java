package org.exporters4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.exporters4j.SharedFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The CLI through {@code Main.commandLine()} with captured stdout and stderr: exit codes and exact outputs. */
class MainTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    record Run(int exitCode, String out, String err) {}

    static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine commandLine = Main.commandLine();
        commandLine.setOut(Main.terminal(new PrintWriter(out, true)));
        commandLine.setErr(Main.terminal(new PrintWriter(err, true)));
        int exitCode = commandLine.execute(args);
        return new Run(exitCode, out.toString(), err.toString());
    }

    static JsonNode reference() throws IOException {
        return JSON.readTree(SharedFiles.reference("optimum-1.5.2-onnx-registry.json").toFile());
    }

    @Test
    void tasksJsonIsOptimumsRegistryInOrder() throws IOException {
        JsonNode modelTypes = reference().get("model_types");
        List<String> entries = new ArrayList<>();
        int pairs = 0;
        for (Iterator<Map.Entry<String, JsonNode>> it = modelTypes.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> type = it.next();
            List<String> tasks = new ArrayList<>();
            type.getValue().get("tasks").forEach(task -> tasks.add("\"" + task.asText() + "\""));
            pairs += tasks.size();
            entries.add("\"" + type.getKey() + "\": [" + String.join(", ", tasks) + "]");
        }
        assertEquals(51, entries.size());
        assertEquals(243, pairs);
        // then today's types, in Optimum 1.25.3's task names
        String decoder = "\"feature-extraction\", \"feature-extraction-with-past\", \"text-generation\", "
                + "\"text-generation-with-past\"";
        entries.add("\"llama\": [" + decoder + ", \"text-classification\"]");
        entries.add("\"mistral\": [" + decoder + ", \"text-classification\"]");
        entries.add("\"qwen2\": [" + decoder + ", \"text-classification\", \"token-classification\"]");
        entries.add("\"qwen3\": [" + decoder + ", \"text-classification\", \"token-classification\"]");
        entries.add("\"gemma\": [" + decoder + ", \"text-classification\"]");
        entries.add("\"gemma2\": [" + decoder + ", \"text-classification\"]");
        entries.add("\"gemma3-text\": [" + decoder + "]");
        entries.add("\"granite\": [" + decoder + "]");
        entries.add("\"mixtral\": [" + decoder + ", \"text-classification\"]");
        entries.add("\"olmo\": [" + decoder + "]");
        entries.add("\"phi3\": [" + decoder + ", \"text-classification\"]");
        entries.add("\"starcoder2\": [" + decoder + ", \"text-classification\"]");
        entries.add("\"falcon\": [\"feature-extraction\", \"feature-extraction-with-past\", \"question-answering\", "
                + "\"text-generation\", \"text-generation-with-past\", \"token-classification\"]");
        entries.add("\"gpt-bigcode\": [" + decoder + ", \"text-classification\", \"token-classification\"]");
        entries.add("\"gpt-neox\": [" + decoder + ", \"text-classification\"]");
        entries.add("\"opt\": [" + decoder + ", \"question-answering\", \"text-classification\"]");
        entries.add("\"phi\": [" + decoder + ", \"text-classification\"]");
        entries.add("\"stablelm\": [" + decoder + ", \"text-classification\"]");
        entries.add("\"mpnet\": [\"feature-extraction\", \"fill-mask\", \"text-classification\", "
                + "\"multiple-choice\", \"token-classification\", \"question-answering\"]");
        entries.add("\"modernbert\": [\"feature-extraction\", \"fill-mask\", \"text-classification\", "
                + "\"token-classification\"]");
        entries.add("\"dinov2\": [\"feature-extraction\", \"image-classification\"]");
        entries.add("\"swin\": [\"feature-extraction\", \"image-classification\", \"masked-im\"]");
        entries.add("\"siglip\": [\"feature-extraction\", \"zero-shot-image-classification\"]");
        entries.add("\"sam\": [\"feature-extraction\"]");
        String audio = "\"feature-extraction\", \"automatic-speech-recognition\", \"audio-classification\"";
        String frames = ", \"audio-frame-classification\", \"audio-xvector\"";
        entries.add("\"wav2vec2\": [" + audio + frames + "]");
        entries.add("\"hubert\": [" + audio + "]");
        entries.add("\"wavlm\": [" + audio + frames + "]");
        Run run = run("tasks", "--json");
        assertEquals(new Run(0, "{" + String.join(", ", entries) + "}" + System.lineSeparator(), ""), run);
        assertEquals(run, run("tasks", "--exporter", "onnx", "--json"));
    }

    @Test
    void tasksOfOneModelType() {
        String nl = System.lineSeparator();
        assertEquals(new Run(0, String.join(nl, "default", "masked-lm", "sequence-classification", "multiple-choice",
                "token-classification", "question-answering") + nl, ""), run("tasks", "--model-type", "distilbert"));
        assertEquals(new Run(0, "[\"default\", \"default-with-past\", \"causal-lm\", \"causal-lm-with-past\", "
                + "\"sequence-classification\"]" + nl, ""), run("tasks", "--model-type", "gpt_neo", "--json"));
        // today's model types answer in Optimum 1.25.3's task names
        assertEquals(new Run(0, String.join(nl, "feature-extraction", "feature-extraction-with-past",
                "text-generation", "text-generation-with-past", "text-classification", "token-classification") + nl,
                ""), run("tasks", "--model-type", "qwen2"));
    }

    @Test
    void tasksTableIsReadable() {
        Run run = run("tasks");
        assertEquals(0, run.exitCode());
        List<String> lines = run.out().lines().toList();
        assertEquals("model type        tasks (onnx exporter)", lines.get(0));
        assertTrue(lines.contains("distilbert        default, masked-lm, sequence-classification, multiple-choice, "
                + "token-classification, question-answering"), run.out());
        assertEquals("78 model types, 366 (model type, task) pairs: Optimum v1.5.2's 51 and 243, then llama, mistral, "
                + "qwen2, gemma, granite, olmo, phi3, falcon, gpt-bigcode, gpt-neox, opt, phi, mpnet, modernbert, dinov2, "
                + "swin, siglip, sam, wav2vec2, hubert, wavlm from Optimum 1.25.3, then qwen3, gemma2, gemma3-text, "
                + "mixtral, starcoder2, stablelm from exporters4j's own row; `exporters4j tasks --model-type TYPE` lists "
                + "one type's tasks", lines.get(lines.size() - 1));
        assertEquals(1 + 78 + 2, lines.size());
    }

    @Test
    void modelClassOfATask() {
        String nl = System.lineSeparator();
        assertEquals(new Run(0, "AutoModelForCausalLM" + nl, ""), run("tasks", "--task", "causal-lm"));
        assertEquals(new Run(0, "TFAutoModelForCausalLM" + nl, ""),
                run("tasks", "--task", "text-generation-with-past", "--framework", "tf"));
        assertEquals(new Run(0, "\"AutoModelForSeq2SeqLM\"" + nl, ""), run("tasks", "--task", "translation", "--json"));
    }

    @Test
    void configJsonOfBertMaskedLm() {
        assertEquals(new Run(0, "{\"inputs\": {\"input_ids\": {\"0\": \"batch_size\", \"1\": \"sequence_length\"}, "
                + "\"attention_mask\": {\"0\": \"batch_size\", \"1\": \"sequence_length\"}, \"token_type_ids\": "
                + "{\"0\": \"batch_size\", \"1\": \"sequence_length\"}}, \"outputs\": {\"logits\": {\"0\": "
                + "\"batch_size\", \"1\": \"sequence_length\"}}, \"opset\": 11, \"atol\": 0.0001, "
                + "\"values_override\": {\"use_cache\": false}}" + System.lineSeparator(), ""),
                run("config", "--model-type", "bert", "--task", "masked-lm", "--json"));
    }

    @Test
    void configTextNamesEverything() {
        Run run = run("config", "--model-type", "gpt2", "--task", "causal-lm");
        assertEquals(0, run.exitCode(), run.err());
        assertEquals(List.of(
                "gpt2, task causal-lm, onnx exporter (GPT2OnnxConfig)",
                "config:          the default gpt2 configuration of Transformers",
                "default opset:   13",
                "atol:            1e-05",
                "values_override: use_cache=false, pad_token_id=0",
                "inputs (graph order):",
                "  input_ids       int64    {0: batch_size, 1: sequence_length}",
                "  attention_mask  int64    {0: batch_size, 1: sequence_length}",
                "outputs:",
                "  logits          float32  {0: batch_size, 1: sequence_length}"), run.out().lines().toList());
    }

    /** Every pair through {@code config --config FILE --json}, against the reference with 2 layers. */
    @Test
    void configJsonEqualsTheReferenceForEveryPair(@TempDir Path folder) throws IOException {
        JsonNode modelTypes = reference().get("model_types");
        int pairs = 0;
        for (Iterator<Map.Entry<String, JsonNode>> it = modelTypes.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> type = it.next();
            String modelType = type.getKey();
            Path config = folder.resolve(modelType + ".json");
            Files.writeString(config, "{\"model_type\": \"" + modelType.replace('-', '_') + "\", \"use_cache\": true, "
                    + "\"type_vocab_size\": 2, \"n_layer\": 2, \"num_hidden_layers\": 2, \"num_layers\": 2, "
                    + "\"num_decoder_layers\": 2, \"encoder_layers\": 2, \"decoder_layers\": 2}");
            for (JsonNode taskNode : type.getValue().get("tasks")) {
                String task = taskNode.asText();
                Run run = run("config", "--config", config.toString(), "--task", task, "--json");
                String where = modelType + " / " + task;
                assertEquals(0, run.exitCode(), where + ": " + run.err());
                JsonNode actual = JSON.readTree(run.out());
                JsonNode perTask = type.getValue().get("per_task").get(task);
                assertEquals(List.of("inputs", "outputs", "opset", "atol", "values_override"), fieldNames(actual));
                Map<String, JsonNode> expectedInputs = expand(perTask.get("inputs"), 2);
                if (modelType.equals("perceiver")) {
                    expectedInputs.put(task.equals("image-classification") ? "pixel_values" : "input_ids",
                            expectedInputs.remove("inputs"));
                }
                assertEquals(new TreeMap<>(expectedInputs),
                        new TreeMap<>(asMap(actual.get("inputs"))), where);
                assertEquals(new ArrayList<>(expand(perTask.get("outputs"), 2).entrySet()),
                        new ArrayList<>(asMap(actual.get("outputs")).entrySet()), where);
                assertEquals(type.getValue().get("DEFAULT_ONNX_OPSET"), actual.get("opset"), where);
                assertEquals(perTask.get("atol").asDouble(), actual.get("atol").asDouble(), 0.0, where);
                assertEquals(perTask.get("values_override"), actual.get("values_override"), where);
                pairs++;
            }
        }
        assertEquals(243, pairs);
    }

    @Test
    void configFromAFixtureCheckpointExpandsItsLayers() {
        Path config = SharedFiles.fixtures().resolve("gpt2--causal-lm-with-past/checkpoint/config.json");
        Run run = run("config", "--config", config.toString(), "--task", "causal-lm-with-past", "--json");
        assertEquals(0, run.exitCode(), run.err());
        assertTrue(run.out().startsWith("{\"inputs\": {\"input_ids\": {\"0\": \"batch_size\", \"1\": "
                + "\"sequence_length\"}, \"past_key_values.0.key\": {\"0\": \"batch_size\", \"2\": "
                + "\"past_sequence_length + sequence_length\"}, \"past_key_values.0.value\""), run.out());
        assertTrue(run.out().contains("\"present.1.value\""), run.out());
        assertTrue(!run.out().contains("\"present.2.key\""), run.out());
        assertTrue(run.out().endsWith("\"opset\": 13, \"atol\": 1e-05, \"values_override\": {\"use_cache\": true}}"
                + System.lineSeparator()), run.out());
    }

    @Test
    void errorsAreOneLineOnStderrWithExitCode1() {
        assertEquals(new Run(1, "", "task \"image-classification\" has no TensorFlow model class (tf tasks: default, "
                + "masked-lm, causal-lm, seq2seq-lm, sequence-classification, token-classification, multiple-choice, "
                + "question-answering, semantic-segmentation, zero-shot-image-classification); use --framework pt"
                + System.lineSeparator()),
                run("tasks", "--task", "image-classification", "--framework", "tf"));
        assertEquals(new Run(1, "", "distilbert does not support task \"causal-lm\" with the onnx exporter; its tasks "
                + "are default, masked-lm, sequence-classification, multiple-choice, token-classification, "
                + "question-answering (run `./exporters4j tasks --model-type distilbert`)" + System.lineSeparator()),
                run("config", "--model-type", "distilbert", "--task", "causal-lm"));
    }

    /** A value no parser accepts is a malformed option value: exit 2 like any usage error (issue 12, item 20). */
    @Test
    void unknownOptionValuesAreUsageErrors() {
        assertEquals(new Run(2, "", "Invalid value for option '--model-type': unknown model type \"bret\": no export "
                + "configuration is registered for it; close matches: bert, bart, beit; run `./exporters4j tasks` to "
                + "list all 78 supported model types (see `exporters4j tasks --help`)" + System.lineSeparator()),
                run("tasks", "--model-type", "bret"));
        assertEquals(new Run(2, "", "Invalid value for option '--exporter': unknown exporter \"tflite\": the exporters"
                + " are onnx; pass one of them (--exporter onnx is the default) (see `exporters4j tasks --help`)"
                + System.lineSeparator()), run("tasks", "--exporter", "tflite"));
        assertEquals(new Run(2, "", "Invalid value for option '--framework': unknown framework \"jax\": use pt "
                + "(PyTorch) or tf (TensorFlow), as Optimum v1.5.2 supports only these two (see `exporters4j tasks "
                + "--help`)" + System.lineSeparator()), run("tasks", "--task", "default", "--framework", "jax"));
        Run unknownTask = run("config", "--model-type", "bert", "--task", "fil-mask");
        assertEquals(2, unknownTask.exitCode());
        assertTrue(unknownTask.err().startsWith("Invalid value for option '--task': unknown task \"fil-mask\" (did you "
                + "mean fill-mask"), unknownTask.err());
        assertEquals(1, unknownTask.err().lines().count());
        Run revision = run("export", "onnx", "--model", "org/model", "--revision", "a/../../b", "out");
        assertEquals(2, revision.exitCode(), revision.err());
        assertTrue(revision.err().startsWith("Invalid value for option '--revision': not a valid revision: "
                + "'a/../../b'"), revision.err());
        assertEquals(1, revision.err().lines().count());
        Run opset = run("export", "onnx", "--model", "org/model", "--opset", "99999", "out");
        assertEquals(new Run(2, "", "--opset must be at most 23 (the newest opset exporters4j writes), got 99999 "
                + "(see `exporters4j export onnx --help`)" + System.lineSeparator()), opset);
    }

    @Test
    void configFileErrors(@TempDir Path folder) throws IOException {
        Path missing = folder.resolve("missing.json");
        Run run = run("config", "--config", missing.toString());
        assertEquals(new Run(1, "", "config file not found: " + missing + " (a Transformers checkpoint folder has a "
                + "config.json beside its weights)" + System.lineSeparator()), run);
        Path gpt2 = folder.resolve("config.json");
        Files.writeString(gpt2, "{\"model_type\": \"gpt2\", \"n_layer\": 1}");
        assertEquals(new Run(1, "", "model type \"bert\" does not match the model_type \"gpt2\" of " + gpt2
                + "; leave the model type out to use the config's, or give the config of a bert model"
                + System.lineSeparator()), run("config", "--model-type", "bert", "--config", gpt2.toString()));
        assertEquals(0, run("config", "--model-type", "GPT2", "--config", gpt2.toString()).exitCode());
    }

    @Test
    void usageErrorsExitWith2() {
        Run unknownOption = run("tasks", "--bogus");
        assertEquals(new Run(2, "", "Unknown option: '--bogus' (see `exporters4j tasks --help`)"
                + System.lineSeparator()), unknownOption);
        assertEquals(new Run(2, "", "Use either --model-type or --task, not both (see `exporters4j tasks --help`)"
                + System.lineSeparator()), run("tasks", "--model-type", "bert", "--task", "default"));
        assertEquals(new Run(2, "", "--framework only applies with --task (see `exporters4j tasks --help`)"
                + System.lineSeparator()), run("tasks", "--framework", "tf"));
        assertEquals(new Run(2, "", "Give --model-type, --config or both (see `exporters4j config --help`)"
                + System.lineSeparator()), run("config", "--task", "default"));
        assertEquals(new Run(2, "", "Missing command: use tasks, config, inspect or export (see `exporters4j --help`)"
                + System.lineSeparator()), run());
        assertEquals(2, run("export").exitCode());
    }

    @Test
    void helpExitsWith0() {
        Run help = run("tasks", "--help");
        assertEquals(0, help.exitCode());
        assertTrue(help.out().contains("--model-type"), help.out());
        assertEquals(0, run("--version").exitCode());
        Run exportHelp = run("export", "onnx", "--help");
        assertEquals(0, exportHelp.exitCode());
        assertTrue(exportHelp.out().contains("--optimize") && exportHelp.out().contains("contrib"),
                exportHelp.out());
    }

    @Test
    void pythonFloatsAreWrittenAsPythonWritesThem() {
        assertEquals("1e-05", PythonJson.pythonFloat(1e-5));
        assertEquals("0.0001", PythonJson.pythonFloat(1e-4));
        assertEquals("0.001", PythonJson.pythonFloat(0.001));
        assertEquals("11.0", PythonJson.pythonFloat(11));
        assertEquals("1e+16", PythonJson.pythonFloat(1e16));
        assertEquals("-2.5e-07", PythonJson.pythonFloat(-2.5e-7));
        assertEquals("123.456", PythonJson.pythonFloat(123.456));
        assertEquals("0.0", PythonJson.pythonFloat(0));
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    private static Map<String, JsonNode> asMap(JsonNode node) {
        Map<String, JsonNode> map = new LinkedHashMap<>();
        node.fields().forEachRemaining(entry -> map.put(entry.getKey(), entry.getValue()));
        return map;
    }

    /** Reference tensors with templated per-layer names expanded layer by layer. */
    private static Map<String, JsonNode> expand(JsonNode tensors, int layers) {
        Map<String, JsonNode> expanded = new LinkedHashMap<>();
        List<Map.Entry<String, JsonNode>> group = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = tensors.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> entry = it.next();
            if (entry.getKey().contains("{i}")) {
                group.add(entry);
            } else {
                flush(group, layers, expanded);
                expanded.put(entry.getKey(), entry.getValue());
            }
        }
        flush(group, layers, expanded);
        return expanded;
    }

    private static void flush(List<Map.Entry<String, JsonNode>> group, int layers, Map<String, JsonNode> expanded) {
        for (int i = 0; i < layers; i++) {
            for (Map.Entry<String, JsonNode> entry : group) {
                expanded.put(entry.getKey().replace("{i}", Integer.toString(i)), entry.getValue());
            }
        }
        group.clear();
        assertTrue(expanded.keySet().stream().noneMatch(name -> name.contains("{")),
                expanded.keySet().stream().collect(Collectors.joining(", ")));
    }
}
