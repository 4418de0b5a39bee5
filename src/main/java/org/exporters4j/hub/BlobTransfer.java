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
import java.util.HexFormat;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Downloads one blob safely: into {@code blobs/<etag>.incomplete}, resuming what an earlier attempt left with a
 * {@code Range} request, retrying transient failures with backoff (progress restores the attempts), treating a
 * transfer that stops receiving data for the download timeout as failed, then checking the size and the checksum
 * the etag gives (sha256 for LFS files, git's blob sha1 otherwise) before renaming it to {@code blobs/<etag>}.
 * A wrong size or checksum deletes the partial file: nothing corrupt is ever left under the blob's name.
 *
 * <p>Bounded whatever the server does: the whole file, retries and resumes included, must arrive within
 * {@link HubLimits#fileDeadline} and {@link HubLimits#fileMaxConnections} requests (so a server sending one new
 * byte per connection ends), and a resumed answer must be exactly the range asked for.
 */
final class BlobTransfer {
    private static final int BUFFER_BYTES = 1 << 20;
    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");
    private static final Pattern GIT_SHA1 = Pattern.compile("[0-9a-f]{40}");
    private static final Pattern CONTENT_RANGE = Pattern.compile("bytes\\s+(\\d{1,18})-(\\d{1,18})/(\\d{1,18}|\\*)");

    private final HubRequests requests;
    private final DownloadProgress progress;

    BlobTransfer(HubRequests requests, DownloadProgress progress) {
        this.requests = requests;
        this.progress = progress;
    }

    /** Downloads {@code metadata.location()} to {@code blob}, via {@code incomplete}. */
    void fetch(FileMetadata metadata, Path blob, Path incomplete, RequestTarget target) {
        long expected = metadata.size();
        RetryPolicy retry = requests.retry();
        HubLimits limits = requests.limits();
        try {
            Files.createDirectories(blob.getParent());
        } catch (IOException e) {
            throw HubCache.io("create", blob.getParent(), e);
        }
        progress.started(target.file().orElse(blob.getFileName().toString()), expected, sizeOf(incomplete));
        Transfer transfer = new Transfer(metadata.location(), incomplete, expected, target,
                Deadline.after(limits.fileDeadline(), HubLimits.FILE_DEADLINE_ENV));
        try {
            int attempt = 1;
            String lastFailure = "none";
            while (true) {
                long have = sizeOf(incomplete);
                if (have > expected) {
                    delete(incomplete);
                    have = 0;
                }
                if (have == expected && Files.exists(incomplete)) {
                    break;
                }
                if (transfer.deadline.passed()) {
                    throw transfer.deadline.exceeded(target.describe() + " with " + have + " of " + expected
                            + " bytes received (last failure: " + lastFailure + ")");
                }
                try {
                    transfer.once(have);
                    long received = sizeOf(incomplete);
                    if (received != expected) {
                        delete(incomplete);
                        throw corrupt(target, "the server sent " + received + " bytes but announced " + expected);
                    }
                    break;
                } catch (TransientFailure failure) {
                    lastFailure = failure.getMessage();
                    if (sizeOf(incomplete) > have) {
                        attempt = 1; // bytes arrived: as huggingface_hub's http_get, progress restores the attempts
                    }
                    if (attempt >= retry.maxAttempts()) {
                        throw requests.unreachable(target, attempt, failure.getMessage(), failure.getCause());
                    }
                    attempt++;
                    requests.pause(transfer.deadline.cap(retry.delayBefore(attempt)), target);
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

    /** One file's download: where it comes from, its deadline and the requests it has made so far. */
    private final class Transfer {
        private final URI source;
        private final Path incomplete;
        private final long expected;
        private final RequestTarget target;
        private final Deadline deadline;
        private int requestsMade;

        Transfer(URI source, Path incomplete, long expected, RequestTarget target, Deadline deadline) {
            this.source = source;
            this.incomplete = incomplete;
            this.expected = expected;
            this.target = target;
            this.deadline = deadline;
        }

        /** One attempt: a GET (ranged from {@code have} when there is a partial file), following redirects. */
        void once(long have) throws TransientFailure {
            RedirectChain chain = new RedirectChain(source);
            while (true) {
                int cap = requests.limits().fileMaxConnections();
                if (requestsMade >= cap) {
                    throw new HubException(HubException.Kind.UNREACHABLE, "gave up on " + target.describe()
                            + " after " + requestsMade + " requests with " + sizeOf(incomplete) + " of " + expected
                            + " bytes received, the limit set by " + HubLimits.FILE_MAX_CONNECTIONS_ENV + "; the "
                            + "server keeps breaking the transfer off: try again later (the partial download "
                            + "resumes), or raise " + HubLimits.FILE_MAX_CONNECTIONS_ENV);
                }
                requestsMade++;
                HttpRequest.Builder builder = requests.request(chain.current()).GET();
                if (have > 0) {
                    builder.header("Range", "bytes=" + have + "-");
                }
                HttpResponse<InputStream> response;
                try {
                    response = requests.sendOnce(builder, requests.settings().downloadTimeout(), deadline,
                            HttpResponse.BodyHandlers.ofInputStream(), target);
                } catch (IOException e) {
                    throw new TransientFailure(HubRequests.describe(e), e);
                }
                int status = response.statusCode();
                if (status == 200 || status == 206) {
                    String from = "the download of " + target.describe() + " from " + Redaction.url(chain.current());
                    HubRequests.contentLength(response, from);
                    long start = status == 206 ? checkedRange(response, have) : 0;
                    write(response.body(), start);
                    return;
                }
                close(response.body());
                if (HubRequests.isRedirect(status)) {
                    chain.follow(response, target);
                    continue;
                }
                if (HubRequests.isTransient(status)) {
                    throw new TransientFailure("HTTP " + status, null);
                }
                if (status == 416) {
                    delete(incomplete); // the server has fewer bytes than were already received: start over
                    throw new TransientFailure("HTTP 416 (range not satisfiable)", null);
                }
                throw requests.failure(status, response.headers(), chain.current(), target);
            }
        }

        /**
         * The start of a 206 answer, which must be exactly the range asked for: from {@code have} to the last byte
         * of the announced size. Anything else (a range from elsewhere, of another length or of another file size)
         * is a failed attempt that keeps the partial file: it does not count as progress.
         */
        private long checkedRange(HttpResponse<InputStream> response, long have) throws TransientFailure {
            String header = response.headers().firstValue("Content-Range").orElse("");
            Matcher matcher = CONTENT_RANGE.matcher(header.strip());
            boolean exact = matcher.matches()
                    && Long.parseLong(matcher.group(1)) == have
                    && Long.parseLong(matcher.group(2)) == expected - 1
                    && (matcher.group(3).equals("*") || Long.parseLong(matcher.group(3)) == expected);
            if (!exact) {
                close(response.body());
                throw new TransientFailure("HTTP 206 with Content-Range '" + HubRequests.shown(header)
                        + "' for the range bytes=" + have + "-" + (expected - 1) + " of " + expected
                        + " bytes asked for",
                        null);
            }
            return have;
        }

        private void write(InputStream body, long start) throws TransientFailure {
            boolean overflow = false;
            BodyWatch watch = new BodyWatch(body, requests.settings().downloadTimeout(), deadline,
                    requests.watchdog());
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
                BodyWatch.Cut cut = watch.close();
                if (cut == BodyWatch.Cut.DEADLINE) {
                    throw deadline.exceeded(target.describe() + " with " + sizeOf(incomplete) + " of " + expected
                            + " bytes received");
                }
                throw new TransientFailure(cut == BodyWatch.Cut.SILENCE ? "no data received for "
                        + Deadline.describe(watch.silence()) : HubRequests.describe(e), e);
            } finally {
                watch.close();
            }
            if (overflow) {
                delete(incomplete);
                throw corrupt(target, "the server sent more than the " + expected + " bytes it announced");
            }
        }
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

    /** A failure worth another attempt: the connection, a timeout, a server error. */
    private static final class TransientFailure extends Exception {
        private static final long serialVersionUID = 1L;

        TransientFailure(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
