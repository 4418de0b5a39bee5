package org.exporters4j.hub;

import java.io.ByteArrayOutputStream;
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
import java.util.OptionalLong;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
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
    private final ScheduledExecutorService watchdog;
    private final HttpClient http;

    HubRequests(HubSettings settings, RetryPolicy retry) {
        this.settings = settings;
        this.retry = retry;
        this.executor = Executors.newCachedThreadPool(runnable -> {
            Thread thread = new Thread(runnable, "exporters4j-hub-http");
            thread.setDaemon(true);
            return thread;
        });
        this.watchdog = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "exporters4j-hub-watchdog");
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

    HubLimits limits() {
        return settings.limits();
    }

    /** The thread that cuts stalled bodies ({@link BodyWatch}). */
    ScheduledExecutorService watchdog() {
        return watchdog;
    }

    /** A deadline for one metadata request (model info, or the {@code HEAD} of a file with its redirects). */
    Deadline metadataDeadline() {
        return Deadline.after(settings.limits().metadataDeadline(), HubLimits.METADATA_DEADLINE_ENV);
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
    HttpRequest.Builder request(URI url) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(url)
                .header("User-Agent", USER_AGENT)
                .header("Accept-Encoding", "identity"); // sizes must be the real file sizes
        if (settings.token().isPresent() && sameOrigin(url, settings.endpoint())) {
            builder.header("Authorization", "Bearer " + settings.token().get());
        }
        return builder;
    }

    /**
     * Sends a request, retrying connection failures, timeouts, 5xx and 429 answers with backoff, all within
     * {@code deadline}; any other answer (success, redirect or client error) is returned for the caller to read.
     *
     * @param timeout how long to wait for the answer's headers (shortened to what is left of the deadline)
     */
    <T> HttpResponse<T> send(HttpRequest.Builder request, Duration timeout, Deadline deadline,
                             HttpResponse.BodyHandler<T> handler, RequestTarget target) {
        String lastFailure = "";
        for (int attempt = 1; ; attempt++) {
            if (deadline.passed()) {
                throw deadline.exceeded(target.describe() + " (last: " + lastFailure + ")");
            }
            HttpRequest built = request.timeout(deadline.cap(timeout)).build();
            try {
                HttpResponse<T> response = exchange(built, handler, target);
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
            pause(deadline.cap(retry.delayBefore(attempt + 1)), target);
        }
    }

    /**
     * Sends a request once, without retries (downloads retry around the whole transfer, resuming), waiting for
     * the headers at most {@code timeout} and never past {@code deadline}.
     */
    <T> HttpResponse<T> sendOnce(HttpRequest.Builder request, Duration timeout, Deadline deadline,
                                 HttpResponse.BodyHandler<T> handler, RequestTarget target) throws IOException {
        try {
            return exchange(request.timeout(deadline.cap(timeout)).build(), handler, target);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted");
        }
    }

    /**
     * Reads a metadata answer's body whole, bounded three ways: at most {@link HubLimits#metadataMaxBytes} bytes (a
     * larger declared {@code Content-Length} is refused before reading anything), no silence longer than the
     * metadata timeout, and nothing past {@code deadline}. The body is closed whatever happens.
     *
     * @param what names the answer in errors, e.g. "the model info of repository org/name at revision main"
     */
    byte[] readMetadata(HttpResponse<InputStream> response, Deadline deadline, String what) {
        long max = settings.limits().metadataMaxBytes();
        String from = what + " from " + Redaction.url(response.uri());
        OptionalLong declared = contentLength(response, from);
        if (declared.isPresent() && declared.getAsLong() > max) {
            discard(response);
            throw tooLarge(from, "announces " + declared.getAsLong() + " bytes, more than", max);
        }
        BodyWatch watch = new BodyWatch(response.body(), settings.metadataTimeout(), deadline, watchdog);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (InputStream in = response.body()) {
            byte[] buffer = new byte[64 * 1024];
            int read;
            while ((read = in.read(buffer)) != -1) {
                watch.progressed();
                if (out.size() + (long) read > max) {
                    throw tooLarge(from, "is longer than", max);
                }
                out.write(buffer, 0, read);
            }
        } catch (IOException e) {
            BodyWatch.Cut cut = watch.close();
            if (cut == BodyWatch.Cut.DEADLINE) {
                throw deadline.exceeded(from);
            }
            throw new HubException(HubException.Kind.UNREACHABLE, "the server stopped sending " + from + ": "
                    + (cut == BodyWatch.Cut.SILENCE ? "no data for " + Deadline.describe(watch.silence())
                    + " (HF_HUB_ETAG_TIMEOUT)" : describe(e)) + "; check the network and HF_ENDPOINT and try again, "
                    + "or raise HF_HUB_ETAG_TIMEOUT (seconds) for a slow server", e);
        } finally {
            watch.close();
        }
        return out.toByteArray();
    }

    /**
     * One exchange. The JDK client throws unchecked exceptions for some malformed answers (a Content-Length that is
     * not a number raises NumberFormatException out of {@code send}): those become one-line errors naming the URL.
     */
    private <T> HttpResponse<T> exchange(HttpRequest request, HttpResponse.BodyHandler<T> handler,
                                         RequestTarget target) throws IOException, InterruptedException {
        try {
            return http.send(request, handler);
        } catch (IllegalArgumentException e) {
            // HttpHeaders.firstValueAsLong("Content-Length") is the JDK's one number parse of an answer's headers
            String problem = e instanceof NumberFormatException || e.getCause() instanceof NumberFormatException
                    ? "a malformed Content-Length header (" + shown(String.valueOf(e.getMessage())) + ")"
                    : "an answer the HTTP client rejects (" + shown(String.valueOf(e.getMessage())) + ")";
            throw new HubException(HubException.Kind.INVALID_RESPONSE, "the server at " + Redaction.url(request.uri())
                    + " sent " + problem + " for " + target.describe() + "; it is broken or not a Hugging Face "
                    + "Hub: check HF_ENDPOINT and proxy settings", e);
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
                + endpoint() + " after " + attempts + (attempts == 1 ? " attempt" : " attempts")
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
                        + endpoint() + " (HTTP " + status + hub + "): check the model id; if the repository "
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
                        + "): accept its conditions at " + endpoint() + "/" + target.repo() + ", then "
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
                            + target.revision() + " was not found on " + endpoint() + " (HTTP 404" + hub
                            + "): check the model id and revision");
        }
        return new HubException(HubException.Kind.INVALID_RESPONSE, "unexpected answer HTTP " + status + hub
                + " from " + Redaction.url(url) + " for " + target.describe()
                + "; check HF_ENDPOINT and try again later");
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
        watchdog.shutdownNow();
        executor.shutdownNow();
    }

    /**
     * The answer's {@code Content-Length}, if it has one; a value that is not a non-negative number is an error
     * naming the URL and the value (the body is closed).
     */
    static OptionalLong contentLength(HttpResponse<?> response, String from) {
        Optional<String> header = response.headers().firstValue("Content-Length");
        if (header.isEmpty()) {
            return OptionalLong.empty();
        }
        try {
            long value = Long.parseLong(header.get().strip());
            if (value >= 0) {
                return OptionalLong.of(value);
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        discard(response);
        throw new HubException(HubException.Kind.INVALID_RESPONSE, from + " has a malformed Content-Length '"
                + shown(header.get()) + "' (not a byte count); the server is not a Hugging Face Hub or is broken: "
                + "check HF_ENDPOINT and proxy settings");
    }

    /** An untrusted header value fit for a one-line message: control characters replaced, at most 200 chars. */
    static String shown(String value) {
        String clean = value.replaceAll("\\p{Cntrl}", "?");
        return clean.length() > 200 ? clean.substring(0, 200) + "…" : clean;
    }

    private static HubException tooLarge(String from, String problem, long max) {
        return new HubException(HubException.Kind.INVALID_RESPONSE, from + " " + problem + " the limit of "
                + max + " bytes on metadata (" + HubLimits.METADATA_MAX_BYTES_ENV + "); a Hub's answers are far "
                + "smaller: check HF_ENDPOINT, or raise " + HubLimits.METADATA_MAX_BYTES_ENV + " for a huge "
                + "repository");
    }

    private String notFoundFile(RequestTarget target) {
        return "file " + target.file().orElse("?") + " was not found in repository " + target.repo()
                + " at revision " + target.revision();
    }

    /** The server's own X-Error-Message, on one line, without the token in use should the server echo it. */
    private String hubMessage(HttpHeaders headers) {
        Optional<String> message = headers.firstValue("X-Error-Message");
        return message.map(text -> ", the Hub says: " + Redaction.text(shown(text.replaceAll("\\s+", " ").strip()),
                settings.token().orElse(""))).orElse("");
    }

    /** The endpoint as messages show it (credentials hidden). */
    private String endpoint() {
        return Redaction.url(settings.endpoint());
    }

    static void discard(HttpResponse<?> response) {
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
