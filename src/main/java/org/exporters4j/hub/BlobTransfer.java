package org.exporters4j.hub;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Downloads one blob safely: into {@code blobs/<etag>.incomplete}, resuming what an earlier attempt left with a
 * {@code Range} request, retrying transient failures with backoff (progress restores the attempts), treating a
 * transfer that stops receiving data for the download timeout as failed, then checking the size and the checksum
 * the etag gives (sha256 for LFS files, git's blob sha1 otherwise) before renaming it to {@code blobs/<etag>}.
 * A wrong size or checksum deletes the partial file: nothing corrupt is ever left under the blob's name.
 */
final class BlobTransfer {
    private static final int MAX_REDIRECTS = 10;
    private static final int BUFFER_BYTES = 1 << 20;
    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");
    private static final Pattern GIT_SHA1 = Pattern.compile("[0-9a-f]{40}");
    private static final Pattern CONTENT_RANGE = Pattern.compile("bytes\\s+(\\d+)-(\\d+)/(\\d+|\\*)");

    private final HubRequests requests;
    private final DownloadProgress progress;
    private final ScheduledExecutorService watchdog;

    BlobTransfer(HubRequests requests, DownloadProgress progress, ScheduledExecutorService watchdog) {
        this.requests = requests;
        this.progress = progress;
        this.watchdog = watchdog;
    }

    /** Downloads {@code metadata.location()} to {@code blob}, via {@code incomplete}. */
    void fetch(FileMetadata metadata, Path blob, Path incomplete, RequestTarget target) {
        long expected = metadata.size();
        RetryPolicy retry = requests.retry();
        try {
            Files.createDirectories(blob.getParent());
        } catch (IOException e) {
            throw HubCache.io("create", blob.getParent(), e);
        }
        progress.started(target.file().orElse(blob.getFileName().toString()), expected, sizeOf(incomplete));
        try {
            int attempt = 1;
            while (true) {
                long have = sizeOf(incomplete);
                if (have > expected) {
                    delete(incomplete);
                    have = 0;
                }
                if (have == expected && Files.exists(incomplete)) {
                    break;
                }
                try {
                    transferOnce(metadata.location(), incomplete, have, expected, target);
                    long received = sizeOf(incomplete);
                    if (received != expected) {
                        delete(incomplete);
                        throw corrupt(target, "the server sent " + received + " bytes but announced " + expected);
                    }
                    break;
                } catch (TransientFailure failure) {
                    if (sizeOf(incomplete) > have) {
                        attempt = 1; // bytes arrived: as huggingface_hub's http_get, progress restores the attempts
                    }
                    if (attempt >= retry.maxAttempts()) {
                        throw requests.unreachable(target, attempt, failure.getMessage(), failure.getCause());
                    }
                    attempt++;
                    requests.pause(retry.delayBefore(attempt), target);
                }
            }
            verifyChecksum(incomplete, metadata.etag(), target);
            try {
                HubCache.move(incomplete, blob);
            } catch (IOException e) {
                throw HubCache.io("move into place", blob, e);
            }
        } finally {
            progress.finished();
        }
    }

    private void transferOnce(URI source, Path incomplete, long have, long expected, RequestTarget target)
            throws TransientFailure {
        URI url = source;
        for (int redirects = 0; ; redirects++) {
            HttpRequest.Builder builder = requests.request(url, requests.settings().downloadTimeout()).GET();
            if (have > 0) {
                builder.header("Range", "bytes=" + have + "-");
            }
            HttpResponse<InputStream> response;
            try {
                response = requests.sendOnce(builder.build(), HttpResponse.BodyHandlers.ofInputStream());
            } catch (IOException e) {
                throw new TransientFailure(HubRequests.describe(e), e);
            }
            int status = response.statusCode();
            if (status == 200 || status == 206) {
                long start = 0;
                if (status == 206) {
                    start = rangeStart(response);
                    if (start != have) {
                        close(response.body());
                        delete(incomplete);
                        throw new TransientFailure("the server resumed at byte " + start + " instead of " + have
                                + "; restarting the file", null);
                    }
                }
                write(response.body(), incomplete, start, expected, target);
                return;
            }
            close(response.body());
            if (HubRequests.isRedirect(status) && redirects < MAX_REDIRECTS) {
                String location = response.headers().firstValue("Location").orElseThrow(() -> new HubException(
                        HubException.Kind.INVALID_RESPONSE, "HTTP " + status + " without a Location header from "
                        + response.uri() + " for " + target.describe()));
                url = response.uri().resolve(location);
                continue;
            }
            if (HubRequests.isTransient(status)) {
                throw new TransientFailure("HTTP " + status, null);
            }
            if (status == 416) {
                delete(incomplete); // the server has fewer bytes than were already received: start over
                throw new TransientFailure("HTTP 416 (range not satisfiable)", null);
            }
            throw requests.failure(status, response.headers(), url, target);
        }
    }

    private void write(InputStream body, Path incomplete, long start, long expected, RequestTarget target)
            throws TransientFailure {
        boolean overflow = false;
        StallWatch watch = new StallWatch(body, requests.settings().downloadTimeout());
        try (InputStream in = body;
             FileChannel out = start > 0
                     ? FileChannel.open(incomplete, StandardOpenOption.WRITE, StandardOpenOption.APPEND)
                     : FileChannel.open(incomplete, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                             StandardOpenOption.TRUNCATE_EXISTING)) {
            byte[] buffer = new byte[BUFFER_BYTES];
            long position = start;
            int read;
            while ((read = in.read(buffer)) != -1) {
                watch.progressed();
                if (position + read > expected) {
                    overflow = true;
                    break;
                }
                ByteBuffer chunk = ByteBuffer.wrap(buffer, 0, read);
                while (chunk.hasRemaining()) {
                    out.write(chunk);
                }
                position += read;
                progress.advanced(position);
            }
        } catch (IOException e) {
            boolean stalled = watch.close();
            throw new TransientFailure(stalled ? "no data received for " + seconds(watch.timeout) : HubRequests
                    .describe(e), e);
        } finally {
            watch.close();
        }
        if (overflow) {
            delete(incomplete);
            throw corrupt(target, "the server sent more than the " + expected + " bytes it announced");
        }
    }

    private static long rangeStart(HttpResponse<?> response) throws TransientFailure {
        String header = response.headers().firstValue("Content-Range").orElse("");
        Matcher matcher = CONTENT_RANGE.matcher(header.strip());
        if (!matcher.matches()) {
            close((InputStream) response.body());
            throw new TransientFailure("HTTP 206 with an unreadable Content-Range '" + header + "'", null);
        }
        return Long.parseLong(matcher.group(1));
    }

    private static void verifyChecksum(Path file, String etag, RequestTarget target) {
        String algorithm;
        byte[] header;
        long size = sizeOf(file);
        if (SHA256.matcher(etag).matches()) {
            algorithm = "SHA-256"; // an LFS file: the etag is the sha256 of the content
            header = new byte[0];
        } else if (GIT_SHA1.matcher(etag).matches()) {
            algorithm = "SHA-1"; // a git file: the etag is git's blob id, sha1("blob <size>\0" + content)
            header = ("blob " + size + "\0").getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        } else {
            return; // an opaque etag (not the Hub's): the size check is all there is
        }
        String actual;
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            MessageDigest digest = MessageDigest.getInstance(algorithm);
            digest.update(header);
            ByteBuffer buffer = ByteBuffer.allocateDirect(BUFFER_BYTES);
            while (channel.read(buffer) != -1) {
                buffer.flip();
                digest.update(buffer);
                buffer.clear();
            }
            actual = HexFormat.of().formatHex(digest.digest());
        } catch (IOException e) {
            throw HubCache.io("read", file, e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK lacks " + algorithm, e);
        }
        if (!actual.equals(etag)) {
            delete(file);
            throw corrupt(target, "its " + algorithm + " is " + actual + " but the Hub announced " + etag);
        }
    }

    private static HubException corrupt(RequestTarget target, String problem) {
        return new HubException(HubException.Kind.CORRUPT_DOWNLOAD, "the download of " + target.describe()
                + " is corrupt: " + problem + "; nothing was cached, run again (and report it to the repository "
                + "owner if it persists)");
    }

    private static long sizeOf(Path file) {
        try {
            return Files.size(file);
        } catch (NoSuchFileException e) {
            return 0;
        } catch (IOException e) {
            throw HubCache.io("read", file, e);
        }
    }

    private static void delete(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            throw HubCache.io("delete", file, e);
        }
    }

    private static void close(InputStream body) {
        try {
            body.close();
        } catch (IOException e) {
            // dropping the connection anyway
        }
    }

    private static String seconds(Duration duration) {
        return duration.toMillis() % 1000 == 0 ? duration.toSeconds() + " s" : duration.toMillis() + " ms";
    }

    /** A failure worth another attempt: the connection, a timeout, a server error. */
    private static final class TransientFailure extends Exception {
        private static final long serialVersionUID = 1L;

        TransientFailure(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /**
     * Closes the response body when no bytes arrive for {@code timeout}, which ends the blocked read with an
     * IOException: the JDK's HTTP client has no read timeout for response bodies (and its body stream ignores
     * interrupts), so a stalled transfer would otherwise wait forever.
     */
    private final class StallWatch {
        private final InputStream body;
        private final Duration timeout;
        private final ScheduledFuture<?> check;
        private volatile long lastProgress = System.nanoTime();
        private boolean closed;
        private boolean stalled;

        StallWatch(InputStream body, Duration timeout) {
            this.body = body;
            this.timeout = timeout;
            long period = Math.max(10, Math.min(1000, timeout.toMillis() / 4));
            this.check = watchdog.scheduleAtFixedRate(this::inspect, period, period, TimeUnit.MILLISECONDS);
        }

        void progressed() {
            lastProgress = System.nanoTime();
        }

        private synchronized void inspect() {
            if (!closed && !stalled && System.nanoTime() - lastProgress > timeout.toNanos()) {
                stalled = true;
                BlobTransfer.close(body);
            }
        }

        /** Stops watching; returns whether the body was closed for a stall. */
        synchronized boolean close() {
            if (!closed) {
                closed = true;
                check.cancel(false);
            }
            return stalled;
        }
    }
}
