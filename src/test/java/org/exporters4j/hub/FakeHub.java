package org.exporters4j.hub;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A Hub-shaped HTTP server on 127.0.0.1 for tests, serving repositories from folders the tests write: the model
 * info API, {@code HEAD}/{@code GET} on resolve URLs with the Hub's headers (X-Repo-Commit, ETag / X-Linked-Etag,
 * X-Linked-Size, X-Error-Code), LFS files redirected to a second server (the "CDN", another origin), byte ranges,
 * and injected faults: error statuses, connections dropped or stalled mid-file, wrong sizes, tampered content,
 * hostile redirects, resumes answered with the wrong range, a commit header that contradicts the model info.
 */
final class FakeHub implements AutoCloseable {
    /** Files with these suffixes are served as LFS files (sha256 etag, redirect to the CDN), like the Hub does. */
    private static final List<String> LFS_SUFFIXES = List.of(".safetensors", ".bin", ".h5", ".msgpack", ".onnx");

    /** One logged request. */
    record Request(String server, String method, String path, Optional<String> range,
                   Optional<String> authorization) {
    }

    private final HttpServer hub;
    private final HttpServer cdn;
    private final ExecutorService executor = Executors.newCachedThreadPool(runnable -> {
        Thread thread = new Thread(runnable, "fake-hub");
        thread.setDaemon(true);
        return thread;
    });
    private final Map<String, Repo> repos = new ConcurrentHashMap<>();
    private final Map<String, byte[]> cdnBlobs = new ConcurrentHashMap<>();
    private final List<Request> log = new CopyOnWriteArrayList<>();
    private final List<StatusFault> statusFaults = new CopyOnWriteArrayList<>();
    private final Map<String, Long> drops = new ConcurrentHashMap<>();
    private final Map<String, long[]> stalls = new ConcurrentHashMap<>();
    private final Map<String, Long> announcedSizes = new ConcurrentHashMap<>();
    private final Map<String, byte[]> tampered = new ConcurrentHashMap<>();
    private final Map<String, String> redirects = new ConcurrentHashMap<>();
    private final Map<String, Long> everyDrop = new ConcurrentHashMap<>();
    private final Map<String, Boolean> misplacedRanges = new ConcurrentHashMap<>();
    private volatile String commitHeader;

    private FakeHub() throws IOException {
        InetAddress loopback = InetAddress.getByName("127.0.0.1");
        hub = HttpServer.create(new InetSocketAddress(loopback, 0), 0);
        cdn = HttpServer.create(new InetSocketAddress(loopback, 0), 0);
        hub.createContext("/", exchange -> handle("hub", exchange));
        cdn.createContext("/", exchange -> handle("cdn", exchange));
        hub.setExecutor(executor);
        cdn.setExecutor(executor);
        hub.start();
        cdn.start();
    }

    static FakeHub start() throws IOException {
        return new FakeHub();
    }

    URI endpoint() {
        return URI.create("http://127.0.0.1:" + hub.getAddress().getPort());
    }

    /** Adds (or returns) a repository. */
    Repo repo(String id) {
        return repos.computeIfAbsent(id, Repo::new);
    }

    List<Request> requests() {
        return List.copyOf(log);
    }

    /** The logged requests whose path ends with {@code suffix}. */
    List<Request> requests(String method, String suffix) {
        return log.stream().filter(r -> r.method().equals(method) && r.path().endsWith(suffix)).toList();
    }

    void clearLog() {
        log.clear();
    }

    /** The next {@code times} requests whose path contains {@code pathPart} answer {@code status}. */
    void failRequests(String pathPart, int times, int status) {
        statusFaults.add(new StatusFault(pathPart, new AtomicInteger(times), status));
    }

    /** The next body served for {@code file} stops after {@code bytes} bytes and the connection is dropped. */
    void dropConnection(String file, long bytes) {
        drops.put(file, bytes);
    }

    /** The next body served for {@code file} pauses for {@code millis} after {@code bytes} bytes. */
    void stall(String file, long bytes, long millis) {
        stalls.put(file, new long[] {bytes, millis});
    }

    /** Announce this size (X-Linked-Size / Content-Length on HEAD) for {@code file} instead of the real one. */
    void announceSize(String file, long size) {
        announcedSizes.put(file, size);
    }

    /** Serve these bytes as the body of {@code file} while announcing the real file's etag and size. */
    void tamper(String file, byte[] content) {
        tampered.put(file, content);
    }

    /**
     * Every request (either server) whose path contains {@code pathPart} answers {@code 302 Location: location},
     * the location sent as given (relative, absolute, malformed: the test decides).
     */
    void redirect(String pathPart, String location) {
        redirects.put(pathPart, location);
    }

    /** Every body served for {@code file} stops after {@code bytes} bytes past its start and drops the connection. */
    void dropEveryConnection(String file, long bytes) {
        everyDrop.put(file, bytes);
    }

    /** A ranged request for {@code file} is answered 206 with the whole file, Content-Range from byte 0. */
    void misplaceRanges(String file) {
        misplacedRanges.put(file, true);
    }

    /** Resolve answers carry {@code X-Repo-Commit: commit} whatever commit they serve (the model info is honest). */
    void answerWithCommit(String commit) {
        commitHeader = commit;
    }

    /** The port of the CDN server, for tests that build CDN URLs. */
    URI cdnEndpoint() {
        return URI.create("http://127.0.0.1:" + cdn.getAddress().getPort());
    }

    @Override
    public void close() {
        hub.stop(0);
        cdn.stop(0);
        executor.shutdownNow();
    }

    /** A repository: commits (each a folder the test wrote), refs, model info fields, access rules. */
    final class Repo {
        final String id;
        final Map<String, Path> commits = new ConcurrentHashMap<>();
        final Map<String, String> refs = new ConcurrentHashMap<>();
        volatile String requiredToken;
        volatile String pipelineTag;
        volatile String autoModel;

        Repo(String id) {
            this.id = id;
        }

        /** Adds a commit whose files are those under {@code folder}; the first commit becomes main too. */
        Repo commit(String sha, Path folder) {
            commits.put(sha, folder);
            refs.putIfAbsent("main", sha);
            return this;
        }

        Repo ref(String name, String sha) {
            refs.put(name, sha);
            return this;
        }

        /** Gated: every request needs {@code Authorization: Bearer <token>}. */
        Repo gated(String token) {
            requiredToken = token;
            return this;
        }

        Repo tags(String pipeline, String auto) {
            pipelineTag = pipeline;
            autoModel = auto;
            return this;
        }
    }

    private record StatusFault(String pathPart, AtomicInteger remaining, int status) {
    }

    private static final Pattern API = Pattern.compile("/api/models/([^/]+(?:/[^/]+)?)(?:/revision/([^/]+))?");
    private static final Pattern RESOLVE = Pattern.compile("/([^/]+(?:/[^/]+)?)/resolve/([^/]+)/(.+)");

    private void handle(String server, HttpExchange exchange) throws IOException {
        String rawPath = exchange.getRequestURI().getRawPath();
        String method = exchange.getRequestMethod();
        Headers in = exchange.getRequestHeaders();
        log.add(new Request(server, method, rawPath, Optional.ofNullable(in.getFirst("Range")),
                Optional.ofNullable(in.getFirst("Authorization"))));
        try (exchange) {
            for (StatusFault fault : statusFaults) {
                if (rawPath.contains(fault.pathPart()) && fault.remaining().getAndDecrement() > 0) {
                    send(exchange, fault.status(), new byte[0]);
                    return;
                }
            }
            for (Map.Entry<String, String> redirect : redirects.entrySet()) {
                if (rawPath.contains(redirect.getKey())) {
                    exchange.getResponseHeaders().set("Location", redirect.getValue());
                    exchange.sendResponseHeaders(302, -1);
                    return;
                }
            }
            if (server.equals("cdn")) {
                serveCdn(exchange, rawPath);
                return;
            }
            Matcher api = API.matcher(rawPath);
            if (api.matches()) {
                serveModelInfo(exchange, api.group(1), api.group(2));
                return;
            }
            Matcher resolve = RESOLVE.matcher(rawPath);
            if (resolve.matches()) {
                serveResolve(exchange, resolve.group(1), decode(resolve.group(2)), decode(resolve.group(3)));
                return;
            }
            send(exchange, 404, new byte[0]);
        }
    }

    private void serveModelInfo(HttpExchange exchange, String repoId, String rawRevision) throws IOException {
        Repo repo = accessibleRepo(exchange, repoId);
        String commit = repo == null ? null : resolvedCommit(exchange, repo,
                rawRevision == null ? "main" : decode(rawRevision));
        if (commit == null) {
            return;
        }
        ObjectMapper json = new ObjectMapper();
        ObjectNode info = json.createObjectNode();
        info.put("id", repo.id).put("modelId", repo.id).put("sha", commit).put("library_name", "transformers");
        if (repo.pipelineTag != null) {
            info.put("pipeline_tag", repo.pipelineTag);
        }
        info.putArray("tags").add("transformers").add("pytorch");
        ArrayNode siblings = info.putArray("siblings");
        files(repo.commits.get(commit)).keySet().forEach(name -> siblings.addObject().put("rfilename", name));
        if (repo.autoModel != null) {
            info.putObject("transformersInfo").put("auto_model", repo.autoModel)
                    .put("pipeline_tag", repo.pipelineTag).put("processor", "AutoTokenizer");
        }
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        send(exchange, 200, json.writeValueAsBytes(info));
    }

    private void serveResolve(HttpExchange exchange, String repoId, String revision, String file) throws IOException {
        Repo repo = accessibleRepo(exchange, repoId);
        String commit = repo == null ? null : resolvedCommit(exchange, repo, revision);
        if (commit == null) {
            return;
        }
        byte[] content = files(repo.commits.get(commit)).get(file);
        if (content == null) {
            error(exchange, 404, "EntryNotFound", commit);
            return;
        }
        Headers out = exchange.getResponseHeaders();
        out.set("X-Repo-Commit", commitHeader != null ? commitHeader : commit);
        long size = announcedSizes.getOrDefault(file, (long) content.length);
        if (LFS_SUFFIXES.stream().anyMatch(file::endsWith)) {
            String sha256 = hex("SHA-256", new byte[0], content);
            cdnBlobs.put(sha256, content);
            out.set("X-Linked-Etag", "\"" + sha256 + "\"");
            out.set("X-Linked-Size", Long.toString(size));
            out.set("ETag", "\"pointer-etag\"");
            out.set("Location", "http://127.0.0.1:" + cdn.getAddress().getPort() + "/blobs/" + sha256 + "?file="
                    + file);
            exchange.sendResponseHeaders(302, -1);
            return;
        }
        out.set("ETag", "\"" + hex("SHA-1", ("blob " + content.length + "\0").getBytes(StandardCharsets.US_ASCII),
                content) + "\"");
        if (exchange.getRequestMethod().equals("HEAD")) {
            out.set("Content-Length", Long.toString(size));
            exchange.sendResponseHeaders(200, -1);
            return;
        }
        serveBody(exchange, file, content);
    }

    private void serveCdn(HttpExchange exchange, String rawPath) throws IOException {
        String sha = rawPath.substring(rawPath.lastIndexOf('/') + 1);
        byte[] content = cdnBlobs.get(sha);
        if (content == null) {
            send(exchange, 404, new byte[0]);
            return;
        }
        String query = exchange.getRequestURI().getQuery();
        serveBody(exchange, query.substring("file=".length()), content);
    }

    /** Serves content with Range support and the faults registered for {@code file}. */
    private void serveBody(HttpExchange exchange, String file, byte[] content) throws IOException {
        byte[] body = tampered.getOrDefault(file, content);
        int start = 0;
        String range = exchange.getRequestHeaders().getFirst("Range");
        if (range != null) {
            Matcher m = Pattern.compile("bytes=(\\d+)-").matcher(range);
            if (!m.matches()) {
                send(exchange, 400, new byte[0]);
                return;
            }
            start = Integer.parseInt(m.group(1));
            if (misplacedRanges.containsKey(file)) {
                start = 0;
            }
            if (start >= body.length) {
                exchange.getResponseHeaders().set("Content-Range", "bytes */" + body.length);
                send(exchange, 416, new byte[0]);
                return;
            }
            exchange.getResponseHeaders().set("Content-Range",
                    "bytes " + start + "-" + (body.length - 1) + "/" + body.length);
        }
        int length = body.length - start;
        exchange.sendResponseHeaders(range != null ? 206 : 200, length);
        OutputStream out = exchange.getResponseBody();
        Long drop = drops.remove(file);
        if (drop == null) {
            drop = everyDrop.get(file);
        }
        long[] stall = stalls.remove(file);
        long dropAt = drop != null ? drop : Long.MAX_VALUE;
        long stallAt = stall != null ? stall[0] : -1;
        int written = 0;
        while (written < length && written < dropAt) {
            long chunk = Math.min(8192, length - written);
            chunk = Math.min(chunk, dropAt - written);
            if (stallAt > written) {
                chunk = Math.min(chunk, stallAt - written);
            }
            out.write(body, start + written, (int) chunk);
            written += (int) chunk;
            if (written == stallAt) {
                out.flush();
                sleep(stall[1]);
            }
        }
        if (written < length) {
            out.flush();
            // closing a fixed-length body before its end makes the server drop the connection
            try {
                exchange.close();
            } catch (RuntimeException e) {
                // expected: the stream reports the missing bytes
            }
            return;
        }
        out.close();
    }

    /** The repository, or null after answering 404 RepoNotFound or 401 as the Hub does. */
    private Repo accessibleRepo(HttpExchange exchange, String repoId) throws IOException {
        Repo repo = repos.get(repoId);
        if (repo == null) {
            error(exchange, 404, "RepoNotFound", null);
            return null;
        }
        if (!authorized(exchange, repo)) {
            error(exchange, 401, null, null);
            return null;
        }
        return repo;
    }

    /** The commit a revision names, or null after answering 404 RevisionNotFound. */
    private String resolvedCommit(HttpExchange exchange, Repo repo, String revision) throws IOException {
        String commit = commitOf(repo, revision);
        if (commit == null) {
            error(exchange, 404, "RevisionNotFound", null);
        }
        return commit;
    }

    private boolean authorized(HttpExchange exchange, Repo repo) {
        return repo.requiredToken == null
                || ("Bearer " + repo.requiredToken).equals(exchange.getRequestHeaders().getFirst("Authorization"));
    }

    private static String commitOf(Repo repo, String revision) {
        if (repo.commits.containsKey(revision)) {
            return revision;
        }
        return repo.refs.get(revision);
    }

    /** The files of a commit folder, by '/'-separated path, sorted. */
    static Map<String, byte[]> files(Path folder) {
        Map<String, byte[]> files = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(folder)) {
            for (Path path : walk.filter(Files::isRegularFile).toList()) {
                files.put(folder.relativize(path).toString().replace('\\', '/'), Files.readAllBytes(path));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return files;
    }

    private static void error(HttpExchange exchange, int status, String code, String commit) throws IOException {
        if (code != null) {
            exchange.getResponseHeaders().set("X-Error-Code", code);
        }
        if (commit != null) {
            exchange.getResponseHeaders().set("X-Repo-Commit", commit);
        }
        send(exchange, status, new byte[0]);
    }

    private static void send(HttpExchange exchange, int status, byte[] body) throws IOException {
        if (exchange.getRequestMethod().equals("HEAD") || body.length == 0) {
            exchange.sendResponseHeaders(status, -1);
            return;
        }
        exchange.sendResponseHeaders(status, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    static String hex(String algorithm, byte[] prefix, byte[] content) {
        try {
            MessageDigest digest = MessageDigest.getInstance(algorithm);
            digest.update(prefix);
            return HexFormat.of().formatHex(digest.digest(content));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String decode(String raw) {
        return URLDecoder.decode(raw.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The git blob sha1 the Hub uses as the etag of a regular file. */
    static String gitSha1(byte[] content) {
        return hex("SHA-1", ("blob " + content.length + "\0").getBytes(StandardCharsets.US_ASCII), content);
    }

    static String sha256(byte[] content) {
        return hex("SHA-256", new byte[0], content);
    }

    static List<String> names(List<Request> requests) {
        List<String> names = new ArrayList<>();
        requests.forEach(r -> names.add(r.method() + " " + r.path()));
        return names;
    }
}
