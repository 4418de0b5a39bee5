package org.exporters4j.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.exporters4j.SharedFiles;
import org.junit.jupiter.api.Test;

/**
 * The configuration-class table against Optimum's registry and the fixtures' {@code config.json} files, which
 * Transformers 4.25.1 (4.31 for llama) wrote with {@code save_pretrained}: that method writes every attribute a
 * class defines, so a key the table does not know, or a default of another JSON type than the file's value, points
 * at a missing or mistyped row entry.
 */
class ConfigDefaultsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Keys save_pretrained writes for every config that are bookkeeping, not class attributes with defaults. */
    private static final Set<String> GENERIC_KEYS = Set.of(
            "_commit_hash", "_name_or_path", "architectures", "id2label", "label2id", "model_type", "torch_dtype",
            "transformers_version");

    /**
     * Keys the fixture generator passed as extra keyword arguments to classes that do not define them (Transformers
     * keeps any unknown keyword as an attribute): Data2VecVisionConfig has no vocab_size, GroupViTVisionConfig no
     * qkv_bias, and neither model reads them.
     */
    private static final Set<String> GENERATOR_EXTRAS = Set.of(
            "data2vec-vision.vocab_size", "groupvit_vision_model.qkv_bias");

    @Test
    void everyOptimumRegistryModelTypeHasARowInAnySpelling() throws IOException {
        JsonNode registry = JSON.readTree(SharedFiles.reference("optimum-1.5.2-onnx-registry.json").toFile());
        List<String> registered = new ArrayList<>();
        registry.get("model_types").fieldNames().forEachRemaining(registered::add);
        assertEquals(51, registered.size(), "Optimum v1.5.2 registers 51 model types");
        for (String optimumName : registered) {
            String canonical = ConfigDefaults.canonicalModelType(optimumName);
            assertTrue(ConfigDefaults.isKnown(optimumName), "no row for Optimum's " + optimumName);
            assertTrue(ConfigDefaults.row(optimumName).isPresent(), optimumName);
            assertEquals(canonical, ConfigDefaults.canonicalModelType(optimumName.toUpperCase(Locale.ROOT)));
            assertEquals(canonical, ConfigDefaults.canonicalModelType(optimumName.replace('-', '_')));
            assertEquals(canonical, ConfigDefaults.canonicalModelType(" " + optimumName.replace('_', '-') + " "));
        }
        assertEquals("gpt_neo", ConfigDefaults.canonicalModelType("gpt-neo"));
        assertEquals("m2m_100", ConfigDefaults.canonicalModelType("M2M-100"));
        assertEquals("big_bird", ConfigDefaults.canonicalModelType("big-bird"));
        assertEquals("bigbird_pegasus", ConfigDefaults.canonicalModelType("bigbird-pegasus"));
        assertEquals("blenderbot-small", ConfigDefaults.canonicalModelType("blenderbot_small"));
        assertEquals("data2vec-text", ConfigDefaults.canonicalModelType("Data2Vec_Text"));
        assertEquals("xlm-roberta", ConfigDefaults.canonicalModelType("xlm_roberta"));
        assertEquals("deberta-v2", ConfigDefaults.canonicalModelType("DEBERTA_V2"));
        assertEquals("clip_text_model", ConfigDefaults.canonicalModelType("clip-text-model"));
        for (String later : List.of("llama", "mistral", "qwen2", "clip_vision_model", "groupvit_text_model",
                "groupvit_vision_model", "owlvit_text_model", "owlvit_vision_model")) {
            assertTrue(ConfigDefaults.isKnown(later), later);
        }
        assertFalse(ConfigDefaults.isKnown("no-such-model"));
    }

    @Test
    void tableIsSortedWithOneRowPerModelType() {
        List<String> types = ConfigDefaults.modelTypes();
        List<String> sorted = new ArrayList<>(types);
        sorted.sort(null);
        assertEquals(sorted, types);
        assertEquals(Set.copyOf(types).size(), types.size());
        for (String type : types) {
            assertEquals(type, ConfigDefaults.row(type).orElseThrow().modelType());
        }
    }

    @Test
    void everyFixtureConfigKeyIsKnownWithTheDefaultsJsonType() throws IOException {
        List<String> problems = new ArrayList<>();
        int checked = 0;
        for (Path config : fixtureConfigs()) {
            JsonNode node = JSON.readTree(config.toFile());
            String where = SharedFiles.fixtures().relativize(config).toString();
            checked += checkKeys(node, where, problems);
            for (String sub : List.of("text_config", "vision_config")) {
                if (node.has(sub)) {
                    checked += checkKeys(node.get(sub), where + " → " + sub, problems);
                }
            }
        }
        assertTrue(checked > 5000, "expected thousands of fixture keys, checked " + checked);
        assertEquals(List.of(), problems);
    }

    @Test
    void derivedDefaultsReproduceWhatTheFixturesStored() throws IOException {
        List<String> problems = new ArrayList<>();
        int checked = 0;
        for (Path config : fixtureConfigs()) {
            JsonNode node = JSON.readTree(config.toFile());
            String type = node.get("model_type").asText();
            ConfigDefaults.Row row = ConfigDefaults.row(type).orElseThrow();
            for (Map.Entry<String, ConfigDefaults.Derivation> entry : row.derived().entrySet()) {
                String key = entry.getKey();
                if (entry.getValue().applies() != ConfigDefaults.Derivation.Applies.ALWAYS_COMPUTED
                        || !node.has(key) || (type.equals("levit") && key.equals("down_ops"))) {
                    continue; // LevitEncoder appends [""] to the config's down_ops before the fixture was saved
                }
                JsonNode derived = ConfigDefaults.derivedValue(type, key, null, k -> fileThenDefault(node, type, k))
                        .orElseThrow();
                checked++;
                if (!derived.equals(node.get(key))) {
                    problems.add(config + ": " + key + " derived " + derived + ", file has " + node.get(key));
                }
            }
        }
        assertTrue(checked >= 60, "computed keys checked: " + checked);
        assertEquals(List.of(), problems);
    }

    @Test
    void readingResolvesAliasThenFileThenClassDefaultThenPretrainedConfigDefault() {
        ModelConfig gpt2 = ModelConfig.parse("{\"model_type\": \"gpt2\", \"n_embd\": 32, \"n_layer\": 2, "
                + "\"pad_token_id\": 99, \"use_cache\": null}", "test gpt2");
        assertEquals(32, gpt2.intValue("hidden_size")); // attribute_map alias → file
        assertEquals(32, gpt2.intValue("n_embd"));
        assertEquals(2, gpt2.intValue("num_hidden_layers"));
        assertEquals(12, gpt2.intValue("num_attention_heads")); // alias → class default n_head
        assertEquals(1024, gpt2.intValue("max_position_embeddings"));
        assertEquals(1e-5, gpt2.doubleValue("layer_norm_epsilon"));
        assertEquals(99, gpt2.intValue("pad_token_id")); // file beats the PretrainedConfig default None
        assertEquals(50256, gpt2.intValue("eos_token_id")); // class default beats PretrainedConfig's
        assertTrue(gpt2.booleanValue("tie_word_embeddings")); // PretrainedConfig default
        assertEquals(20, gpt2.intValue("max_length"));
        assertFalse(gpt2.has("use_cache"), "None in the file is None, not the class default");
        assertFalse(gpt2.has("n_inner"), "n_inner defaults to None; 4 * n_embd is the model's business");
        assertTrue(gpt2.optionalInt("n_inner").isEmpty());
        assertFalse(gpt2.has("no_such_key"));
    }

    @Test
    void missingAndMistypedValuesAreNamedInTheError() {
        ModelConfig bert = ModelConfig.parse("{\"model_type\": \"bert\", \"hidden_size\": \"wide\"}", "cfg.json");
        ModelConfigException missing = assertThrows(ModelConfigException.class,
                () -> bert.intValue("num_kv_heads"));
        assertEquals("cfg.json has no \"num_kv_heads\" and the bert configuration has no default for it; "
                + "add it to config.json", missing.getMessage());
        ModelConfigException wrong = assertThrows(ModelConfigException.class,
                () -> bert.intValue("hidden_size"));
        assertEquals("cfg.json: \"hidden_size\" must be an integer, found \"wide\"", wrong.getMessage());

        ModelConfig gpt2 = ModelConfig.parse("{\"model_type\": \"gpt2\", \"n_head\": 2.5}", "g.json");
        ModelConfigException aliased = assertThrows(ModelConfigException.class,
                () -> gpt2.intValue("num_attention_heads"));
        assertEquals("g.json: \"n_head\" must be an integer, found 2.5", aliased.getMessage());
        ModelConfigException noDefault = assertThrows(ModelConfigException.class,
                () -> gpt2.intValue("intermediate_size"));
        assertTrue(noDefault.getMessage().contains("\"intermediate_size\""), noDefault.getMessage());

        ModelConfig nulled = ModelConfig.parse("{\"model_type\": \"bert\", \"num_hidden_layers\": null}", "n.json");
        ModelConfigException setToNull = assertThrows(ModelConfigException.class,
                () -> nulled.intValue("num_hidden_layers"));
        assertEquals("n.json sets \"num_hidden_layers\" to null, but the export needs a value; set it in config.json",
                setToNull.getMessage());
    }

    @Test
    void defaultsForGiveTheDefaultConstructedClass() {
        ModelConfig t5 = ModelConfig.defaultsFor("t5");
        assertEquals(6, t5.intValue("num_layers"));
        assertEquals(6, t5.intValue("num_hidden_layers"));
        assertEquals(6, t5.intValue("num_decoder_layers"));
        assertEquals(512, t5.intValue("d_model"));
        assertEquals(512, t5.intValue("hidden_size"));
        assertEquals(8, t5.intValue("num_attention_heads"));
        assertEquals(32128, t5.intValue("vocab_size"));
        assertEquals("relu", t5.stringValue("dense_act_fn"));
        assertFalse(t5.booleanValue("is_gated_act"));
        assertTrue(t5.booleanValue("is_encoder_decoder"));

        ModelConfig gptNeo = ModelConfig.defaultsFor("GPT-NEO");
        assertEquals("gpt_neo", gptNeo.modelType());
        assertEquals(24, gptNeo.intValue("num_layers"));
        assertEquals(24, gptNeo.intValue("num_hidden_layers"));
        assertEquals(16, gptNeo.intValue("num_attention_heads"));
        assertEquals(256, gptNeo.intValue("window_size"));
        List<String> layers = gptNeo.stringList("attention_layers");
        assertEquals(24, layers.size());
        assertEquals(List.of("global", "local", "global"), layers.subList(0, 3));

        ModelConfig whisper = ModelConfig.defaultsFor("whisper");
        assertEquals(80, whisper.intValue("num_mel_bins"));
        assertEquals(1500, whisper.intValue("max_source_positions"));
        assertEquals(6, whisper.intValue("num_hidden_layers"));
        assertEquals(List.of(220, 50256), whisper.intList("begin_suppress_tokens"));
        assertEquals(50257, whisper.intValue("decoder_start_token_id"));

        ModelConfig vit = ModelConfig.defaultsFor("vit");
        assertEquals(224, vit.intValue("image_size"));
        assertEquals(16, vit.intValue("patch_size"));
        assertEquals(1e-12, vit.doubleValue("layer_norm_eps"));

        ModelConfig mt5 = ModelConfig.defaultsFor("mt5");
        assertEquals("gelu_new", mt5.stringValue("dense_act_fn"));
        assertTrue(mt5.booleanValue("is_gated_act"));
        assertFalse(mt5.booleanValue("tie_word_embeddings"));

        ModelConfig llama = ModelConfig.defaultsFor("llama");
        assertEquals(32, llama.intValue("num_key_value_heads"));
        assertEquals(10000.0, llama.doubleValue("rope_theta"));
        assertFalse(llama.has("rope_scaling"));
        assertEquals(128, llama.intValue("head_dim"));

        assertEquals(8, ModelConfig.defaultsFor("mistral").intValue("num_key_value_heads"));
        // Mistral's argument defaults to 8; only None stands for num_attention_heads
        assertEquals(8, ModelConfig.parse("{\"model_type\": \"mistral\", \"num_attention_heads\": 4}", "m")
                .intValue("num_key_value_heads"));
        assertEquals(4, ModelConfig.parse("{\"model_type\": \"mistral\", \"num_attention_heads\": 4, "
                + "\"num_key_value_heads\": null}", "m").intValue("num_key_value_heads"));
        assertEquals(4096, ModelConfig.defaultsFor("mistral").intValue("sliding_window"));
        assertEquals(151936, ModelConfig.defaultsFor("qwen2").intValue("vocab_size"));
        assertEquals(2.6592, ModelConfig.defaultsFor("clip").doubleValue("logit_scale_init_value"));
        assertEquals(3, ModelConfig.defaultsFor("bart").numLabels());
        assertEquals(2, ModelConfig.defaultsFor("bert").numLabels());
        assertEquals(List.of(512, 864), ModelConfig.defaultsFor("yolos").intList("image_size"));
        assertEquals(0.02209708691207961, ModelConfig.defaultsFor("xlm").doubleValue("embed_init_std"));
        assertEquals(30145, ModelConfig.defaultsFor("flaubert").intValue("n_words"));
        assertEquals(128, ModelConfig.defaultsFor("mobilebert").intValue("true_hidden_size"));
        assertEquals(List.of("stem", "stage1", "stage2", "stage3", "stage4"),
                ModelConfig.defaultsFor("resnet").stringList("stage_names"));
    }

    @Test
    void objectValuesReadAsPlainMaps() {
        ModelConfig scaled = ModelConfig.parse("{\"model_type\": \"llama\", \"rope_scaling\": "
                + "{\"type\": \"linear\", \"factor\": 2.5}}", "llama");
        assertEquals(Map.of("type", "linear", "factor", 2.5), scaled.optionalObject("rope_scaling").orElseThrow());
        assertTrue(ModelConfig.defaultsFor("llama").optionalObject("rope_scaling").isEmpty());
        ModelConfigException notAnObject = assertThrows(ModelConfigException.class, () -> ModelConfig.parse(
                "{\"model_type\": \"llama\", \"rope_scaling\": 2}", "c.json").optionalObject("rope_scaling"));
        assertEquals("c.json: \"rope_scaling\" must be a JSON object, found 2", notAnObject.getMessage());
    }

    @Test
    void derivedAttributesFollowTheFilesOwnValues() throws IOException {
        ModelConfig llama = ModelConfig.parse("{\"model_type\": \"llama\", \"hidden_size\": 32, "
                + "\"num_attention_heads\": 4}", "llama");
        assertEquals(4, llama.intValue("num_key_value_heads"));
        assertEquals(8, llama.intValue("head_dim"));
        ModelConfig explicitNone = ModelConfig.parse("{\"model_type\": \"llama\", \"num_attention_heads\": 4, "
                + "\"num_key_value_heads\": null}", "llama");
        assertEquals(4, explicitNone.intValue("num_key_value_heads"));
        ModelConfig grouped = ModelConfig.parse("{\"model_type\": \"llama\", \"num_attention_heads\": 4, "
                + "\"num_key_value_heads\": 2}", "llama");
        assertEquals(2, grouped.intValue("num_key_value_heads"));

        ModelConfig oldMt5 = ModelConfig.parse("{\"model_type\": \"mt5\", \"num_layers\": 3, "
                + "\"feed_forward_proj\": \"gated-gelu\"}", "mt5");
        assertEquals(3, oldMt5.intValue("num_decoder_layers"));
        assertEquals("gelu_new", oldMt5.stringValue("dense_act_fn"));
        assertTrue(oldMt5.booleanValue("is_gated_act"));
        ModelConfig gatedSilu = ModelConfig.parse("{\"model_type\": \"t5\", \"feed_forward_proj\": \"gated-silu\"}",
                "t5");
        assertEquals("silu", gatedSilu.stringValue("dense_act_fn"));
        assertTrue(gatedSilu.booleanValue("is_gated_act"));

        ModelConfig neo = ModelConfig.parse("{\"model_type\": \"gpt_neo\", "
                + "\"attention_types\": [[[\"global\", \"local\"], 2], [[\"local\"], 1]]}", "neo");
        assertEquals(List.of("global", "local", "global", "local", "local"), neo.stringList("attention_layers"));

        ModelConfig bart = ModelConfig.parse("{\"model_type\": \"bart\", \"encoder_layers\": 3}", "bart");
        assertEquals(3, bart.intValue("num_hidden_layers"));
        ModelConfig marian = ModelConfig.parse("{\"model_type\": \"marian\", \"vocab_size\": 64}", "marian");
        assertEquals(64, marian.intValue("decoder_vocab_size"));
        ModelConfig deberta = ModelConfig.parse("{\"model_type\": \"deberta-v2\", \"hidden_size\": 24}", "d");
        assertEquals(24, deberta.intValue("pooler_hidden_size"));
        ModelConfig roformer = ModelConfig.parse("{\"model_type\": \"roformer\", \"hidden_size\": 24}", "r");
        assertEquals(24, roformer.intValue("embedding_size"));
        ModelConfig mobile = ModelConfig.parse("{\"model_type\": \"mobilebert\", \"use_bottleneck\": false, "
                + "\"hidden_size\": 24}", "m");
        assertEquals(24, mobile.intValue("true_hidden_size"));
        JsonNode levit = JSON.readTree("{\"key_dim\": [8, 8, 8], \"hidden_sizes\": [16, 24, 32]}");
        assertEquals(JSON.readTree("[[\"Subsample\", 8, 2, 4, 2, 2], [\"Subsample\", 8, 3, 4, 2, 2]]"),
                ConfigDefaults.derivedValue("levit", "down_ops", null, levit::get).orElseThrow());
        ModelConfig levitConfig = ModelConfig.parse("{\"model_type\": \"levit\", \"key_dim\": [8, 8, 8], "
                + "\"hidden_sizes\": [16, 24, 32]}", "levit");
        assertEquals(List.of(List.of("Subsample", "8", "2", "4", "2", "2"), List.of("Subsample", "8", "3", "4", "2", "2")),
                levitConfig.nestedList("down_ops"));
        ModelConfig saved = ModelConfig.parse("{\"model_type\": \"levit\", \"down_ops\": [[\"Subsample\", 4, 1, 4, "
                + "2, 2], [\"\"]]}", "saved");
        assertEquals(List.of(List.of("Subsample", "4", "1", "4", "2", "2"), List.of("")), saved.nestedList("down_ops"));
        ModelConfig resnet = ModelConfig.parse("{\"model_type\": \"resnet\", \"depths\": [1, 1]}", "resnet");
        assertEquals(List.of("stem", "stage1", "stage2"), resnet.stringList("stage_names"));
    }

    @Test
    void subConfigsResolveWithTheirOwnRow() {
        ModelConfig clip = ModelConfig.parse("{\"model_type\": \"clip\", \"projection_dim\": 16, "
                + "\"text_config\": {\"hidden_size\": 24}}", "clip");
        ModelConfig text = clip.subConfig("text_config", "clip_text_model").orElseThrow();
        assertEquals(24, text.intValue("hidden_size"));
        assertEquals(77, text.intValue("max_position_embeddings"));
        assertEquals("quick_gelu", text.stringValue("hidden_act"));
        ModelConfig vision = clip.subConfig("vision_config", "clip_vision_model").orElseThrow();
        assertEquals(32, vision.intValue("patch_size"));
        assertEquals(768, ModelConfig.defaultsFor("owlvit_vision_model").intValue("image_size"));
        assertEquals(List.of(64, 8, 0), ModelConfig.defaultsFor("groupvit_vision_model").intList("num_group_tokens"));
    }

    // ---- helpers ----

    /**
     * The configs of fixtures/, then those of fixtures-today/ whose model type has config defaults (detr's entry
     * is Transformers 4.25.1's DetrConfig with the later backbone options use_timm_backbone, backbone_config and
     * backbone_kwargs, which today's fixture sets).
     */
    private static List<Path> fixtureConfigs() throws IOException {
        List<Path> configs = new java.util.ArrayList<>();
        try (Stream<Path> dirs = Files.list(SharedFiles.fixtures())) {
            configs.addAll(dirs.map(d -> d.resolve("checkpoint").resolve("config.json"))
                    .filter(Files::isRegularFile)
                    .sorted()
                    .toList());
        }
        assertTrue(configs.size() >= 239, "fixture configs found: " + configs.size());
        int fixtures = configs.size();
        try (Stream<Path> dirs = Files.list(SharedFiles.fixturesToday())) {
            for (Path config : dirs.map(d -> d.resolve("checkpoint").resolve("config.json"))
                    .filter(Files::isRegularFile).sorted().toList()) {
                String modelType = JSON.readTree(config.toFile()).get("model_type").asText();
                if (ConfigDefaults.isKnown(modelType)) {
                    configs.add(config);
                }
            }
        }
        assertTrue(configs.size() - fixtures >= 16, "fixtures-today configs of known types: "
                + (configs.size() - fixtures));
        return configs;
    }

    /** Checks one (sub-)config object; returns the number of keys checked, adds one line per problem. */
    private static int checkKeys(JsonNode config, String where, List<String> problems) {
        String type = config.get("model_type").asText();
        ConfigDefaults.Row row = ConfigDefaults.row(type).orElse(null);
        if (row == null) {
            problems.add(where + ": no row for model type " + type);
            return 0;
        }
        int checked = 0;
        for (Iterator<Map.Entry<String, JsonNode>> it = config.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            String key = field.getKey();
            if (GENERIC_KEYS.contains(key) || GENERATOR_EXTRAS.contains(row.modelType() + "." + key)) {
                continue;
            }
            checked++;
            Object expected;
            if (row.defaults().containsKey(key)) {
                expected = row.defaults().get(key);
            } else if (ConfigDefaults.COMMON.containsKey(key)) {
                expected = ConfigDefaults.COMMON.get(key);
            } else {
                problems.add(where + ": " + type + " row does not know \"" + key + "\" (file value "
                        + field.getValue() + ")");
                continue;
            }
            if (!sameJsonType(JSON.valueToTree(expected), field.getValue())) {
                problems.add(where + ": \"" + key + "\" is " + field.getValue() + " in the file but the " + type
                        + " default is " + JSON.valueToTree(expected));
            }
        }
        return checked;
    }

    /**
     * Whether a file value fits the default's JSON type, as Python would read it: a None default or a None value
     * fits anything; a float default accepts integers; an integer default accepts only integral numbers.
     */
    private static boolean sameJsonType(JsonNode expected, JsonNode actual) {
        if (expected.isNull() || actual.isNull()) {
            return true;
        }
        if (expected.isIntegralNumber()) {
            return actual.isIntegralNumber()
                    || (actual.isNumber() && actual.asDouble() == Math.rint(actual.asDouble()));
        }
        if (expected.isNumber()) {
            return actual.isNumber();
        }
        return expected.getNodeType() == actual.getNodeType();
    }

    /** The file's value, else the derivation, else the default (what ModelConfig resolves), for stored keys. */
    private static JsonNode fileThenDefault(JsonNode file, String type, String key) {
        JsonNode value = file.get(key);
        if (value != null && !value.isNull()) {
            return value;
        }
        return ConfigDefaults.derivedValue(type, key, value, k -> fileThenDefault(file, type, k))
                .orElseGet(() -> ConfigDefaults.defaultValue(type, key).orElse(null));
    }
}
