package org.exporters4j.hub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Model info as the Hub's API returns it (abridged from a real answer's shape). */
class ModelInfoTest {
    @Test
    void readsTheFieldsAnExportUses() {
        String json = "{\"_id\": \"621ffdc036468d709f174338\", \"id\": \"distilbert-base-uncased\", "
                + "\"private\": false, \"pipeline_tag\": \"fill-mask\", \"library_name\": \"transformers\", "
                + "\"tags\": [\"transformers\", \"pytorch\", \"fill-mask\", 42], "
                + "\"sha\": \"12040accade4e8a0f71eabdb258fecc2e7e948be\", "
                + "\"transformersInfo\": {\"auto_model\": \"AutoModelForMaskedLM\", \"pipeline_tag\": \"fill-mask\", "
                + "\"processor\": \"AutoTokenizer\"}, "
                + "\"siblings\": [{\"rfilename\": \".gitattributes\"}, {\"rfilename\": \"config.json\"}, "
                + "{\"rfilename\": \"model.safetensors\"}, {\"other\": 1}]}";
        ModelInfo info = ModelInfo.parse(RepoId.of("distilbert-base-uncased"), json, "test");
        assertEquals("12040accade4e8a0f71eabdb258fecc2e7e948be", info.sha());
        assertEquals(List.of(".gitattributes", "config.json", "model.safetensors"), info.siblings());
        assertEquals(Optional.of("fill-mask"), info.pipelineTag());
        assertEquals(Optional.of("transformers"), info.libraryName());
        assertEquals(List.of("transformers", "pytorch", "fill-mask"), info.tags());
        assertEquals(Optional.of(new TransformersInfo(Optional.of("AutoModelForMaskedLM"), Optional.of("fill-mask"),
                Optional.of("AutoTokenizer"))), info.transformersInfo());
    }

    @Test
    void absentOptionalFieldsAreEmpty() {
        ModelInfo info = ModelInfo.parse(RepoId.of("x"), "{\"sha\": \"abc\"}", "test");
        assertEquals(List.of(), info.siblings());
        assertEquals(Optional.empty(), info.pipelineTag());
        assertEquals(Optional.empty(), info.transformersInfo());
    }

    @Test
    void answersThatAreNotModelInfoAreRejected() {
        HubException notJson = assertThrows(HubException.class,
                () -> ModelInfo.parse(RepoId.of("x"), "<html>proxy login</html>", "http://h/api/models/x"));
        assertEquals(HubException.Kind.INVALID_RESPONSE, notJson.kind());
        assertTrue(notJson.getMessage().startsWith("the model info from http://h/api/models/x is not what the Hub "
                + "sends: it is not JSON"), notJson.getMessage());
        assertTrue(assertThrows(HubException.class, () -> ModelInfo.parse(RepoId.of("x"), "{}", "s"))
                .getMessage().contains("it has no \"sha\""));
        assertTrue(assertThrows(HubException.class, () -> ModelInfo.parse(RepoId.of("x"), "[1]", "s"))
                .getMessage().contains("not a JSON object"));
    }
}
