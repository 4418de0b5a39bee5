package org.exporters4j.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.exporters4j.checkpoint.ConfigDefaults.Derivation.Applies;
import org.junit.jupiter.api.Test;

/**
 * {@code config-classes.json} as shipped, and the validation that refuses a broken one with a message naming the
 * entry (each case is a small document written here, one fault at a time).
 */
class ConfigClassTableTest {
    private static final String PRETRAINED = "\"pretrained_config\": {\"class\": \"PretrainedConfig\", "
            + "\"transformers\": \"4.25.1\", \"defaults\": {\"bos_token_id\": null, \"is_decoder\": false}}";

    @Test
    void shippedFileHoldsOneEntryPerModelTypeWithItsClassAndVersion() throws IOException {
        ConfigClassTable table = ConfigClassTable.parse(shippedText(), "shipped");
        assertEquals(ConfigDefaults.modelTypes(), List.copyOf(table.rows().keySet()));
        assertEquals(74 + 7 + 4 + 4, table.rows().size(), "71, Wav2Vec2Config, HubertConfig, WavLMConfig, mpnet, "
                + "modernbert, dinov2, swin, siglip and its two towers, sam and its three sub-configurations, and "
                + "MixtralConfig, OlmoConfig, Phi3Config, Starcoder2Config");
        assertEquals("4.25.1", table.pretrainedTransformers());
        assertEquals(false, table.common().get("is_decoder"));
        assertEquals(Map.of(), table.common().get("pruned_heads"));

        ConfigDefaults.Row bert = table.rows().get("bert");
        assertEquals("BertConfig", bert.configClass());
        assertEquals("4.25.1", bert.transformers());
        assertEquals("", bert.notes());
        assertEquals("CLIPTextConfig", table.rows().get("clip_text_model").configClass());
        assertEquals("DebertaV2Config", table.rows().get("deberta-v2").configClass());
        assertEquals("M2M100Config", table.rows().get("m2m_100").configClass());
        assertEquals("4.28", table.rows().get("llama").transformers());
        assertEquals("4.34", table.rows().get("mistral").transformers());
        assertEquals("4.37", table.rows().get("qwen2").transformers());
        assertTrue(table.rows().get("llama").notes().contains("head_dim (4.4x)"), table.rows().get("llama").notes());
        assertTrue(table.rows().get("levit").notes().contains("LevitEncoder appends"));
        assertEquals(Map.of("hidden_size", "n_embd", "max_position_embeddings", "n_positions",
                "num_attention_heads", "n_head", "num_hidden_layers", "n_layer"), table.rows().get("gpt2").attributeMap());

        ConfigDefaults.Derivation headDim = table.rows().get("llama").derived().get("head_dim");
        assertEquals(DerivationRule.QUOTIENT, headDim.rule());
        assertEquals(Map.of("dividend", "hidden_size", "divisor", "num_attention_heads"), headDim.parameters());
        assertEquals(Applies.WHEN_NONE, table.rows().get("mistral").derived().get("num_key_value_heads").applies());
    }

    @Test
    void everyRuleIsUsedAndAppliesAsItsDataNameSays() throws IOException {
        ConfigClassTable table = ConfigClassTable.parse(shippedText(), "shipped");
        Set<DerivationRule> used = EnumSet.noneOf(DerivationRule.class);
        table.rows().values().forEach(row -> row.derived().values().forEach(d -> used.add(d.rule())));
        assertEquals(EnumSet.allOf(DerivationRule.class), used, "a rule no entry uses is dead code");
        assertEquals(Applies.WHEN_ABSENT_OR_NONE, DerivationRule.SAME_AS.applies());
        assertEquals(Applies.WHEN_ABSENT_OR_NONE, DerivationRule.QUOTIENT.applies());
        assertEquals(Applies.WHEN_NONE, DerivationRule.NONE_MEANS.applies());
        for (DerivationRule rule : EnumSet.complementOf(EnumSet.of(DerivationRule.SAME_AS, DerivationRule.QUOTIENT,
                DerivationRule.NONE_MEANS))) {
            assertEquals(Applies.ALWAYS_COMPUTED, rule.applies(), rule.name());
        }
        assertEquals("t5_dense_act_fn", DerivationRule.T5_DENSE_ACT_FN.dataName());
        assertEquals(DerivationRule.CHOSEN_BY_FLAG, DerivationRule.fromDataName("chosen_by_flag"));
    }

    @Test
    void aSmallValidDocumentParses() {
        ConfigClassTable table = ConfigClassTable.parse(document(
                entry("a-b", "\"attribute_map\": {\"hidden_size\": \"d_model\"}, \"defaults\": {\"d_model\": 8, "
                        + "\"width\": 8}, \"derived\": {\"width\": {\"rule\": \"same_as\", \"from\": \"d_model\"}}"),
                entry("c", "\"notes\": \"n\", \"defaults\": {\"x\": [1, 2.5, null, {\"k\": \"v\"}]}")), "small");
        assertEquals(List.of("a-b", "c"), List.copyOf(table.rows().keySet()));
        assertEquals(List.of("bos_token_id", "is_decoder"), List.copyOf(table.common().keySet()));
        assertEquals(java.util.Arrays.asList(1, 2.5, null, Map.of("k", "v")), table.rows().get("c").defaults().get("x"));
        assertEquals("n", table.rows().get("c").notes());
        @SuppressWarnings("unchecked")
        List<Object> list = (List<Object>) table.rows().get("c").defaults().get("x");
        assertThrows(UnsupportedOperationException.class, () -> list.add(3), "defaults are immutable");
    }

    @Test
    void refusesDuplicateAndUnsortedModelTypes() {
        String duplicate = fault(document(entry("bert", defaults()), entry("bert", defaults())));
        assertTrue(duplicate.startsWith("doc is not valid JSON (line 1, column "), duplicate);
        assertTrue(duplicate.contains("Duplicate field 'bert'"), duplicate);
        assertEquals("doc, model_types: model type \"bert\" comes after \"gpt2\"; keep them sorted",
                fault(document(entry("gpt2", defaults()), entry("bert", defaults()))));
        assertEquals("doc, model type \"a_b\": differs from \"a-b\" only in - and _, so a model type given in "
                + "either spelling could not be told apart; keep Transformers' one",
                fault(document(entry("a-b", defaults()), entry("a_b", defaults()))));
        assertEquals("doc, model type \"Bert\": must be Transformers' lower-case spelling, as config.json's model_type",
                fault(document(entry("Bert", defaults()))));
    }

    @Test
    void refusesUnknownRulesAndWrongParameters() {
        assertEquals("doc, model type \"t\", derived \"n\": unknown rule \"copy_off\"; close matches: copy_of; "
                + "the rules are same_as, none_means, copy_of, quotient, chosen_by_flag, t5_dense_act_fn, "
                + "t5_is_gated_act, expanded_attention_types, levit_down_ops, stage_names "
                + "(a new kind of derivation is a new DerivationRule constant)",
                fault(document(entry("t", "\"defaults\": {\"n\": 1, \"m\": 1}, "
                        + "\"derived\": {\"n\": {\"rule\": \"copy_off\", \"from\": \"m\"}}"))));
        assertEquals("doc, model type \"t\", derived \"n\": rule quotient needs the parameter \"divisor\" "
                + "(its parameters are [dividend, divisor])",
                fault(document(entry("t", "\"defaults\": {\"n\": 1, \"m\": 1}, "
                        + "\"derived\": {\"n\": {\"rule\": \"quotient\", \"dividend\": \"m\"}}"))));
        assertEquals("doc, model type \"t\", derived \"n\": rule same_as has no parameter \"to\"; "
                + "its parameters are [from]",
                fault(document(entry("t", "\"defaults\": {\"n\": 1, \"m\": 1}, "
                        + "\"derived\": {\"n\": {\"rule\": \"same_as\", \"from\": \"m\", \"to\": \"n\"}}"))));
        assertTrue(fault(document(entry("t", "\"defaults\": {\"n\": 1}, \"derived\": {\"n\": \"same_as\"}")))
                .startsWith("doc, model type \"t\", derived \"n\": must be an object naming its \"rule\""));
    }

    @Test
    void refusesDerivationsWithoutDefaultsOrReadingUnknownKeysOrEachOther() {
        assertEquals("doc, model type \"t\": derived attribute \"n\" needs its default-instance value among the "
                + "defaults", fault(document(entry("t", "\"defaults\": {\"m\": 1}, "
                        + "\"derived\": {\"n\": {\"rule\": \"same_as\", \"from\": \"m\"}}"))));
        assertEquals("doc, model type \"t\", derived \"n\": parameter from reads \"hiden_size\", which neither the "
                + "class nor PretrainedConfig defines; close matches: hidden_size; add its default or fix the name",
                fault(document(entry("t", "\"defaults\": {\"n\": 1, \"hidden_size\": 1}, "
                        + "\"derived\": {\"n\": {\"rule\": \"same_as\", \"from\": \"hiden_size\"}}"))));
        assertEquals("doc, model type \"t\", derived \"n\": parameter from reads \"hidden_size\", which neither the "
                + "class nor PretrainedConfig defines; it is an alias, name its stored key \"d_model\"",
                fault(document(entry("t", "\"attribute_map\": {\"hidden_size\": \"d_model\"}, "
                        + "\"defaults\": {\"n\": 1, \"d_model\": 1}, "
                        + "\"derived\": {\"n\": {\"rule\": \"same_as\", \"from\": \"hidden_size\"}}"))));
        assertEquals("doc, model type \"t\": derivations read each other in a cycle (a → b → a); one of them must "
                + "read a stored value", fault(document(entry("t", "\"defaults\": {\"a\": 1, \"b\": 1}, "
                        + "\"derived\": {\"a\": {\"rule\": \"same_as\", \"from\": \"b\"}, "
                        + "\"b\": {\"rule\": \"copy_of\", \"from\": \"a\"}}"))));
        // reading a PretrainedConfig attribute is fine
        ConfigClassTable.parse(document(entry("t", "\"defaults\": {\"a\": 1}, "
                + "\"derived\": {\"a\": {\"rule\": \"same_as\", \"from\": \"bos_token_id\"}}")), "doc");
    }

    @Test
    void refusesBadAliasesFieldsClassesAndVersions() {
        assertEquals("doc, model type \"t\": \"d_model\" is both an alias and a stored attribute; keep one",
                fault(document(entry("t", "\"attribute_map\": {\"d_model\": \"width\"}, "
                        + "\"defaults\": {\"d_model\": 1, \"width\": 1}"))));
        assertEquals("doc, model type \"t\": alias \"hidden_size\" points at \"dmodel\", which neither the class "
                + "nor PretrainedConfig defines; close matches: d_model; add its default or fix the name",
                fault(document(entry("t", "\"attribute_map\": {\"hidden_size\": \"dmodel\"}, "
                        + "\"defaults\": {\"d_model\": 1}"))));
        assertEquals("doc, model type \"t\": unknown field \"atribute_map\"; close matches: attribute_map; the "
                + "fields are [class, transformers, notes, attribute_map, defaults, derived]",
                fault(document(entry("t", "\"atribute_map\": {}, \"defaults\": {\"x\": 1}"))));
        assertEquals("doc, model type \"t\": the field \"defaults\" is required",
                fault(document("\"t\": {\"class\": \"TConfig\", \"transformers\": \"4.25.1\"}")));
        assertEquals("doc, model type \"t\": class must be a Transformers configuration class name such as "
                + "BertConfig, found bert", fault(document(
                        "\"t\": {\"class\": \"bert\", \"transformers\": \"4.25.1\", \"defaults\": {\"x\": 1}}")));
        assertEquals("doc, model type \"t\": transformers must be the version the row mirrors, such as 4.25.1, "
                + "found latest", fault(document(
                        "\"t\": {\"class\": \"TConfig\", \"transformers\": \"latest\", \"defaults\": {\"x\": 1}}")));
        assertEquals("doc, pretrained_config, defaults: key \"bos_token_id\" comes after \"is_decoder\"; keep them "
                + "sorted", fault("{\"pretrained_config\": {\"class\": \"PretrainedConfig\", \"transformers\": "
                        + "\"4.25.1\", \"defaults\": {\"is_decoder\": false, \"bos_token_id\": null}}, "
                        + "\"model_types\": {" + entry("t", defaults()) + "}}"));
        assertEquals("doc: unknown field \"model_type\"; close matches: model_types; the fields are [about, "
                + "pretrained_config, model_types]", fault("{" + PRETRAINED + ", \"model_type\": {}}"));
        assertTrue(fault(document(entry("t", defaults())) + " {}").startsWith("doc is not valid JSON"));
    }

    // ---- helpers ----

    private static String shippedText() throws IOException {
        try (InputStream in = ConfigClassTable.class.getResourceAsStream(ConfigClassTable.RESOURCE)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static String document(String... entries) {
        return "{\"about\": [\"test\"], " + PRETRAINED + ", \"model_types\": {" + String.join(", ", entries) + "}}";
    }

    private static String entry(String modelType, String fields) {
        String name = modelType.replaceAll("[^A-Za-z]", "");
        return "\"" + modelType + "\": {\"class\": \"" + name.substring(0, 1).toUpperCase() + name.substring(1)
                + "Config\", \"transformers\": \"4.25.1\", " + fields + "}";
    }

    private static String defaults() {
        return "\"defaults\": {\"x\": 1}";
    }

    private static String fault(String document) {
        return assertThrows(IllegalStateException.class, () -> ConfigClassTable.parse(document, "doc")).getMessage();
    }
}
