package org.exporters4j.hub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Revisions and repository paths: only relative paths that stay inside the cache are accepted. */
class RevisionTest {
    @Test
    void commitHashesAreFullLowercaseShas() {
        assertTrue(Revision.of("0123456789abcdef0123456789abcdef01234567").isCommitHash());
        assertFalse(Revision.of("0123456789ABCDEF0123456789ABCDEF01234567").isCommitHash());
        assertFalse(Revision.of("0123456").isCommitHash());
        assertFalse(Revision.MAIN.isCommitHash());
        assertEquals("refs/pr/1", Revision.of("refs/pr/1").value());
    }

    @Test
    void revisionsThatWouldEscapeTheRefsFolderAreRejected() {
        for (String bad : List.of("", "../../etc/passwd", "/abs", "a//b", "a/./b", "tag\\x", "a\nb")) {
            HubException e = assertThrows(HubException.class, () -> Revision.of(bad), bad);
            assertEquals(HubException.Kind.INVALID_ARGUMENT, e.kind());
            assertTrue(e.getMessage().startsWith("not a valid revision: '"), e.getMessage());
        }
    }

    @Test
    void repositoryPathsAreRelativeAndClean() {
        assertEquals(List.of("unet", "config.json"), new RepoFilePath("unet/config.json").segments());
        assertEquals("sub/model.bin", RepoFilePath.of("sub", "model.bin").value());
        assertEquals("model.bin", RepoFilePath.of("", "model.bin").value());
        for (String bad : List.of("../x", "a/../../x", "/etc/passwd", "a/", "C:\\x")) {
            HubException e = assertThrows(HubException.class, () -> new RepoFilePath(bad), bad);
            assertTrue(e.getMessage().startsWith("not a valid file path in a repository: '" + bad + "'"),
                    e.getMessage());
        }
    }
}
