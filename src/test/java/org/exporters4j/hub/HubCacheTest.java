package org.exporters4j.hub;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The cache layout, read from and written to folders the test lays out as huggingface_hub does. */
class HubCacheTest {
    private static final String COMMIT = "a9f9c3b1ed5ba8cc2e0d04b1aeb4e8ab8a4e6d1f";
    private static final RepoId REPO = RepoId.of("org/model");

    @TempDir
    Path root;

    @Test
    void resolvesRevisionsThroughRefsLikeTryToLoadFromCache() throws IOException {
        HubCache cache = new HubCache(root);
        Path repo = root.resolve("models--org--model");
        writePythonEntry(repo, "config.json", "{}");
        writePythonEntry(repo, "sub/tokenizer.json", "{\"t\": 1}");
        Files.createDirectories(repo.resolve("refs/refs/pr"));
        Files.writeString(repo.resolve("refs/main"), COMMIT);
        Files.writeString(repo.resolve("refs/refs/pr/1"), COMMIT + "\n"); // tolerated, as written by hand

        assertEquals(Optional.of(COMMIT), cache.commit(REPO, Revision.MAIN));
        assertEquals(Optional.of(COMMIT), cache.commit(REPO, Revision.of("refs/pr/1")));
        assertEquals(Optional.empty(), cache.commit(REPO, Revision.of("v2")));
        assertEquals(Optional.of(repo.resolve("snapshots/" + COMMIT + "/config.json")),
                cache.cachedFile(REPO, Revision.MAIN, "config.json"));
        assertEquals(Optional.of(repo.resolve("snapshots/" + COMMIT + "/sub/tokenizer.json")),
                cache.cachedFile(REPO, Revision.of(COMMIT), "sub/tokenizer.json"));
        assertEquals(Optional.empty(), cache.cachedFile(REPO, Revision.MAIN, "vocab.txt"));
        assertEquals(List.of("config.json", "sub/tokenizer.json"), cache.snapshotFiles(REPO, COMMIT));
    }

    @Test
    void aDanglingLinkIsNotACachedFile() throws IOException {
        HubCache cache = new HubCache(root);
        Path snapshot = Files.createDirectories(root.resolve("models--org--model/snapshots/" + COMMIT));
        Files.createSymbolicLink(snapshot.resolve("config.json"), Path.of("../../blobs/deadbeef"));
        assertEquals(Optional.empty(), cache.cachedFile(REPO, Revision.of(COMMIT), "config.json"));
    }

    /** HF_HUB_CACHE or HF_HOME naming a file: one line naming that file, no Java exception name. */
    @Test
    void aCacheRootThatIsAFileIsNamed() throws IOException {
        Path file = Files.writeString(root.resolve("hub"), "not a folder");
        HubCache cache = new HubCache(file);
        HubException e = assertThrows(HubException.class, () -> cache.commit(REPO, Revision.MAIN));
        assertEquals("cannot read " + file.resolve("models--org--model/refs/main") + " in the Hub cache: " + file
                + " is a file, not a folder; point HF_HUB_CACHE (or HF_HOME) at a folder, or pass --cache-dir",
                e.getMessage());
        HubException below = assertThrows(HubException.class, () -> new HubCache(file.resolve("sub"))
                .commit(REPO, Revision.MAIN));
        assertTrue(below.getMessage().endsWith(": " + file + " is a file, not a folder; point HF_HUB_CACHE (or "
                + "HF_HOME) at a folder, or pass --cache-dir"), below.getMessage());
    }

    @Test
    void aCorruptRefIsReportedNotFollowed() throws IOException {
        HubCache cache = new HubCache(root);
        Path refs = Files.createDirectories(root.resolve("models--org--model/refs"));
        Files.writeString(refs.resolve("main"), "../../../etc");
        HubException e = assertThrows(HubException.class, () -> cache.commit(REPO, Revision.MAIN));
        assertTrue(e.getMessage().contains("is not a valid cache name"), e.getMessage());
    }

    @Test
    void aRefThatIsNotASmallRegularFileIsRefusedUnread() throws IOException {
        HubCache cache = new HubCache(root);
        Path refs = Files.createDirectories(root.resolve("models--org--model/refs"));
        Files.createDirectory(refs.resolve("main"));
        HubException folder = assertThrows(HubException.class, () -> cache.commit(REPO, Revision.MAIN));
        assertEquals(HubException.Kind.CACHE_IO, folder.kind());
        assertEquals(refs.resolve("main") + " is a folder; a Hub cache ref must be a regular file; delete it to fetch"
                + " the revision again", folder.getMessage());
        try (java.io.RandomAccessFile huge = new java.io.RandomAccessFile(refs.resolve("v1").toFile(), "rw")) {
            huge.setLength(3L << 30); // sparse: a ref read whole would need 3 GiB
        }
        HubException big = assertThrows(HubException.class, () -> cache.commit(REPO, Revision.of("v1")));
        assertTrue(big.getMessage().startsWith(refs.resolve("v1") + " is 3221225472 bytes, over the 4096-byte cap on"
                + " a Hub cache ref"), big.getMessage());
    }

    @Test
    void linksAreRelativeAndReplaceWhatWasThere() throws IOException {
        HubCache cache = new HubCache(root);
        Path blob = cache.blobFile(REPO, "0123abcd");
        Files.createDirectories(blob.getParent());
        Files.writeString(blob, "content");
        Path pointer = cache.pointerFile(REPO, COMMIT, new RepoFilePath("a/b/file.txt"));
        cache.link(blob, pointer);
        assertEquals(Path.of("../../../../blobs/0123abcd"), Files.readSymbolicLink(pointer));
        Path other = cache.blobFile(REPO, "4567");
        Files.writeString(other, "newer");
        cache.link(other, pointer);
        assertEquals("newer", Files.readString(pointer));
        try (var listing = Files.list(pointer.getParent())) {
            assertEquals(List.of(pointer), listing.toList(), "no temporary link may remain");
        }
    }

    @Test
    void refsAreWrittenWithoutNewlineAndOnlyForBranchesAndTags() throws IOException {
        HubCache cache = new HubCache(root);
        cache.writeRef(REPO, Revision.of("refs/pr/3"), COMMIT);
        assertEquals(COMMIT, Files.readString(root.resolve("models--org--model/refs/refs/pr/3")));
        cache.writeRef(REPO, Revision.of(COMMIT), COMMIT);
        assertTrue(Files.notExists(root.resolve("models--org--model/refs/" + COMMIT)));
        assertEquals(root.resolve(".locks/models--org--model/0123abcd.lock"), cache.lockFile(REPO, "0123abcd"));
    }

    @Test
    void missingFilesAreRememberedPerCommit() {
        HubCache cache = new HubCache(root);
        cache.markMissing(REPO, COMMIT, new RepoFilePath("sub/added_tokens.json"));
        assertTrue(Files.isRegularFile(root.resolve("models--org--model/.no_exist/" + COMMIT
                + "/sub/added_tokens.json")));
        assertTrue(cache.isKnownMissing(REPO, COMMIT, "sub/added_tokens.json"));
    }

    private static void writePythonEntry(Path repo, String file, String content) throws IOException {
        byte[] bytes = content.getBytes(StandardCharsets.UTF_8);
        String etag = FakeHub.gitSha1(bytes);
        Files.createDirectories(repo.resolve("blobs"));
        Files.write(repo.resolve("blobs").resolve(etag), bytes);
        Path pointer = repo.resolve("snapshots").resolve(COMMIT).resolve(file);
        Files.createDirectories(pointer.getParent());
        Path target = pointer.getParent().relativize(repo.resolve("blobs").resolve(etag));
        Files.createSymbolicLink(pointer, target);
        assertArrayEquals(bytes, Files.readAllBytes(pointer));
    }
}
