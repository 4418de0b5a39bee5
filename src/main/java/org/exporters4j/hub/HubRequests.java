package org.exporters4j.hub;

import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * The HTTP side of the Hub client: URLs as huggingface_hub builds them, headers (token, identity encoding), retries
 * with exponential backoff on transient failures, and the translation of error answers into {@link HubException}s
 * that say what to do. Owns the {@link HttpClient} and its threads.
 */
final class HubRequests implements AutoCloseable {
    private static final String USER_AGENT = "exporters4j/0.1; java/" + Runtime.version().feature();

    private final HubSettings settings;
    private final RetryPolicy retry;
    private final ExecutorService executor;
    private final HttpClient http;

    HubRequests(HubSettings settings, RetryPolicy retry) {
        this.settings = settings;
        this.retry = retry;
        this.executor = Executors.newCachedThreadPool(runnable -> {
            Thread thread = new Thread(runnable, "exporters4j-hub-http");
            thread.setDaemon(true);
            return thread;
        });
        this.http = HttpClient.newBuilder()
                .executor(executor)
                .connectTimeout(settings.metadataTimeout())
                .followRedirects(HttpClient.Redirect.NEVER) // redirects are followed by hand, see HubClient
                .build();
    }

    HubSettings settings() {
        return settings;
    }

    RetryPolicy retry() {
        return retry;
    }

    /** {@code {endpoint}/api/models/{repo_id}}, as huggingface_hub's {@code HfApi.model_info} without a revision. */
    URI modelInfoUrl(RepoId repo) {
        return URI.create(settings.endpoint() + "/api/models/" + repo.value());
    }

    /** {@code {endpoint}/api/models/{repo_id}/revision/{revision}}, the revision quoted with no safe characters. */
    URI modelInfoUrl(RepoId repo, Revision revision) {
        return URI.create(modelInfoUrl(repo) + "/revision/" + encodeSegment(revision.value()));
    }

    /** {@code {endpoint}/{repo_id}/resolve/{revision}/{filename}}, as huggingface_hub's {@code hf_hub_url}. */
    URI resolveUrl(RepoId repo, Revision revision, RepoFilePath file) {
        StringBuilder path = new StringBuilder();
        for (String segment : file.segments()) {
            path.append(path.length() == 0 ? "" : "/").append(encodeSegment(segment));
        }
        return URI.create(settings.endpoint() + "/" + repo.value() + "/resolve/" + encodeSegment(revision.value())
                + "/" + path);
    }

    /**
     * A request builder with the Hub's headers. The token goes only to the Hub's own host: a redirect to a CDN
     * carries a signed URL and must not see it (as huggingface_hub drops {@code authorization} then).
     */
    HttpRequest.Builder request(URI url, Duration timeout) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(url)
                .timeout(timeout)
                .header("User-Agent", USER_AGENT)
                .header("Accept-Encoding", "identity"); // sizes must be the real file sizes
        if (settings.token().isPresent() && sameOrigin(url, settings.endpoint())) {
            builder.header("Authorization", "Bearer " + settings.token().get());
        }
        return builder;
    }

    /**
     * Sends a request, retrying connection failures, timeouts, 5xx and 429 answers with backoff; any other answer
     * (success, redirect or client error) is returned for the caller to read.
     */
    <T> HttpResponse<T> send(HttpRequest request, HttpResponse.BodyHandler<T> handler, RequestTarget target) {
        String lastFailure = "";
        for (int attempt = 1; ; attempt++) {
            try {
                HttpResponse<T> response = http.send(request, handler);
                if (!isTransient(response.statusCode())) {
                    return response;
                }
                discard(response);
                lastFailure = "HTTP " + response.statusCode() + hubMessage(response.headers());
            } catch (IOException e) {
                lastFailure = describe(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new HubException(HubException.Kind.UNREACHABLE, "interrupted while fetching "
                        + target.describe(), e);
            }
            if (attempt >= retry.maxAttempts()) {
                throw unreachable(target, attempt, lastFailure, null);
            }
            pause(retry.delayBefore(attempt + 1), target);
        }
    }

    /** Sends a request once, without retries (downloads retry around the whole transfer, resuming). */
    <T> HttpResponse<T> sendOnce(HttpRequest request, HttpResponse.BodyHandler<T> handler) throws IOException {
        try {
            return http.send(request, handler);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted");
        }
    }

    /** Waits before a retry; an interrupt ends the wait with an error. */
    void pause(Duration delay, RequestTarget target) {
        if (delay.isZero()) {
            return;
        }
        try {
            TimeUnit.NANOSECONDS.sleep(delay.toNanos());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new HubException(HubException.Kind.UNREACHABLE, "interrupted while waiting to retry "
                    + target.describe(), e);
        }
    }

    HubException unreachable(RequestTarget target, int attempts, String lastFailure, Throwable cause) {
        return new HubException(HubException.Kind.UNREACHABLE, "could not get " + target.describe() + " from "
                + settings.endpoint() + " after " + attempts + (attempts == 1 ? " attempt" : " attempts")
                + " (last: " + lastFailure + ") and it is not in the cache at " + settings.cacheDir()
                + "; check the network and run again (a partial download resumes), or set HF_HUB_OFFLINE=1 to use "
                + "only the cache", cause);
    }

    /**
     * The error for a non-success answer, classified like huggingface_hub's {@code hf_raise_for_status}: the
     * {@code X-Error-Code} header first (RepoNotFound, RevisionNotFound, EntryNotFound, GatedRepo), then the status.
     */
    HubException failure(int status, HttpHeaders headers, URI url, RequestTarget target) {
        String code = headers.firstValue("X-Error-Code").orElse("");
        String hub = hubMessage(headers);
        String repo = "repository " + target.repo();
        String tokenAdvice = settings.token().isPresent()
                ? "the token in use (HF_TOKEN or the saved token) was refused: check it is valid and has read access"
                : "set HF_TOKEN to an access token with read access (https://huggingface.co/settings/tokens)";
        switch (code) {
            case "RepoNotFound":
                return new HubException(HubException.Kind.REPOSITORY_NOT_FOUND, repo + " was not found on "
                        + settings.endpoint() + " (HTTP " + status + hub + "): check the model id; if the repository "
                        + "is private or gated, " + tokenAdvice);
            case "RevisionNotFound":
                return new HubException(HubException.Kind.REVISION_NOT_FOUND, "revision " + target.revision()
                        + " was not found in " + repo + " (HTTP " + status + hub + "): use an existing branch, tag or "
                        + "commit sha (the default is main)");
            case "EntryNotFound":
                return new HubException(HubException.Kind.FILE_NOT_FOUND, notFoundFile(target) + " (HTTP " + status
                        + hub + "): the repository and revision exist but not this file; check the file name and "
                        + "subfolder");
            case "GatedRepo":
                return new HubException(HubException.Kind.ACCESS_DENIED, repo + " is gated (HTTP " + status + hub
                        + "): accept its conditions at " + settings.endpoint() + "/" + target.repo() + ", then "
                        + tokenAdvice);
            default:
                break;
        }
        if (status == 401 || status == 403) {
            return new HubException(HubException.Kind.ACCESS_DENIED, "access to " + repo + " was refused (HTTP "
                    + status + hub + "): it is private or gated, or does not exist; check the model id, and "
                    + tokenAdvice);
        }
        if (status == 404) {
            return target.file().isPresent()
                    ? new HubException(HubException.Kind.FILE_NOT_FOUND, notFoundFile(target) + " (HTTP 404" + hub
                            + "; the server did not say whether the repository, the revision or the file is "
                            + "missing): check all three")
                    : new HubException(HubException.Kind.REPOSITORY_NOT_FOUND, repo + " at revision "
                            + target.revision() + " was not found on " + settings.endpoint() + " (HTTP 404" + hub
                            + "): check the model id and revision");
        }
        return new HubException(HubException.Kind.INVALID_RESPONSE, "unexpected answer HTTP " + status + hub
                + " from " + url + " for " + target.describe() + "; check HF_ENDPOINT and try again later");
    }

    static boolean isTransient(int status) {
        return status >= 500 || status == 429;
    }

    static boolean isRedirect(int status) {
        return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
    }

    static boolean sameOrigin(URI a, URI b) {
        return a.getScheme() != null && a.getScheme().equalsIgnoreCase(b.getScheme())
                && a.getHost() != null && a.getHost().equalsIgnoreCase(b.getHost())
                && port(a) == port(b);
    }

    /** A short description of a transport failure for messages. */
    static String describe(IOException e) {
        if (e instanceof HttpTimeoutException) {
            return "timed out";
        }
        if (e instanceof ConnectException) {
            return "connection refused";
        }
        String message = e.getMessage();
        return e.getClass().getSimpleName() + (message == null || message.isBlank() ? "" : ": " + message);
    }

    /** Percent-encodes one path segment, leaving only RFC 3986 unreserved characters (Python's quote(safe="")). */
    static String encodeSegment(String value) {
        StringBuilder out = new StringBuilder();
        for (byte b : value.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '-' || c == '.' || c == '_' || c == '~') {
                out.append((char) c);
            } else {
                out.append('%').append(String.format(Locale.ROOT, "%02X", c));
            }
        }
        return out.toString();
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }

    private String notFoundFile(RequestTarget target) {
        return "file " + target.file().orElse("?") + " was not found in repository " + target.repo()
                + " at revision " + target.revision();
    }

    private static String hubMessage(HttpHeaders headers) {
        Optional<String> message = headers.firstValue("X-Error-Message");
        return message.map(text -> ", the Hub says: " + text.replaceAll("\\s+", " ").strip()).orElse("");
    }

    private static void discard(HttpResponse<?> response) {
        if (response.body() instanceof InputStream stream) {
            try {
                stream.close();
            } catch (IOException e) {
                // the connection is being dropped anyway
            }
        }
    }

    private static int port(URI uri) {
        if (uri.getPort() >= 0) {
            return uri.getPort();
        }
        return "https".equalsIgnoreCase(uri.getScheme()) ? 443 : 80;
    }
}
