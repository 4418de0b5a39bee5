package org.exporters4j.hub;

import org.exporters4j.WeightsFormat;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The Hugging Face Hub client: model info, file downloads into the shared cache ({@link HubCache}), and the
 * snapshot of the files an export needs. Mirrors huggingface_hub's {@code hf_hub_download} and {@code model_info}:
 * a {@code HEAD} on the resolve URL gives the commit, etag, size and download location; a file already in the cache
 * is not downloaded again; when the Hub cannot be reached (or refuses access) a cached copy of the revision is used;
 * offline mode ({@code HF_HUB_OFFLINE=1}) reads the cache only.
 *
 * <p>Holds an HTTP client and a watchdog thread: close it (try-with-resources); {@code close()} is idempotent.
 * Safe to share between threads; parallel downloads of the same blob (also from other processes) wait on a file
 * lock under {@code <cache>/.locks}.
 */
public final class HubClient implements AutoCloseable {
    private static final long LOCK_POLL_MILLIS = 50;

    private final HubSettings settings;
    private final HubCache cache;
    private final HubRequests requests;
    private final BlobTransfer transfer;
    private boolean closed;

    /**
     * @param settings endpoint, cache folder, token and network mode ({@link HubSettings#fromSystem()} for the
     *                 user's environment; {@link HubSettings#withCacheDir} for {@code --cache-dir})
     * @param retry    retries and backoff for transient failures
     * @param progress what to show while large files download
     */
    public HubClient(HubSettings settings, RetryPolicy retry, DownloadProgress progress) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.cache = new HubCache(settings.cacheDir());
        this.requests = new HubRequests(settings, Objects.requireNonNull(retry, "retry"));
        this.transfer = new BlobTransfer(requests, Objects.requireNonNull(progress, "progress"));
    }

    /** A client with the default retries and a progress bar on stderr when attached to a terminal. */
    public static HubClient create(HubSettings settings) {
        return new HubClient(settings, RetryPolicy.DEFAULT, DownloadProgress.forConsole());
    }

    public HubSettings settings() {
        return settings;
    }

    public HubCache cache() {
        return cache;
    }

    /** The model info at the default branch: {@code GET {endpoint}/api/models/{repo_id}}. */
    public ModelInfo modelInfo(RepoId repo) {
        return modelInfo(repo, requests.modelInfoUrl(repo), RequestTarget.repository(repo, Revision.MAIN));
    }

    /** The model info at a revision: {@code GET {endpoint}/api/models/{repo_id}/revision/{revision}}. */
    public ModelInfo modelInfo(RepoId repo, Revision revision) {
        return modelInfo(repo, requests.modelInfoUrl(repo, revision), RequestTarget.repository(repo, revision));
    }

    /**
     * The local path of one repository file at a revision, downloading it into the cache if needed.
     *
     * @param file a repository path; a file in a subfolder is {@code "subfolder/name"}
     * @return {@code <cache>/models--org--name/snapshots/<commit>/<file>}
     */
    public Path download(RepoId repo, Revision revision, String file) {
        RepoFilePath path = new RepoFilePath(file);
        RequestTarget target = RequestTarget.file(repo, revision, path.value());
        if (settings.network() == NetworkMode.OFFLINE) {
            return cache.cachedFile(repo, revision, path.value()).orElseThrow(() -> offlineMiss(target));
        }
        if (revision.isCommitHash()) {
            Path pointer = cache.pointerFile(repo, revision.value(), path);
            if (Files.isRegularFile(pointer)) {
                return pointer; // a commit never changes: no need to ask the Hub
            }
        }
        FileMetadata metadata;
        try {
            metadata = fileMetadata(repo, revision, path, target);
        } catch (HubException e) {
            if (e.kind() == HubException.Kind.UNREACHABLE || e.kind() == HubException.Kind.ACCESS_DENIED) {
                // as huggingface_hub: without an answer from the Hub, the cached copy of this revision will do
                Optional<Path> cached = cache.cachedFile(repo, revision, path.value());
                if (cached.isPresent()) {
                    return cached.get();
                }
            }
            throw e;
        }
        if (revision.isCommitHash() && !metadata.commit().equals(revision.value())) {
            throw commitDisagreement(target, revision.value(), metadata.commit());
        }
        cache.writeRef(repo, revision, metadata.commit());
        Path pointer = cache.pointerFile(repo, metadata.commit(), path);
        if (Files.isRegularFile(pointer)) {
            return pointer;
        }
        Path blob = cache.blobFile(repo, metadata.etag());
        if (!Files.isRegularFile(blob)) {
            BlobLock lock = lock(repo, metadata.etag());
            try {
                if (!Files.isRegularFile(blob)) { // another process may have finished it while we waited
                    transfer.fetch(metadata, blob, cache.incompleteFile(blob), target);
                }
            } finally {
                lock.close();
            }
        }
        cache.link(blob, pointer);
        return pointer;
    }

    /**
     * A file in a subfolder of the repository, as huggingface_hub's {@code hf_hub_download(subfolder=...)}.
     *
     * @param subfolder a folder inside the repository, "" for the root
     */
    public Path download(RepoId repo, Revision revision, String subfolder, String file) {
        return download(repo, revision, RepoFilePath.of(subfolder, file).value());
    }

    /**
     * Fetches the files an export needs ({@link ExportFiles}: config.json, the weights in the first format of
     * {@code preference} the repository has, shards included, and the tokenizer, processor and generation files)
     * and nothing else. Online, the file list comes from the model info and every file is pinned to the commit the
     * revision resolves to; offline, or when the Hub cannot be reached, from the cached snapshot of the revision.
     *
     * @param subfolder  the model's folder inside the repository, "" for the root
     * @param preference acceptable weights formats, most wanted first ({@link WeightsFormat#DEFAULT_PREFERENCE})
     */
    public Snapshot snapshotForExport(RepoId repo, Revision revision, String subfolder,
                                      List<WeightsFormat> preference) {
        Objects.requireNonNull(subfolder, "subfolder");
        List<WeightsFormat> formats = List.copyOf(preference);
        if (settings.network() == NetworkMode.OFFLINE) {
            return cachedSnapshot(repo, revision, subfolder, formats, Optional.empty());
        }
        ModelInfo info;
        try {
            info = modelInfo(repo, revision);
        } catch (HubException e) {
            if (e.kind() == HubException.Kind.UNREACHABLE || e.kind() == HubException.Kind.ACCESS_DENIED) {
                return cachedSnapshot(repo, revision, subfolder, formats, Optional.of(e));
            }
            throw e;
        }
        String commit = HubCache.checkSegment(info.sha(), "commit (sha) of the model info");
        cache.writeRef(repo, revision, commit);
        Revision pinned = Revision.of(commit);
        ExportFiles selection = ExportFiles.select(info.siblings(), subfolder, formats,
                "repository " + repo + " at revision " + revision);
        List<String> fetched = new ArrayList<>();
        for (String file : selection.files()) {
            download(repo, pinned, file);
            fetched.add(file);
        }
        Set<String> siblings = Set.copyOf(info.siblings());
        for (String shard : selection.shards(cache.snapshotFolder(repo, commit).resolve(selection.weights()))) {
            if (!siblings.contains(shard)) {
                throw new HubException(HubException.Kind.FILE_NOT_FOUND, "the weights index " + selection.weights()
                        + " of repository " + repo + " at revision " + revision + " names the shard " + shard
                        + ", which the repository does not have; the checkpoint is incomplete, ask its owner to "
                        + "upload it again or pick another revision");
            }
            download(repo, pinned, shard);
            fetched.add(shard);
        }
        return new Snapshot(repo, commit, cache.snapshotFolder(repo, commit), selection, fetched);
    }

    /** {@link #snapshotForExport} at the repository root with the default weights preference. */
    public Snapshot snapshotForExport(RepoId repo, Revision revision) {
        return snapshotForExport(repo, revision, "", WeightsFormat.DEFAULT_PREFERENCE);
    }

    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            requests.close();
        }
    }

    private ModelInfo modelInfo(RepoId repo, URI url, RequestTarget target) {
        if (settings.network() == NetworkMode.OFFLINE) {
            throw new HubException(HubException.Kind.NOT_IN_CACHE, "HF_HUB_OFFLINE is set, so the model info of "
                    + target.describe() + " cannot be asked from the Hub; unset HF_HUB_OFFLINE, or use a local "
                    + "folder");
        }
        Deadline deadline = requests.metadataDeadline();
        RedirectChain chain = new RedirectChain(url);
        while (true) {
            HttpRequest.Builder request = requests.request(chain.current()).header("Accept", "application/json")
                    .GET();
            HttpResponse<InputStream> response = requests.send(request, settings.metadataTimeout(), deadline,
                    HttpResponse.BodyHandlers.ofInputStream(), target);
            int status = response.statusCode();
            if (HubRequests.isRedirect(status)) {
                // as huggingface_hub's model_info (requests follows a GET's redirects: a renamed repository)
                HubRequests.discard(response);
                chain.follow(response, target);
                continue;
            }
            if (status != 200) {
                HubRequests.discard(response);
                throw requests.failure(status, response.headers(), chain.current(), target);
            }
            byte[] body = requests.readMetadata(response, deadline, "the model info of " + target.describe());
            return ModelInfo.parse(repo, new String(body, StandardCharsets.UTF_8), Redaction.url(chain.current()));
        }
    }

    /**
     * {@code HEAD} on the resolve URL, following relative redirects (a renamed repository) but not absolute ones
     * (a CDN), whose {@code Location} becomes the download URL: as huggingface_hub's {@code get_hf_file_metadata}.
     * Every hop goes through one {@link RedirectChain} (http(s) only, a bounded number of hops), all of it within
     * one metadata deadline.
     */
    private FileMetadata fileMetadata(RepoId repo, Revision revision, RepoFilePath file, RequestTarget target) {
        RedirectChain chain = new RedirectChain(requests.resolveUrl(repo, revision, file));
        Deadline deadline = requests.metadataDeadline();
        while (true) {
            URI url = chain.current();
            HttpRequest.Builder request = requests.request(url).method("HEAD", HttpRequest.BodyPublishers.noBody());
            HttpResponse<Void> response = requests.send(request, settings.metadataTimeout(), deadline,
                    HttpResponse.BodyHandlers.discarding(), target);
            int status = response.statusCode();
            HttpHeaders headers = response.headers();
            if (HubRequests.isRedirect(status)) {
                RedirectChain.Hop hop = chain.follow(response, target);
                if (hop.relative()) {
                    continue;
                }
                return metadata(headers, hop.target(), url, target);
            }
            if (status >= 200 && status < 300) {
                return metadata(headers, url, url, target);
            }
            if (status == 404 && "EntryNotFound".equals(headers.firstValue("X-Error-Code").orElse(""))) {
                // as huggingface_hub: remember that the file does not exist at this commit
                headers.firstValue("X-Repo-Commit").ifPresent(commit -> {
                    cache.markMissing(repo, HubCache.checkSegment(commit, "commit (X-Repo-Commit)"), file);
                    cache.writeRef(repo, revision, commit);
                });
            }
            throw requests.failure(status, headers, url, target);
        }
    }

    /** The metadata in the headers of the answer from {@code answered}; {@code location} is where to download. */
    private FileMetadata metadata(HttpHeaders headers, URI location, URI answered, RequestTarget target) {
        String commit = headers.firstValue("X-Repo-Commit").orElseThrow(() -> missingHeader("X-Repo-Commit", target));
        String etag = headers.firstValue("X-Linked-Etag").or(() -> headers.firstValue("ETag"))
                .map(FileMetadata::normalizeEtag)
                .orElseThrow(() -> missingHeader("ETag", target));
        String sizeHeader = headers.firstValue("X-Linked-Size").isPresent() ? "X-Linked-Size" : "Content-Length";
        String size = headers.firstValue(sizeHeader).orElseThrow(() -> missingHeader("Content-Length", target));
        long bytes = -1;
        try {
            bytes = Long.parseLong(size.strip());
        } catch (NumberFormatException e) {
            // reported below
        }
        if (bytes < 0) {
            throw new HubException(HubException.Kind.INVALID_RESPONSE, "the answer from " + Redaction.url(answered)
                    + " for " + target.describe() + " has a malformed " + sizeHeader + " '" + HubRequests.shown(size)
                    + "' (not a byte count); the server is broken or not a Hugging Face Hub: check HF_ENDPOINT and "
                    + "proxy settings");
        }
        return new FileMetadata(commit, etag, bytes, location);
    }

    /**
     * The server answered a request pinned to one commit with another commit's file: the model info's {@code sha}
     * and the file's {@code X-Repo-Commit} disagree. Nothing of it is cached (no ref, no pointer).
     */
    private HubException commitDisagreement(RequestTarget target, String asked, String answered) {
        return new HubException(HubException.Kind.INVALID_RESPONSE, "the Hub contradicts itself about "
                + target.describe() + ": it was asked for commit " + asked + " (the sha of the model info) but "
                + "answered with the file of commit " + answered + " (X-Repo-Commit); nothing was cached. The server "
                + "at " + Redaction.url(settings.endpoint()) + " is inconsistent (a mirror being updated, or a "
                + "broken proxy): try again later, and check HF_ENDPOINT if it persists");
    }

    private HubException missingHeader(String header, RequestTarget target) {
        return new HubException(HubException.Kind.INVALID_RESPONSE, "the answer for " + target.describe() + " from "
                + Redaction.url(settings.endpoint()) + " has no " + header + " header, so it is not a Hugging Face Hub "
                + "(or a proxy removed it); check HF_ENDPOINT and proxy settings");
    }

    private Snapshot cachedSnapshot(RepoId repo, Revision revision, String subfolder, List<WeightsFormat> formats,
                                    Optional<HubException> online) {
        RequestTarget target = RequestTarget.repository(repo, revision);
        Optional<String> commit = cache.commit(repo, revision)
                .filter(sha -> Files.isDirectory(cache.snapshotFolder(repo, sha)));
        if (commit.isEmpty()) {
            throw online.orElseGet(() -> notCached(target));
        }
        Path folder = cache.snapshotFolder(repo, commit.get());
        List<String> files = cache.snapshotFiles(repo, commit.get());
        ExportFiles selection;
        try {
            selection = ExportFiles.select(files, subfolder, formats, "the cached snapshot " + folder + " of "
                    + target.describe());
        } catch (HubException e) {
            throw online.orElse(e);
        }
        List<String> fetched = new ArrayList<>(selection.files());
        for (String shard : selection.shards(folder.resolve(selection.weights()))) {
            if (!files.contains(shard)) {
                throw online.orElseGet(() -> notCached(RequestTarget.file(repo, revision, shard)));
            }
            fetched.add(shard);
        }
        return new Snapshot(repo, commit.get(), folder, selection, fetched);
    }

    /** Offline and not cached: a file known not to exist at the cached commit says so rather than "not cached". */
    private HubException offlineMiss(RequestTarget target) {
        Optional<String> commit = cache.commit(target.repo(), target.revision());
        if (commit.isPresent() && target.file().isPresent()
                && cache.isKnownMissing(target.repo(), commit.get(), target.file().get())) {
            return new HubException(HubException.Kind.FILE_NOT_FOUND, "file " + target.file().get()
                    + " does not exist in repository " + target.repo() + " at revision " + target.revision()
                    + " (commit " + commit.get() + ", as recorded in the cache); check the file name and subfolder");
        }
        return notCached(target);
    }

    private HubException notCached(RequestTarget target) {
        return new HubException(HubException.Kind.NOT_IN_CACHE, "HF_HUB_OFFLINE is set and " + target.describe()
                + " is not in the cache at " + settings.cacheDir() + "; run once online (unset HF_HUB_OFFLINE) to "
                + "download it, or point --cache-dir at the cache that has it");
    }

    /** An exclusive lock on {@code <cache>/.locks/models--org--name/<etag>.lock}, across threads and processes. */
    private BlobLock lock(RepoId repo, String etag) {
        Path file = cache.lockFile(repo, etag);
        FileChannel channel = null;
        try {
            Files.createDirectories(file.getParent());
            channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            while (true) {
                try {
                    return new BlobLock(channel, channel.lock());
                } catch (OverlappingFileLockException e) {
                    // another thread of this JVM holds it: wait for it as another process would be waited for
                    TimeUnit.MILLISECONDS.sleep(LOCK_POLL_MILLIS);
                }
            }
        } catch (IOException e) {
            closeQuietly(channel);
            throw HubCache.io("lock", file, e);
        } catch (InterruptedException e) {
            closeQuietly(channel);
            Thread.currentThread().interrupt();
            throw new HubException(HubException.Kind.CACHE_IO, "interrupted while waiting for the lock " + file, e);
        }
    }

    private static void closeQuietly(FileChannel channel) {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException e) {
                // nothing to release
            }
        }
    }

    /** A held blob lock; closing releases it. */
    private record BlobLock(FileChannel channel, FileLock lock) implements AutoCloseable {
        @Override
        public void close() {
            try {
                lock.release();
            } catch (IOException e) {
                // closing the channel below releases it too
            }
            closeQuietly(channel);
        }
    }
}
