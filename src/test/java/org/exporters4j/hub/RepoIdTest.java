package org.exporters4j.hub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;

/** huggingface_hub's validate_repo_id rules, and the cache folder name. */
class RepoIdTest {
    @Test
    void acceptsTheShapesTheHubAllows() {
        for (String valid : new String[] {"foo", "foo/bar", "123", "Foo-BAR_foo.bar123", "google/flan-t5-small",
                "_private/x_", "a".repeat(96), "org/" + "b".repeat(96)}) {
            assertEquals(valid, RepoId.of(valid).value());
        }
    }

    @Test
    void rejectsWhatHuggingfaceHubRejectsWithTheReason() {
        assertProblem("datasets/foo/bar", "it has more than one '/'");
        assertProblem(".repo_id", "a part cannot start or end with '-' or '.'");
        assertProblem("repo-", "a part cannot start or end with '-' or '.'");
        assertProblem("org-/repo", "a part cannot start or end with '-' or '.'");
        assertProblem("foo--bar", "it contains '--' or '..'");
        assertProblem("foo..bar", "it contains '--' or '..'");
        assertProblem("foo.git", "it ends with '.git'");
        assertProblem("café", "it may use only ASCII letters");
        assertProblem("with space", "it may use only ASCII letters");
        assertProblem("", "it is empty");
        assertProblem("a".repeat(97), "the name is longer than 96 characters");
        assertProblem("./models/bert", "it has more than one '/'");
    }

    @Test
    void theMessageSaysWhatARepoIdLooksLike() {
        HubException e = assertThrows(HubException.class, () -> RepoId.of("foo--bar"));
        assertEquals(HubException.Kind.INVALID_ARGUMENT, e.kind());
        assertTrue(e.getMessage().startsWith("not a valid Hugging Face repo id: 'foo--bar' (it contains '--' or "
                + "'..'); a Hub repo id is \"name\" or \"namespace/name\""), e.getMessage());
    }

    @Test
    void partsAndCacheFolder() {
        RepoId id = RepoId.of("julien-c/EsperBERTo-small");
        assertEquals(Optional.of("julien-c"), id.namespace());
        assertEquals("EsperBERTo-small", id.name());
        assertEquals("models--julien-c--EsperBERTo-small", id.cacheFolderName());
        assertEquals("models--gpt2", RepoId.of("gpt2").cacheFolderName());
        assertEquals(Optional.empty(), RepoId.of("gpt2").namespace());
    }

    @Test
    void parseTellsIdsFromOtherStrings() {
        assertEquals(Optional.of(RepoId.of("bert-base-uncased")), RepoId.parse("bert-base-uncased"));
        assertEquals(Optional.empty(), RepoId.parse("/tmp/model"));
        assertEquals(Optional.empty(), RepoId.parse(null));
    }

    private static void assertProblem(String value, String problem) {
        HubException e = assertThrows(HubException.class, () -> RepoId.of(value), value);
        assertTrue(e.getMessage().contains(problem), e.getMessage());
    }
}
