package org.exporters4j.hub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hostile and broken Hub servers (issue 12: items 11, 12, 16, 17 and 18, the Hub's part): every one ends in a
 * one-line {@link HubException} naming the URL or file and the problem, bounded by the client's own limits (small
 * ones here, so nothing waits on wall-clock time), with nothing inconsistent left in the cache.
 */
class HostileHubTest {
    private static final String REPO = "test-org/tiny-bert";
    private static final String COMMIT_A = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    private static final String COMMIT_B = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";
    private static final byte[] CONFIG = "{\"model_type\": \"bert\"}".getBytes(StandardCharsets.UTF_8);
    /** Many attempts, so that the limit under test (not the retry count) is what ends the download. */
    private static final RetryPolicy PATIENT = new RetryPolicy(1_000, Duration.ZERO, Duration.ZERO);
    private static final RetryPolicy THREE = new RetryPolicy(3, Duration.ZERO, Duration.ZERO);

    @TempDir
    Path temp;

    private FakeHub hub;
    private Path cacheDir;
    private byte[] weights;
    private final List<AutoCloseable> closing = new ArrayList<>();

    @BeforeEach
    void startHub() throws IOException {
        hub = FakeHub.start();
        cacheDir = temp.resolve("cache");
        weights = new byte[50_000];
        new Random(11).nextBytes(weights);
        hub.repo(REPO).commit(COMMIT_A, write(temp.resolve("repo"), Map.of("config.json", CONFIG,
                "model.safetensors", weights)));
    }

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable resource : closing) {
            resource.close();
        }
        hub.close();
    }

    // item 12: the model info

    @Test
    void modelInfoHeadersThenSilenceEndsAtTheMetadataTimeout() throws IOException {
        ScriptedServer server = server((request, out) -> {
            ScriptedServer.write(out, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100\r\n"
                    + "\r\n{\"sha\": ");
            TimeUnit.SECONDS.sleep(60); // until the client hangs up
        });
        HubClient client = client(settings(server.endpoint()).withTimeouts(Duration.ofMillis(200),
                Duration.ofSeconds(5)), THREE);
        HubException e = assertThrows(HubException.class, () -> client.modelInfo(RepoId.of(REPO)));
        assertEquals(HubException.Kind.UNREACHABLE, e.kind());
        assertEquals("the server stopped sending the model info of repository test-org/tiny-bert at revision main "
                + "from " + server.endpoint() + "/api/models/test-org/tiny-bert: no data for 200 ms "
                + "(HF_HUB_ETAG_TIMEOUT); check the network and HF_ENDPOINT and try again, or raise "
                + "HF_HUB_ETAG_TIMEOUT (seconds) for a slow server", e.getMessage());
    }

    @Test
    void aModelInfoDrippedByteByByteEndsAtTheMetadataDeadline() throws IOException {
        ScriptedServer server = server((request, out) -> {
            ScriptedServer.write(out, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                    + "Transfer-Encoding: chunked\r\n\r\n");
            while (true) { // a byte every 20 ms: never silent for the timeout, never done
                ScriptedServer.write(out, "1\r\n \r\n");
                TimeUnit.MILLISECONDS.sleep(20);
            }
        });
        HubSettings settings = settings(server.endpoint()).withLimits(HubLimits.DEFAULT
                .withDeadlines(Duration.ofMillis(400), Duration.ofSeconds(5)));
        HubException e = assertThrows(HubException.class,
                () -> client(settings, THREE).modelInfo(RepoId.of(REPO)));
        assertEquals(HubException.Kind.UNREACHABLE, e.kind());
        assertEquals("gave up on the model info of repository test-org/tiny-bert at revision main from "
                + server.endpoint() + "/api/models/test-org/tiny-bert after 400 ms, the limit set by "
                + "EXPORTERS4J_HUB_METADATA_DEADLINE; the server is too slow or keeps failing: try again later, or "
                + "raise EXPORTERS4J_HUB_METADATA_DEADLINE (seconds)", e.getMessage());
    }

    @Test
    void aModelInfoLargerThanTheCapIsRefusedWhetherDeclaredOrNot() throws IOException {
        HubSettings small = settings(hub.endpoint()).withLimits(HubLimits.DEFAULT.withMetadataMaxBytes(100));
        HubException declared = assertThrows(HubException.class,
                () -> client(small, THREE).modelInfo(RepoId.of(REPO)));
        assertEquals(HubException.Kind.INVALID_RESPONSE, declared.kind());
        assertTrue(declared.getMessage().startsWith("the model info of repository test-org/tiny-bert at revision "
                + "main from " + hub.endpoint() + "/api/models/test-org/tiny-bert announces "), declared.getMessage());
        assertTrue(declared.getMessage().contains(" bytes, more than the limit of 100 bytes on metadata "
                + "(EXPORTERS4J_HUB_METADATA_MAX_BYTES)"), declared.getMessage());

        // no Content-Length, an endless chunked body: reading stops at the cap, not at the end of memory
        ScriptedServer endless = server((request, out) -> {
            ScriptedServer.write(out, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n");
            String chunk = "x".repeat(4096);
            while (true) {
                ScriptedServer.write(out, Integer.toHexString(chunk.length()) + "\r\n" + chunk + "\r\n");
            }
        });
        HubSettings capped = settings(endless.endpoint()).withLimits(HubLimits.DEFAULT
                .withMetadataMaxBytes(1 << 20));
        HubException streamed = assertThrows(HubException.class,
                () -> client(capped, THREE).modelInfo(RepoId.of(REPO)));
        assertEquals(HubException.Kind.INVALID_RESPONSE, streamed.kind());
        assertTrue(streamed.getMessage().contains("/api/models/test-org/tiny-bert is longer than the limit of "
                + (1 << 20) + " bytes on metadata (EXPORTERS4J_HUB_METADATA_MAX_BYTES)"), streamed.getMessage());
    }

    @Test
    void modelInfoFollowsARenameButOnlyToHttp() {
        HubClient client = client(settings(hub.endpoint()), THREE);
        hub.redirect("/api/models/old-org/tiny-bert", "/api/models/test-org/tiny-bert");
        assertEquals(COMMIT_A, client.modelInfo(RepoId.of("old-org/tiny-bert")).sha());
        hub.redirect("/api/models/old-org/tiny-bert", "ftp://mirror.example/api");
        HubException e = assertThrows(HubException.class, () -> client.modelInfo(RepoId.of("old-org/tiny-bert")));
        assertEquals(HubException.Kind.INVALID_RESPONSE, e.kind());
        assertTrue(e.getMessage().startsWith(hub.endpoint() + "/api/models/old-org/tiny-bert redirected (HTTP 302) "
                + "to 'ftp://mirror.example/api', which is not an http(s) URL"), e.getMessage());
    }

    // item 12: downloads bounded in connections, time and ranges

    @Test
    void oneNewBytePerConnectionEndsAtTheConnectionCap() throws IOException {
        hub.dropEveryConnection("model.safetensors", 1);
        HubSettings settings = settings(hub.endpoint()).withLimits(HubLimits.DEFAULT.withFileMaxConnections(6));
        HubException e = assertThrows(HubException.class,
                () -> client(settings, PATIENT).download(RepoId.of(REPO), Revision.MAIN, "model.safetensors"));
        assertEquals(HubException.Kind.UNREACHABLE, e.kind());
        assertTrue(e.getMessage().startsWith("gave up on file model.safetensors of repository test-org/tiny-bert at "
                + "revision main after 6 requests with "), e.getMessage());
        assertTrue(e.getMessage().contains(" of 50000 bytes received, the limit set by "
                + "EXPORTERS4J_HUB_FILE_MAX_CONNECTIONS"), e.getMessage());
        assertEquals(6, hub.requests("GET", "/blobs/" + FakeHub.sha256(weights)).size());
        assertNoBlob();
    }

    @Test
    void aDownloadThatStallsPastTheFileDeadlineEnds() throws IOException {
        hub.stall("model.safetensors", 10_000, 30_000);
        HubSettings settings = settings(hub.endpoint()).withTimeouts(Duration.ofSeconds(5), Duration.ofSeconds(20))
                .withLimits(HubLimits.DEFAULT.withDeadlines(Duration.ofSeconds(5), Duration.ofMillis(300)));
        HubException e = assertThrows(HubException.class,
                () -> client(settings, PATIENT).download(RepoId.of(REPO), Revision.MAIN, "model.safetensors"));
        assertEquals(HubException.Kind.UNREACHABLE, e.kind());
        assertTrue(e.getMessage().startsWith("gave up on file model.safetensors of repository test-org/tiny-bert at "
                + "revision main with "), e.getMessage());
        assertTrue(e.getMessage().endsWith(" of 50000 bytes received after 300 ms, the limit set by "
                + "EXPORTERS4J_HUB_FILE_DEADLINE; the server is too slow or keeps failing: try again later, or raise "
                + "EXPORTERS4J_HUB_FILE_DEADLINE (seconds)"), e.getMessage());
        assertEquals(1, hub.requests("GET", "/blobs/" + FakeHub.sha256(weights)).size(), "no retry past it");
    }

    @Test
    void aResumeAnsweredWithAnotherRangeIsAFailedAttemptNotProgress() throws IOException {
        hub.dropConnection("model.safetensors", 20_000);
        hub.misplaceRanges("model.safetensors");
        HubException e = assertThrows(HubException.class,
                () -> client(settings(hub.endpoint()), THREE).download(RepoId.of(REPO), Revision.MAIN,
                        "model.safetensors"));
        assertEquals(HubException.Kind.UNREACHABLE, e.kind());
        List<FakeHub.Request> gets = hub.requests("GET", "/blobs/" + FakeHub.sha256(weights));
        assertEquals(3, gets.size(), "the drop, then two resumes answered from byte 0");
        String range = gets.get(1).range().orElseThrow();
        long resumedAt = Long.parseLong(range.substring("bytes=".length(), range.length() - 1));
        assertTrue(e.getMessage().contains("after 3 attempts (last: HTTP 206 with Content-Range 'bytes "
                + "0-49999/50000' for the range bytes=" + resumedAt + "-49999 of 50000 bytes asked for)"),
                e.getMessage());
        // the good prefix is kept for the next run
        Path incomplete = blobs().resolve(FakeHub.sha256(weights) + ".incomplete");
        assertEquals(resumedAt, Files.size(incomplete));
    }

    // item 16: redirects to other schemes, malformed URLs, malformed Content-Length

    @Test
    void redirectsToOtherSchemesOrMalformedUrlsAreRefused() {
        HubClient client = client(settings(hub.endpoint()), THREE);
        String resolve = hub.endpoint() + "/test-org/tiny-bert/resolve/main/config.json";
        hub.redirect("/resolve/main/config.json", "file:///etc/passwd");
        HubException file = assertThrows(HubException.class,
                () -> client.download(RepoId.of(REPO), Revision.MAIN, "config.json"));
        assertEquals(HubException.Kind.INVALID_RESPONSE, file.kind());
        assertEquals(resolve + " redirected (HTTP 302) to 'file:/etc/passwd', which is not an http(s) URL with a "
                + "host, for file config.json of repository test-org/tiny-bert at revision main; redirects are "
                + "followed only to http and https: the server is broken or hostile, check HF_ENDPOINT",
                file.getMessage());

        hub.redirect("/resolve/main/config.json", "ftp://mirror.example/config.json");
        HubException ftp = assertThrows(HubException.class,
                () -> client.download(RepoId.of(REPO), Revision.MAIN, "config.json"));
        assertTrue(ftp.getMessage().startsWith(resolve + " redirected (HTTP 302) to "
                + "'ftp://mirror.example/config.json', which is not an http(s) URL"), ftp.getMessage());

        hub.redirect("/resolve/main/config.json", "http://exa mple/%zz");
        HubException malformed = assertThrows(HubException.class,
                () -> client.download(RepoId.of(REPO), Revision.MAIN, "config.json"));
        assertEquals(HubException.Kind.INVALID_RESPONSE, malformed.kind());
        assertTrue(malformed.getMessage().startsWith(resolve + " redirected (HTTP 302) to a malformed URL "
                + "'http://exa mple/%zz' (Illegal character in authority) for file config.json"),
                malformed.getMessage());

        // the CDN's GET too
        hub.redirect("/resolve/main/config.json", "/unused"); // replaced below: only the CDN misbehaves
        hub.redirect("/resolve/main/config.json", "/test-org/tiny-bert/resolve/" + COMMIT_A + "/config.json");
        hub.redirect("/blobs/", "ftp://mirror.example/blob");
        HubException cdn = assertThrows(HubException.class,
                () -> client.download(RepoId.of(REPO), Revision.MAIN, "model.safetensors"));
        assertTrue(cdn.getMessage().contains(" redirected (HTTP 302) to 'ftp://mirror.example/blob', which is not "
                + "an http(s) URL with a host, for file model.safetensors"), cdn.getMessage());
        assertNoBlob();
    }

    @Test
    void aMalformedContentLengthIsAOneLineErrorNamingTheUrl() throws IOException {
        ScriptedServer server = server((request, out) -> ScriptedServer.write(out, "HTTP/1.1 200 OK\r\n"
                + "X-Repo-Commit: " + COMMIT_A + "\r\nETag: \"abc\"\r\nContent-Length: 12abc\r\n"
                + "Connection: close\r\n\r\n"));
        HubClient client = client(settings(server.endpoint()), THREE);
        HubException head = assertThrows(HubException.class,
                () -> client.download(RepoId.of(REPO), Revision.MAIN, "config.json"));
        assertEquals(HubException.Kind.INVALID_RESPONSE, head.kind());
        assertEquals("the server at " + server.endpoint() + "/test-org/tiny-bert/resolve/main/config.json sent a "
                + "malformed Content-Length header (For input string: \"12abc\") for file config.json of repository "
                + "test-org/tiny-bert at revision main; it is broken or not a Hugging Face Hub: check HF_ENDPOINT "
                + "and proxy settings", head.getMessage());
        assertEquals(1, server.requestLines().size(), "not retried");

        HubException info = assertThrows(HubException.class, () -> client.modelInfo(RepoId.of(REPO)));
        assertTrue(info.getMessage().startsWith("the server at " + server.endpoint()
                + "/api/models/test-org/tiny-bert sent a malformed Content-Length header"), info.getMessage());

        // a negative size, which the HTTP client lets through, is refused too
        ScriptedServer negative = server((request, out) -> ScriptedServer.write(out, "HTTP/1.1 200 OK\r\n"
                + "X-Repo-Commit: " + COMMIT_A + "\r\nETag: \"abc\"\r\nContent-Length: -5\r\n"
                + "Connection: close\r\n\r\n"));
        HubException size = assertThrows(HubException.class, () -> client(settings(negative.endpoint()), THREE)
                .download(RepoId.of(REPO), Revision.MAIN, "config.json"));
        assertEquals("the answer from " + negative.endpoint() + "/test-org/tiny-bert/resolve/main/config.json for "
                + "file config.json of repository test-org/tiny-bert at revision main has a malformed "
                + "Content-Length '-5' (not a byte count); the server is broken or not a Hugging Face Hub: check "
                + "HF_ENDPOINT and proxy settings", size.getMessage());
    }

    // item 17: a redirect loop, and a commit that contradicts the model info

    @Test
    void aRedirectLoopSaysSoWithTheCount() {
        HubClient client = client(settings(hub.endpoint()), THREE);
        hub.redirect("/resolve/main/config.json", "/test-org/tiny-bert/resolve/main/config.json");
        HubException head = assertThrows(HubException.class,
                () -> client.download(RepoId.of(REPO), Revision.MAIN, "config.json"));
        assertEquals(HubException.Kind.INVALID_RESPONSE, head.kind());
        String resolve = hub.endpoint() + "/test-org/tiny-bert/resolve/main/config.json";
        assertEquals("redirect loop: " + resolve + " was redirected 11 times (the limit is 10), the last time to "
                + resolve + ", for file config.json of repository test-org/tiny-bert at revision main; the server is "
                + "misconfigured: check HF_ENDPOINT and proxy settings", head.getMessage());
        assertEquals(11, hub.requests("HEAD", "/resolve/main/config.json").size());

        // the CDN bouncing the download between two of its URLs
        hub.redirect("/blobs/", hub.cdnEndpoint() + "/blobs/elsewhere");
        HubException get = assertThrows(HubException.class,
                () -> client.download(RepoId.of(REPO), Revision.MAIN, "model.safetensors"));
        assertTrue(get.getMessage().startsWith("redirect loop: " + hub.cdnEndpoint() + "/blobs/"
                + FakeHub.sha256(weights) + "?*** was redirected 11 times (the limit is 10)"), get.getMessage());
        assertFalse(get.getMessage().contains("corrupt"), get.getMessage());
    }

    @Test
    void aCommitThatContradictsTheModelInfoIsReportedAndNeverCached() {
        hub.answerWithCommit(COMMIT_B);
        HubClient client = client(settings(hub.endpoint()), THREE);
        HubException e = assertThrows(HubException.class,
                () -> client.snapshotForExport(RepoId.of(REPO), Revision.MAIN));
        assertEquals(HubException.Kind.INVALID_RESPONSE, e.kind());
        assertEquals("the Hub contradicts itself about file config.json of repository test-org/tiny-bert at "
                + "revision " + COMMIT_A + ": it was asked for commit " + COMMIT_A + " (the sha of the model info) "
                + "but answered with the file of commit " + COMMIT_B + " (X-Repo-Commit); nothing was cached. The "
                + "server at " + hub.endpoint() + " is inconsistent (a mirror being updated, or a broken proxy): "
                + "try again later, and check HF_ENDPOINT if it persists", e.getMessage());
        Path repoFolder = cacheDir.resolve("models--test-org--tiny-bert");
        assertFalse(Files.exists(repoFolder.resolve("refs").resolve(COMMIT_A)), "no refs/<sha A>");
        assertFalse(Files.exists(repoFolder.resolve("snapshots").resolve(COMMIT_B)));
    }

    @Test
    void theCacheNeverRecordsACommitAsAnotherCommit() {
        HubCache cache = new HubCache(cacheDir);
        HubException e = assertThrows(HubException.class,
                () -> cache.writeRef(RepoId.of(REPO), Revision.of(COMMIT_A), COMMIT_B));
        assertEquals(HubException.Kind.INVALID_RESPONSE, e.kind());
        assertFalse(Files.exists(cacheDir.resolve("models--test-org--tiny-bert/refs/" + COMMIT_A)));
        cache.writeRef(RepoId.of(REPO), Revision.of(COMMIT_A), COMMIT_A); // a commit names itself: nothing to write
        assertFalse(Files.exists(cacheDir.resolve("models--test-org--tiny-bert/refs")));
    }

    // item 11: an index naming an index is refused before anything else is downloaded

    @Test
    void anIndexNamingItselfOrAnotherIndexIsRefusedBeforeDownloading() throws IOException {
        for (String shard : List.of("model.safetensors.index.json", "pytorch_model.bin.index.json")) {
            String id = "loop/" + shard.replace('.', '-');
            String index = "{\"weight_map\": {\"a\": \"model-00001-of-00001.safetensors\", \"b\": \"" + shard
                    + "\"}}";
            hub.repo(id).commit(COMMIT_B, write(temp.resolve(id), Map.of("config.json", CONFIG,
                    "model.safetensors.index.json", index.getBytes(StandardCharsets.UTF_8),
                    "model-00001-of-00001.safetensors", weights,
                    "pytorch_model.bin.index.json", index.getBytes(StandardCharsets.UTF_8))));
            hub.clearLog();
            HubException e = assertThrows(HubException.class,
                    () -> client(settings(hub.endpoint()), THREE).snapshotForExport(RepoId.of(id), Revision.MAIN));
            assertEquals(HubException.Kind.INVALID_RESPONSE, e.kind());
            String named = shard.equals("model.safetensors.index.json") ? "itself"
                    : "another index, 'pytorch_model.bin.index.json',";
            assertTrue(e.getMessage().contains("is not usable: it names " + named + " as a shard; an index must name "
                    + "weights files"), e.getMessage());
            assertEquals(List.of(), hub.requests("GET", ".safetensors"), "no shard was downloaded");
            assertEquals(List.of(), hub.requests("HEAD", "pytorch_model.bin.index.json"));
        }
    }

    // item 18: credentials in HF_ENDPOINT and tokens never reach a message

    @Test
    void endpointCredentialsAndTokensAreRedactedFromEveryMessage() {
        URI withCredentials = URI.create("http://someone:s3cret-pass@127.0.0.1:" + hub.endpoint().getPort());
        hub.repo(REPO).gated("hf_AbCdEfGhIjKlMnOp");
        HubSettings settings = settings(withCredentials).withToken("hf_WrongWrongWrong1");
        HubClient client = client(settings, THREE);
        List<HubException> errors = new ArrayList<>();
        errors.add(assertThrows(HubException.class, () -> client.modelInfo(RepoId.of(REPO))));
        errors.add(assertThrows(HubException.class, () -> client.download(RepoId.of("no/such"), Revision.MAIN,
                "config.json")));
        hub.redirect("/resolve/main/config.json", "ftp://user:hf_AbCdEfGhIjKlMnOp@mirror.example/x?sig=abc");
        errors.add(assertThrows(HubException.class, () -> client.download(RepoId.of(REPO), Revision.MAIN,
                "config.json")));
        hub.close();
        errors.add(assertThrows(HubException.class, () -> client.download(RepoId.of(REPO), Revision.MAIN,
                "vocab.txt")));
        for (HubException e : errors) {
            String message = e.getMessage();
            assertFalse(message.contains("s3cret") || message.contains("someone"), message);
            assertFalse(message.contains("hf_AbCdEfGhIjKlMnOp") || message.contains("hf_WrongWrongWrong1"), message);
            assertFalse(message.contains("sig=abc"), message);
            assertFalse(message.contains("\n"), message);
        }
        assertTrue(errors.get(1).getMessage().contains("was not found on http://***@127.0.0.1:"
                + hub.endpoint().getPort()), errors.get(1).getMessage());
        assertTrue(errors.get(2).getMessage().contains("'ftp://***@mirror.example/x?***'"),
                errors.get(2).getMessage());
        assertEquals("HubSettings[endpoint=http://***@127.0.0.1:" + hub.endpoint().getPort() + ", cacheDir="
                + cacheDir + ", token=(set), network=ONLINE]", settings.toString());
    }

    @Test
    void redactionHidesUserInfoQueriesAndTokenShapedWords() {
        assertEquals("https://***@hub.example:8443/api?***", Redaction.url(URI.create(
                "https://u:p@hub.example:8443/api?token=abc#frag")));
        assertEquals("https://hub.example/x", Redaction.url(URI.create("https://hub.example/x")));
        assertEquals("from http://***@h/x and https://***@g, token hf_***, key api_org_***",
                Redaction.text("from http://a:b@h/x and https://c@g, token hf_0123456789abcdefXYZ, key "
                        + "api_org_ABCDEFGHIJKL"));
        assertEquals("the Hub says: bad *** here", Redaction.text("the Hub says: bad custom-token here",
                "custom-token"));
    }

    private HubSettings settings(URI endpoint) {
        return new HubSettings(endpoint, cacheDir, Optional.empty(), NetworkMode.ONLINE, Duration.ofSeconds(5),
                Duration.ofSeconds(5));
    }

    private HubClient client(HubSettings settings, RetryPolicy retry) {
        HubClient client = new HubClient(settings, retry, DownloadProgress.quiet());
        closing.add(client);
        return client;
    }

    private ScriptedServer server(ScriptedServer.Script script) throws IOException {
        ScriptedServer server = new ScriptedServer(script);
        closing.add(server);
        return server;
    }

    private Path blobs() {
        return cacheDir.resolve("models--test-org--tiny-bert/blobs");
    }

    private void assertNoBlob() {
        assertFalse(Files.exists(blobs().resolve(FakeHub.sha256(weights)), LinkOption.NOFOLLOW_LINKS));
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
