package org.exporters4j.tasks;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
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
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.exporters4j.hub.HubSettings;
import org.exporters4j.hub.NetworkMode;

/**
 * Test support: a fault-free, Hub-shaped HTTP server on 127.0.0.1 serving repositories from folders (one commit each):
 * the model info API ({@code /api/models/{id}[/revision/{rev}]} with sha, siblings, pipeline_tag, library_name,
 * transformersInfo, tags) and {@code HEAD}/{@code GET} on resolve URLs with the headers huggingface_hub reads
 * (X-Repo-Commit, ETag, Content-Length, X-Error-Code). Every request is logged.
 */
public final class LocalHub implements AutoCloseable {
    private static final Pattern API = Pattern.compile("/api/models/([^/]+(?:/[^/]+)?)(?:/revision/([^/]+))?");
    private static final Pattern RESOLVE = Pattern.compile("/([^/]+(?:/[^/]+)?)/resolve/([^/]+)/(.+)");

    /** One repository: its only commit, the folder holding its files, and what the Hub says about it. */
    public record Repo(String id, String commit, Path folder, Optional<String> pipelineTag,
                Optional<String> autoModel, Optional<String> transformersPipelineTag) {}

    /** A logged request. */
    public record Request(String method, String path) {}

    private final HttpServer server;
    private final ExecutorService executor = Executors.newCachedThreadPool(runnable -> {
        Thread thread = new Thread(runnable, "local-hub");
        thread.setDaemon(true);
        return thread;
    });
    private final Map<String, Repo> repos = new ConcurrentHashMap<>();
    private final List<Request> log = new CopyOnWriteArrayList<>();

    private LocalHub() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), 0);
        server.createContext("/", this::handle);
        server.setExecutor(executor);
        server.start();
    }

    public static LocalHub start() throws IOException {
        return new LocalHub();
    }

    /** Serves {@code folder} as repository {@code id} at {@code commit} (also its main branch). */
    public void add(Repo repo) {
        repos.put(repo.id(), repo);
    }

    /** Settings that reach this server and keep their cache in {@code cache}. */
    public HubSettings settings(Path cache) {
        return new HubSettings(URI.create("http://127.0.0.1:" + server.getAddress().getPort()), cache,
                Optional.empty(), NetworkMode.ONLINE, Duration.ofSeconds(5), Duration.ofSeconds(5));
    }

    public List<Request> requests() {
        return List.copyOf(log);
    }

    /** The files downloaded with GET, as repository paths. */
    public List<String> downloadedFiles() {
        return log.stream().filter(r -> r.method().equals("GET") && r.path().contains("/resolve/"))
                .map(r -> r.path().substring(r.path().indexOf("/resolve/") + "/resolve/".length()))
                .map(rest -> rest.substring(rest.indexOf('/') + 1))
                .sorted().toList();
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }

    private void handle(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getRawPath();
        log.add(new Request(exchange.getRequestMethod(), path));
        try (exchange) {
            Matcher api = API.matcher(path);
            if (api.matches()) {
                modelInfo(exchange, api.group(1), api.group(2));
                return;
            }
            Matcher resolve = RESOLVE.matcher(path);
            if (resolve.matches()) {
                resolve(exchange, resolve.group(1), decode(resolve.group(2)), decode(resolve.group(3)));
                return;
            }
            send(exchange, 404, new byte[0]);
        }
    }

    private void modelInfo(HttpExchange exchange, String id, String revision) throws IOException {
        Repo repo = repos.get(id);
        if (repo == null) {
            error(exchange, "RepoNotFound");
            return;
        }
        if (!knows(repo, revision == null ? "main" : decode(revision))) {
            error(exchange, "RevisionNotFound");
            return;
        }
        ObjectMapper json = new ObjectMapper();
        ObjectNode info = json.createObjectNode();
        info.put("id", repo.id()).put("modelId", repo.id()).put("sha", repo.commit()).put("library_name",
                "transformers");
        repo.pipelineTag().ifPresent(tag -> info.put("pipeline_tag", tag));
        info.putArray("tags").add("transformers");
        ArrayNode siblings = info.putArray("siblings");
        files(repo.folder()).keySet().forEach(name -> siblings.addObject().put("rfilename", name));
        if (repo.autoModel().isPresent() || repo.transformersPipelineTag().isPresent()) {
            ObjectNode transformers = info.putObject("transformersInfo");
            repo.autoModel().ifPresent(auto -> transformers.put("auto_model", auto));
            repo.transformersPipelineTag().ifPresent(tag -> transformers.put("pipeline_tag", tag));
            transformers.put("processor", "AutoTokenizer");
        }
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        send(exchange, 200, json.writeValueAsBytes(info));
    }

    private void resolve(HttpExchange exchange, String id, String revision, String file) throws IOException {
        Repo repo = repos.get(id);
        if (repo == null) {
            error(exchange, "RepoNotFound");
            return;
        }
        if (!knows(repo, revision)) {
            error(exchange, "RevisionNotFound");
            return;
        }
        byte[] content = files(repo.folder()).get(file);
        if (content == null) {
            exchange.getResponseHeaders().set("X-Repo-Commit", repo.commit());
            error(exchange, "EntryNotFound");
            return;
        }
        exchange.getResponseHeaders().set("X-Repo-Commit", repo.commit());
        exchange.getResponseHeaders().set("ETag", "\"" + gitBlobSha1(content) + "\"");
        if (exchange.getRequestMethod().equals("HEAD")) {
            exchange.getResponseHeaders().set("Content-Length", Integer.toString(content.length));
            exchange.sendResponseHeaders(200, -1);
            return;
        }
        send(exchange, 200, content);
    }

    private static boolean knows(Repo repo, String revision) {
        return revision.equals("main") || revision.equals(repo.commit());
    }

    /** The regular files under a folder, by '/'-separated path, sorted. */
    private static Map<String, byte[]> files(Path folder) {
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

    private static void error(HttpExchange exchange, String code) throws IOException {
        exchange.getResponseHeaders().set("X-Error-Code", code);
        send(exchange, 404, code.getBytes(StandardCharsets.UTF_8));
    }

    private static void send(HttpExchange exchange, int status, byte[] body) throws IOException {
        exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        if (body.length > 0) {
            exchange.getResponseBody().write(body);
        }
    }

    private static String decode(String raw) {
        return URLDecoder.decode(raw, StandardCharsets.UTF_8);
    }

    /** Git's object id of a blob, which the Hub sends as the ETag of files not stored in LFS. */
    private static String gitBlobSha1(byte[] content) {
        try {
            MessageDigest sha1 = MessageDigest.getInstance("SHA-1");
            sha1.update(("blob " + content.length + "\0").getBytes(StandardCharsets.US_ASCII));
            return HexFormat.of().formatHex(sha1.digest(content));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-1", e);
        }
    }
}
