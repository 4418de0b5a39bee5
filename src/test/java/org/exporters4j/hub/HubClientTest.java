package org.exporters4j.hub;

import org.exporters4j.WeightsFormat;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Hub client against a local fault-injecting Hub ({@link FakeHub}); no network beyond 127.0.0.1. */
class HubClientTest {
    private static final String REPO = "test-org/tiny-bert";
    private static final String COMMIT_1 = "1111111111111111111111111111111111111111";
    private static final String COMMIT_2 = "2222222222222222222222222222222222222222";
    private static final RetryPolicy FAST_RETRIES = new RetryPolicy(3, Duration.ofMillis(1), Duration.ofMillis(4));
    private static final byte[] CONFIG = "{\"model_type\": \"bert\", \"hidden_size\": 32}\n"
            .getBytes(StandardCharsets.UTF_8);

    @TempDir
    Path temp;

    private FakeHub hub;
    private Path cacheDir;
    private byte[] weights;
    private final List<HubClient> clients = new ArrayList<>();

    @BeforeEach
    void startHub() throws IOException {
        hub = FakeHub.start();
        cacheDir = temp.resolve("cache");
        weights = new byte[50_000];
        new Random(7).nextBytes(weights);
        Path commit1 = write(temp.resolve("repo/c1"), Map.of(
                "config.json", CONFIG,
                "model.safetensors", weights,
                "pytorch_model.bin", "pt".getBytes(StandardCharsets.UTF_8),
                "tokenizer.json", "{}".getBytes(StandardCharsets.UTF_8),
                "vocab.txt", "[PAD]\n[UNK]\n".getBytes(StandardCharsets.UTF_8),
                "README.md", "# tiny".getBytes(StandardCharsets.UTF_8),
                "flax_model.msgpack", "flax".getBytes(StandardCharsets.UTF_8),
                "text_encoder/config.json", "{\"model_type\": \"clip\"}".getBytes(StandardCharsets.UTF_8)));
        Path commit2 = write(temp.resolve("repo/c2"), Map.of(
                "config.json", "{\"model_type\": \"bert\", \"hidden_size\": 64}".getBytes(StandardCharsets.UTF_8),
                "model.safetensors", "v2".getBytes(StandardCharsets.UTF_8)));
        hub.repo(REPO).commit(COMMIT_1, commit1).commit(COMMIT_2, commit2).ref("v1.0", COMMIT_1)
                .tags("fill-mask", "AutoModelForMaskedLM");
    }

    @AfterEach
    void stopHub() {
        clients.forEach(HubClient::close);
        hub.close();
    }

    @Test
    void downloadsIntoHuggingfaceHubCacheLayout() throws IOException {
        HubClient client = client(settings());
        Path config = client.download(RepoId.of(REPO), Revision.MAIN, "config.json");
        Path model = client.download(RepoId.of(REPO), Revision.MAIN, "model.safetensors");
        Path nested = client.download(RepoId.of(REPO), Revision.MAIN, "text_encoder/config.json");

        Path repoFolder = cacheDir.resolve("models--test-org--tiny-bert");
        Path snapshot = repoFolder.resolve("snapshots").resolve(COMMIT_1);
        assertEquals(snapshot.resolve("config.json"), config);
        assertEquals(snapshot.resolve("model.safetensors"), model);
        assertEquals(snapshot.resolve("text_encoder").resolve("config.json"), nested);
        // relative symlinks into blobs/, named by git sha1 (regular files) or sha256 (LFS files)
        assertTrue(Files.isSymbolicLink(config));
        assertEquals(Path.of("../../blobs/" + FakeHub.gitSha1(CONFIG)), Files.readSymbolicLink(config));
        assertEquals(Path.of("../../blobs/" + FakeHub.sha256(weights)), Files.readSymbolicLink(model));
        assertEquals(Path.of("../../../blobs/"
                        + FakeHub.gitSha1("{\"model_type\": \"clip\"}".getBytes(StandardCharsets.UTF_8))),
                Files.readSymbolicLink(nested));
        assertArrayEquals(CONFIG, Files.readAllBytes(config));
        assertArrayEquals(weights, Files.readAllBytes(model));
        // refs/main holds the commit, without a newline, as huggingface_hub writes it
        assertEquals(COMMIT_1, Files.readString(repoFolder.resolve("refs/main")));
        try (Stream<Path> blobs = Files.list(repoFolder.resolve("blobs"))) {
            assertEquals(List.of(FakeHub.gitSha1(CONFIG), FakeHub.sha256(weights),
                    FakeHub.gitSha1("{\"model_type\": \"clip\"}".getBytes(StandardCharsets.UTF_8))).stream().sorted()
                    .toList(), blobs.map(p -> p.getFileName().toString()).sorted().toList());
        }
    }

    @Test
    void tokenGoesToTheHubButNotToTheCdn() throws IOException {
        hub.repo(REPO).gated("hf_secret");
        HubClient client = client(settings().withToken("hf_secret"));
        Path model = client.download(RepoId.of(REPO), Revision.MAIN, "model.safetensors");
        assertArrayEquals(weights, Files.readAllBytes(model));
        List<FakeHub.Request> requests = hub.requests();
        FakeHub.Request head = requests.get(0);
        assertEquals("HEAD", head.method());
        assertEquals(Optional.of("Bearer hf_secret"), head.authorization());
        FakeHub.Request cdnGet = requests.get(1);
        assertEquals("cdn", cdnGet.server());
        assertEquals(Optional.empty(), cdnGet.authorization());
    }

    @Test
    void aCachedFileIsNotDownloadedAgainAndACommitRevisionNeedsNoRequest() {
        HubClient client = client(settings());
        RepoId repo = RepoId.of(REPO);
        Path first = client.download(repo, Revision.MAIN, "model.safetensors");
        assertEquals(1, hub.requests("GET", "/blobs/" + FakeHub.sha256(weights)).size());

        hub.clearLog();
        assertEquals(first, client.download(repo, Revision.MAIN, "model.safetensors"));
        assertEquals(List.of("HEAD /test-org/tiny-bert/resolve/main/model.safetensors"),
                FakeHub.names(hub.requests()));

        hub.clearLog();
        assertEquals(first, client.download(repo, Revision.of(COMMIT_1), "model.safetensors"));
        assertEquals(List.of(), hub.requests());
    }

    @Test
    void branchesAndTagsResolveToTheirCommits() throws IOException {
        HubClient client = client(settings());
        RepoId repo = RepoId.of(REPO);
        hub.repo(REPO).ref("main", COMMIT_2);
        Path main = client.download(repo, Revision.MAIN, "config.json");
        Path tag = client.download(repo, Revision.of("v1.0"), "config.json");
        Path repoFolder = cacheDir.resolve("models--test-org--tiny-bert");
        assertEquals(repoFolder.resolve("snapshots/" + COMMIT_2 + "/config.json"), main);
        assertEquals(repoFolder.resolve("snapshots/" + COMMIT_1 + "/config.json"), tag);
        assertEquals(COMMIT_2, Files.readString(repoFolder.resolve("refs/main")));
        assertEquals(COMMIT_1, Files.readString(repoFolder.resolve("refs/v1.0")));
        assertEquals("{\"model_type\": \"bert\", \"hidden_size\": 64}", Files.readString(main));
        assertEquals(Optional.of(COMMIT_1), client.cache().commit(repo, Revision.of("v1.0")));
    }

    @Test
    void serverErrorsAreRetriedUntilSuccess() {
        hub.failRequests("/resolve/main/config.json", 2, 500);
        HubClient client = client(settings());
        Path config = client.download(RepoId.of(REPO), Revision.MAIN, "config.json");
        assertTrue(Files.isRegularFile(config));
        assertEquals(3, hub.requests("HEAD", "/resolve/main/config.json").size());
    }

    @Test
    void retriesAreBounded() {
        hub.failRequests("/resolve/main/config.json", 10, 503);
        HubClient client = client(settings());
        HubException e = assertThrows(HubException.class,
                () -> client.download(RepoId.of(REPO), Revision.MAIN, "config.json"));
        assertEquals(HubException.Kind.UNREACHABLE, e.kind());
        assertEquals(3, hub.requests("HEAD", "/resolve/main/config.json").size());
        assertTrue(e.getMessage().contains("after 3 attempts (last: HTTP 503)"), e.getMessage());
        assertTrue(e.getMessage().contains("file config.json of repository test-org/tiny-bert at revision main"),
                e.getMessage());
    }

    @Test
    void aGatedRepositoryWithoutTokenSaysToSetHfToken() {
        hub.repo(REPO).gated("hf_secret");
        HubClient client = client(settings());
        HubException e = assertThrows(HubException.class,
                () -> client.download(RepoId.of(REPO), Revision.MAIN, "config.json"));
        assertEquals(HubException.Kind.ACCESS_DENIED, e.kind());
        assertTrue(e.getMessage().contains("HTTP 401"), e.getMessage());
        assertTrue(e.getMessage().contains("set HF_TOKEN"), e.getMessage());
        assertEquals(1, hub.requests().size(), "a 4xx is not retried");

        HubException info = assertThrows(HubException.class, () -> client.modelInfo(RepoId.of(REPO)));
        assertEquals(HubException.Kind.ACCESS_DENIED, info.kind());

        HubClient wrongToken = client(settings().withToken("hf_wrong"));
        HubException refused = assertThrows(HubException.class,
                () -> wrongToken.download(RepoId.of(REPO), Revision.MAIN, "config.json"));
        assertTrue(refused.getMessage().contains("the token in use"), refused.getMessage());
    }

    @Test
    void notFoundTellsRepositoryRevisionAndFileApart() {
        HubClient client = client(settings());
        HubException repo = assertThrows(HubException.class,
                () -> client.download(RepoId.of("test-org/no-such-model"), Revision.MAIN, "config.json"));
        assertEquals(HubException.Kind.REPOSITORY_NOT_FOUND, repo.kind());
        assertTrue(repo.getMessage().startsWith("repository test-org/no-such-model was not found on "),
                repo.getMessage());

        HubException revision = assertThrows(HubException.class,
                () -> client.download(RepoId.of(REPO), Revision.of("no-branch"), "config.json"));
        assertEquals(HubException.Kind.REVISION_NOT_FOUND, revision.kind());
        assertTrue(revision.getMessage().startsWith("revision no-branch was not found in repository "
                + "test-org/tiny-bert"), revision.getMessage());

        HubException file = assertThrows(HubException.class,
                () -> client.download(RepoId.of(REPO), Revision.MAIN, "missing.json"));
        assertEquals(HubException.Kind.FILE_NOT_FOUND, file.kind());
        assertTrue(file.getMessage().startsWith("file missing.json was not found in repository test-org/tiny-bert "
                + "at revision main"), file.getMessage());
        assertEquals(1, hub.requests("HEAD", "/missing.json").size(), "a 404 is not retried");
        // remembered as huggingface_hub does, under .no_exist/<commit>/
        assertTrue(client.cache().isKnownMissing(RepoId.of(REPO), COMMIT_1, "missing.json"));

        HubException info = assertThrows(HubException.class,
                () -> client.modelInfo(RepoId.of("test-org/no-such-model")));
        assertEquals(HubException.Kind.REPOSITORY_NOT_FOUND, info.kind());
    }

    @Test
    void aConnectionDroppedMidFileResumesWithRange() throws IOException {
        hub.dropConnection("model.safetensors", 20_000);
        HubClient client = client(settings());
        Path model = client.download(RepoId.of(REPO), Revision.MAIN, "model.safetensors");
        assertArrayEquals(weights, Files.readAllBytes(model));
        List<FakeHub.Request> gets = hub.requests("GET", "/blobs/" + FakeHub.sha256(weights));
        assertEquals(2, gets.size());
        assertEquals(Optional.empty(), gets.get(0).range());
        // resumed from what the first response delivered: at most the 20,000 bytes sent before the drop (the JDK
        // client may lose bytes still buffered when the connection resets), and never from zero
        String range = gets.get(1).range().orElseThrow();
        java.util.regex.Matcher resumedAt = java.util.regex.Pattern.compile("bytes=(\\d+)-").matcher(range);
        assertTrue(resumedAt.matches(), range);
        long offset = Long.parseLong(resumedAt.group(1));
        assertTrue(offset > 0 && offset <= 20_000, range);
    }

    @Test
    void anInterruptedDownloadLeavesNoCacheEntryAndResumesNextTime() throws IOException {
        hub.dropConnection("model.safetensors", 20_000);
        RepoId repo = RepoId.of(REPO);
        HubClient once = client(settings(), new RetryPolicy(1, Duration.ZERO, Duration.ZERO));
        HubException e = assertThrows(HubException.class, () -> once.download(repo, Revision.MAIN,
                "model.safetensors"));
        assertEquals(HubException.Kind.UNREACHABLE, e.kind());
        Path blob = cacheDir.resolve("models--test-org--tiny-bert/blobs/" + FakeHub.sha256(weights));
        assertFalse(Files.exists(blob));
        assertFalse(Files.exists(cacheDir.resolve("models--test-org--tiny-bert/snapshots/" + COMMIT_1
                + "/model.safetensors"), java.nio.file.LinkOption.NOFOLLOW_LINKS));
        Path incomplete = blob.resolveSibling(blob.getFileName() + ".incomplete");
        // The server sent 20,000 bytes before dropping the connection; the JDK client may discard bytes it had
        // buffered but not yet delivered when the reset arrives (seen on a loaded machine), so what was kept is a
        // true prefix of at most that length, and the next download must resume exactly where it ends.
        int kept = (int) Files.size(incomplete);
        assertTrue(kept > 0 && kept <= 20_000, "kept " + kept + " bytes of the interrupted download");
        assertArrayEquals(java.util.Arrays.copyOf(weights, kept), Files.readAllBytes(incomplete));

        hub.clearLog();
        Path model = client(settings()).download(repo, Revision.MAIN, "model.safetensors");
        assertArrayEquals(weights, Files.readAllBytes(model));
        assertEquals(Optional.of("bytes=" + kept + "-"),
                hub.requests("GET", "/blobs/" + FakeHub.sha256(weights)).get(0).range());
        assertFalse(Files.exists(incomplete));
    }

    @Test
    void aStalledTransferTimesOutAndResumes() throws IOException {
        hub.stall("model.safetensors", 10_000, 3_000);
        HubSettings impatient = new HubSettings(hub.endpoint(), cacheDir, Optional.empty(), NetworkMode.ONLINE,
                Duration.ofSeconds(2), Duration.ofMillis(300));
        HubClient client = client(impatient);
        Path model = client.download(RepoId.of(REPO), Revision.MAIN, "model.safetensors");
        assertArrayEquals(weights, Files.readAllBytes(model));
        // the stall was cut short: without the watchdog the first response would have completed after the pause,
        // with no second, ranged request (no wall-clock assertion, which a loaded machine could break)
        List<FakeHub.Request> gets = hub.requests("GET", "/blobs/" + FakeHub.sha256(weights));
        assertTrue(gets.size() >= 2, "expected a resumed request after the stall, got " + gets.size());
        assertEquals(Optional.of("bytes=10000-"), gets.get(gets.size() - 1).range());
    }

    @Test
    void aWrongSizeIsRejectedAndNothingIsCached() throws IOException {
        hub.announceSize("model.safetensors", weights.length + 7);
        HubClient client = client(settings());
        HubException e = assertThrows(HubException.class,
                () -> client.download(RepoId.of(REPO), Revision.MAIN, "model.safetensors"));
        assertEquals(HubException.Kind.CORRUPT_DOWNLOAD, e.kind());
        assertTrue(e.getMessage().contains("sent " + weights.length + " bytes but announced "
                + (weights.length + 7)), e.getMessage());
        assertNoBlobOrPointer("model.safetensors");

        hub.announceSize("model.safetensors", weights.length - 1);
        HubException tooLong = assertThrows(HubException.class,
                () -> client.download(RepoId.of(REPO), Revision.MAIN, "model.safetensors"));
        assertEquals(HubException.Kind.CORRUPT_DOWNLOAD, tooLong.kind());
        assertNoBlobOrPointer("model.safetensors");
    }

    @Test
    void contentThatDoesNotMatchTheEtagIsRejected() throws IOException {
        byte[] tampered = weights.clone();
        tampered[123] ^= 1;
        hub.tamper("model.safetensors", tampered);
        byte[] otherConfig = CONFIG.clone();
        otherConfig[2] = 'M';
        hub.tamper("config.json", otherConfig);
        HubClient client = client(settings());
        HubException lfs = assertThrows(HubException.class,
                () -> client.download(RepoId.of(REPO), Revision.MAIN, "model.safetensors"));
        assertEquals(HubException.Kind.CORRUPT_DOWNLOAD, lfs.kind());
        assertTrue(lfs.getMessage().contains("SHA-256"), lfs.getMessage());
        assertNoBlobOrPointer("model.safetensors");
        HubException git = assertThrows(HubException.class,
                () -> client.download(RepoId.of(REPO), Revision.MAIN, "config.json"));
        assertTrue(git.getMessage().contains("SHA-1"), git.getMessage());
        assertNoBlobOrPointer("config.json");
    }

    @Test
    void offlineModeServesTheCacheOnly() {
        RepoId repo = RepoId.of(REPO);
        Path online = client(settings()).download(repo, Revision.MAIN, "config.json");
        hub.clearLog();
        HubClient offline = client(settings().withNetwork(NetworkMode.OFFLINE));
        assertEquals(online, offline.download(repo, Revision.MAIN, "config.json"));
        assertEquals(online, offline.download(repo, Revision.of(COMMIT_1), "config.json"));
        HubException missing = assertThrows(HubException.class,
                () -> offline.download(repo, Revision.MAIN, "vocab.txt"));
        assertEquals(HubException.Kind.NOT_IN_CACHE, missing.kind());
        assertTrue(missing.getMessage().startsWith("HF_HUB_OFFLINE is set and file vocab.txt of repository "
                + "test-org/tiny-bert at revision main is not in the cache at " + cacheDir), missing.getMessage());
        HubException info = assertThrows(HubException.class, () -> offline.modelInfo(repo));
        assertEquals(HubException.Kind.NOT_IN_CACHE, info.kind());
        assertEquals(List.of(), hub.requests());
    }

    @Test
    void anUnreachableHubFallsBackToTheCachedRevision() {
        RepoId repo = RepoId.of(REPO);
        Path online = client(settings()).download(repo, Revision.MAIN, "config.json");
        hub.close();
        HubClient client = client(settings(), new RetryPolicy(1, Duration.ZERO, Duration.ZERO));
        assertEquals(online, client.download(repo, Revision.MAIN, "config.json"));
        HubException e = assertThrows(HubException.class, () -> client.download(repo, Revision.MAIN, "vocab.txt"));
        assertEquals(HubException.Kind.UNREACHABLE, e.kind());
        assertTrue(e.getMessage().contains("set HF_HUB_OFFLINE=1"), e.getMessage());
    }

    @Test
    void aCacheWrittenByHuggingfaceHubIsReused() throws IOException {
        // the layout huggingface_hub's hf_hub_download leaves, written by hand
        Path repoFolder = cacheDir.resolve("models--test-org--tiny-bert");
        String etag = FakeHub.gitSha1(CONFIG);
        Files.createDirectories(repoFolder.resolve("blobs"));
        Files.write(repoFolder.resolve("blobs").resolve(etag), CONFIG);
        Files.createDirectories(repoFolder.resolve("refs"));
        Files.writeString(repoFolder.resolve("refs/main"), COMMIT_1);
        Path snapshot = Files.createDirectories(repoFolder.resolve("snapshots").resolve(COMMIT_1));
        Files.createSymbolicLink(snapshot.resolve("config.json"), Path.of("../../blobs/" + etag));

        HubClient client = client(settings());
        assertEquals(snapshot.resolve("config.json"), client.download(RepoId.of(REPO), Revision.MAIN,
                "config.json"));
        assertEquals(List.of("HEAD /test-org/tiny-bert/resolve/main/config.json"), FakeHub.names(hub.requests()));
        HubClient offline = client(settings().withNetwork(NetworkMode.OFFLINE));
        assertArrayEquals(CONFIG, Files.readAllBytes(offline.download(RepoId.of(REPO), Revision.MAIN,
                "config.json")));
    }

    @Test
    void modelInfoReadsTheHubsFields() {
        HubClient client = client(settings());
        ModelInfo info = client.modelInfo(RepoId.of(REPO));
        assertEquals(COMMIT_1, info.sha());
        assertEquals(List.of("README.md", "config.json", "flax_model.msgpack", "model.safetensors",
                "pytorch_model.bin", "text_encoder/config.json", "tokenizer.json", "vocab.txt"), info.siblings());
        assertEquals(Optional.of("fill-mask"), info.pipelineTag());
        assertEquals(Optional.of("transformers"), info.libraryName());
        assertEquals(Optional.of("AutoModelForMaskedLM"), info.transformersInfo().flatMap(TransformersInfo::autoModel));
        assertEquals(List.of("transformers", "pytorch"), info.tags());
        assertEquals(List.of("GET /api/models/test-org/tiny-bert"), FakeHub.names(hub.requests()));

        hub.clearLog();
        hub.repo(REPO).ref("refs/pr/1", COMMIT_2);
        ModelInfo pr = client.modelInfo(RepoId.of(REPO), Revision.of("refs/pr/1"));
        assertEquals(COMMIT_2, pr.sha());
        assertEquals(List.of("config.json", "model.safetensors"), pr.siblings());
        assertEquals(List.of("GET /api/models/test-org/tiny-bert/revision/refs%2Fpr%2F1"),
                FakeHub.names(hub.requests()));
    }

    @Test
    void anExportSnapshotFetchesOnlyWhatTheExportNeeds() throws IOException {
        HubClient client = client(settings());
        Snapshot snapshot = client.snapshotForExport(RepoId.of(REPO), Revision.of("v1.0"));
        assertEquals(COMMIT_1, snapshot.commit());
        assertEquals(WeightsFormat.SAFETENSORS, snapshot.weightsFormat());
        assertEquals(List.of("config.json", "tokenizer.json", "vocab.txt", "model.safetensors"), snapshot.files());
        Path folder = cacheDir.resolve("models--test-org--tiny-bert/snapshots/" + COMMIT_1);
        assertEquals(folder, snapshot.modelFolder());
        assertEquals(List.of("config.json", "model.safetensors", "tokenizer.json", "vocab.txt"),
                client.cache().snapshotFiles(RepoId.of(REPO), COMMIT_1));
        assertArrayEquals(weights, Files.readAllBytes(snapshot.path("model.safetensors")));
        assertEquals(COMMIT_1, Files.readString(cacheDir.resolve("models--test-org--tiny-bert/refs/v1.0")));

        Snapshot pytorch = client.snapshotForExport(RepoId.of(REPO), Revision.of("v1.0"), "",
                List.of(WeightsFormat.TF_H5, WeightsFormat.PYTORCH));
        assertEquals(WeightsFormat.PYTORCH, pytorch.weightsFormat());
        assertEquals("pytorch_model.bin", pytorch.selection().weights());

        // offline, the same selection comes from the cached snapshot
        Snapshot offline = client(settings().withNetwork(NetworkMode.OFFLINE))
                .snapshotForExport(RepoId.of(REPO), Revision.of("v1.0"));
        assertEquals(snapshot.files(), offline.files());
        assertEquals(snapshot.folder(), offline.folder());
    }

    @Test
    void shardedWeightsAreFetchedThroughTheirIndex() throws IOException {
        byte[] shard1 = "shard-one".getBytes(StandardCharsets.UTF_8);
        byte[] shard2 = "shard-two".getBytes(StandardCharsets.UTF_8);
        String index = "{\"metadata\": {\"total_size\": 18}, \"weight_map\": {"
                + "\"a.weight\": \"model-00001-of-00002.safetensors\","
                + "\"b.weight\": \"model-00002-of-00002.safetensors\","
                + "\"c.weight\": \"model-00001-of-00002.safetensors\"}}";
        Path folder = write(temp.resolve("sharded/c"), Map.of(
                "unet/config.json", CONFIG,
                "unet/model.safetensors.index.json", index.getBytes(StandardCharsets.UTF_8),
                "unet/model-00001-of-00002.safetensors", shard1,
                "unet/model-00002-of-00002.safetensors", shard2,
                "unet/special_tokens_map.json", "{}".getBytes(StandardCharsets.UTF_8),
                "config.json", CONFIG));
        hub.repo("sharded-model").commit(COMMIT_2, folder);
        HubClient client = client(settings());
        Snapshot snapshot = client.snapshotForExport(RepoId.of("sharded-model"), Revision.MAIN, "unet",
                WeightsFormat.DEFAULT_PREFERENCE);
        assertEquals(List.of("unet/config.json", "unet/special_tokens_map.json", "unet/model.safetensors.index.json",
                "unet/model-00001-of-00002.safetensors", "unet/model-00002-of-00002.safetensors"), snapshot.files());
        assertEquals(cacheDir.resolve("models--sharded-model/snapshots/" + COMMIT_2 + "/unet"),
                snapshot.modelFolder());
        assertArrayEquals(shard2, Files.readAllBytes(snapshot.modelFolder()
                .resolve("model-00002-of-00002.safetensors")));
        assertEquals(ExportFiles.Sharding.INDEXED_SHARDS, snapshot.selection().sharding());
    }

    @Test
    void anIndexNamingAMissingShardIsAnError() throws IOException {
        String index = "{\"weight_map\": {\"a\": \"pytorch_model-00001-of-00002.bin\", "
                + "\"b\": \"pytorch_model-00002-of-00002.bin\"}}";
        Path folder = write(temp.resolve("broken/c"), Map.of(
                "config.json", CONFIG,
                "pytorch_model.bin.index.json", index.getBytes(StandardCharsets.UTF_8),
                "pytorch_model-00001-of-00002.bin", "x".getBytes(StandardCharsets.UTF_8)));
        hub.repo("broken-model").commit(COMMIT_1, folder);
        HubException e = assertThrows(HubException.class,
                () -> client(settings()).snapshotForExport(RepoId.of("broken-model"), Revision.MAIN));
        assertEquals(HubException.Kind.FILE_NOT_FOUND, e.kind());
        assertTrue(e.getMessage().contains("names the shard pytorch_model-00002-of-00002.bin"), e.getMessage());
    }

    @Test
    void progressIsReportedForDownloads() {
        List<String> events = new ArrayList<>();
        DownloadProgress recorder = new DownloadProgress() {
            @Override
            public void started(String file, long totalBytes, long resumedAt) {
                events.add("started " + file + " " + totalBytes + " " + resumedAt);
            }

            @Override
            public void advanced(long bytesOnDisk) {
                events.add("advanced " + bytesOnDisk);
            }

            @Override
            public void finished() {
                events.add("finished");
            }
        };
        HubClient client = new HubClient(settings(), FAST_RETRIES, recorder);
        clients.add(client);
        client.download(RepoId.of(REPO), Revision.MAIN, "model.safetensors");
        assertEquals("started model.safetensors 50000 0", events.get(0));
        assertEquals("advanced 50000", events.get(events.size() - 2));
        assertEquals("finished", events.get(events.size() - 1));
    }

    @Test
    void offlineAFileKnownNotToExistSaysSo() {
        RepoId repo = RepoId.of(REPO);
        HubClient online = client(settings());
        online.download(repo, Revision.MAIN, "config.json");
        assertThrows(HubException.class, () -> online.download(repo, Revision.MAIN, "added_tokens.json"));
        HubException e = assertThrows(HubException.class, () -> client(settings().withNetwork(NetworkMode.OFFLINE))
                .download(repo, Revision.MAIN, "added_tokens.json"));
        assertEquals(HubException.Kind.FILE_NOT_FOUND, e.kind());
        assertTrue(e.getMessage().startsWith("file added_tokens.json does not exist in repository test-org/tiny-bert "
                + "at revision main (commit " + COMMIT_1), e.getMessage());
    }

    @Test
    void aSubfolderFileDownloadsUnderTheSnapshot() throws IOException {
        Path file = client(settings()).download(RepoId.of(REPO), Revision.MAIN, "text_encoder", "config.json");
        assertEquals(cacheDir.resolve("models--test-org--tiny-bert/snapshots/" + COMMIT_1
                + "/text_encoder/config.json"), file);
        assertEquals("{\"model_type\": \"clip\"}", Files.readString(file));
    }

    @Test
    void concurrentDownloadsOfOneBlobTransferItOnce() throws Exception {
        hub.stall("model.safetensors", 1_000, 400);
        HubClient first = client(settings());
        HubClient second = client(settings());
        RepoId repo = RepoId.of(REPO);
        var pool = java.util.concurrent.Executors.newFixedThreadPool(2);
        try {
            var a = pool.submit(() -> first.download(repo, Revision.MAIN, "model.safetensors"));
            var b = pool.submit(() -> second.download(repo, Revision.MAIN, "model.safetensors"));
            assertEquals(a.get(), b.get());
            assertArrayEquals(weights, Files.readAllBytes(a.get()));
        } finally {
            pool.shutdownNow();
        }
        assertEquals(1, hub.requests("GET", "/blobs/" + FakeHub.sha256(weights)).size());
    }

    @Test
    void closeIsIdempotent() {
        HubClient client = new HubClient(settings(), FAST_RETRIES, DownloadProgress.quiet());
        client.close();
        client.close();
    }

    private void assertNoBlobOrPointer(String file) throws IOException {
        Path repoFolder = cacheDir.resolve("models--test-org--tiny-bert");
        if (Files.isDirectory(repoFolder.resolve("blobs"))) {
            try (Stream<Path> blobs = Files.list(repoFolder.resolve("blobs"))) {
                assertEquals(List.of(), blobs.toList(), "no blob and no .incomplete may remain");
            }
        }
        assertFalse(Files.exists(repoFolder.resolve("snapshots/" + COMMIT_1 + "/" + file),
                java.nio.file.LinkOption.NOFOLLOW_LINKS));
    }

    private HubSettings settings() {
        return new HubSettings(hub.endpoint(), cacheDir, Optional.empty(), NetworkMode.ONLINE,
                Duration.ofSeconds(5), Duration.ofSeconds(5));
    }

    private HubClient client(HubSettings settings) {
        return client(settings, FAST_RETRIES);
    }

    private HubClient client(HubSettings settings, RetryPolicy retry) {
        HubClient client = new HubClient(settings, retry, DownloadProgress.quiet());
        clients.add(client);
        return client;
    }

    private static Path write(Path folder, Map<String, byte[]> files) throws IOException {
        for (Map.Entry<String, byte[]> file : files.entrySet()) {
            Path path = folder.resolve(file.getKey());
            Files.createDirectories(path.getParent());
            Files.write(path, file.getValue());
        }
        return folder;
    }
}
