package org.exporters4j.hub;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.exporters4j.FileFailureReason;
import org.exporters4j.SmallFile;

/**
 * The Hub cache on disk, in huggingface_hub's layout, so a cache filled by Python is reused here and the other way
 * round:
 * <pre>
 * &lt;cache&gt;/models--&lt;org&gt;--&lt;name&gt;/
 *     blobs/&lt;etag&gt;                      file contents, named by their git sha1 or LFS sha256
 *     refs/&lt;revision&gt;                   the commit sha a branch or tag resolved to (no newline)
 *     snapshots/&lt;commit&gt;/&lt;file&gt;         relative symlinks ../../blobs/&lt;etag&gt; (deeper files add ../)
 *     .no_exist/&lt;commit&gt;/&lt;file&gt;         empty markers for files known not to exist at that commit
 * &lt;cache&gt;/.locks/models--&lt;org&gt;--&lt;name&gt;/&lt;etag&gt;.lock
 * </pre>
 * Values read from the server or from refs files become path segments only after {@link #checkSegment} accepts them.
 */
public final class HubCache {
    private static final Pattern SEGMENT = Pattern.compile("[A-Za-z0-9._-]{1,200}");

    private final Path root;

    public HubCache(Path root) {
        this.root = Objects.requireNonNull(root, "root").toAbsolutePath().normalize();
    }

    public Path root() {
        return root;
    }

    /** {@code <cache>/models--org--name}. */
    public Path repoFolder(RepoId repo) {
        return root.resolve(repo.cacheFolderName());
    }

    /** {@code <cache>/models--org--name/snapshots/<commit>}. */
    public Path snapshotFolder(RepoId repo, String commit) {
        return repoFolder(repo).resolve("snapshots").resolve(checkSegment(commit, "commit"));
    }

    /**
     * The commit a revision names in this cache: the revision itself when it is a full commit sha, else the content
     * of {@code refs/<revision>} (as huggingface_hub's {@code try_to_load_from_cache}); empty when unknown.
     */
    public Optional<String> commit(RepoId repo, Revision revision) {
        if (revision.isCommitHash()) {
            return Optional.of(revision.value());
        }
        Path ref = new RepoFilePath(revision.value()).resolveIn(repoFolder(repo).resolve("refs"));
        try {
            String commit = SmallFile.HUB_REF.readText(ref).strip();
            return Optional.of(checkSegment(commit, "commit in " + ref));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (SmallFile.Refused e) {
            throw new HubException(HubException.Kind.CACHE_IO, e.getMessage() + "; delete it to fetch the revision"
                    + " again", e);
        } catch (IOException e) {
            throw io("read", ref, e);
        }
    }

    /** The cached file of a repository at a revision, if the cache has it (its blob present). */
    public Optional<Path> cachedFile(RepoId repo, Revision revision, String file) {
        RepoFilePath path = new RepoFilePath(file);
        return commit(repo, revision)
                .map(commit -> pointerFile(repo, commit, path))
                .filter(Files::isRegularFile);
    }

    /** True when a previous look-up recorded that {@code file} does not exist at {@code commit}. */
    public boolean isKnownMissing(RepoId repo, String commit, String file) {
        return Files.isRegularFile(new RepoFilePath(file).resolveIn(repoFolder(repo).resolve(".no_exist")
                .resolve(checkSegment(commit, "commit"))));
    }

    /** Every file present in a cached snapshot, as sorted '/'-separated repository paths. */
    public List<String> snapshotFiles(RepoId repo, String commit) {
        Path folder = snapshotFolder(repo, commit);
        if (!Files.isDirectory(folder)) {
            return List.of();
        }
        try (Stream<Path> walk = Files.walk(folder)) {
            return walk.filter(Files::isRegularFile)
                    .map(path -> folder.relativize(path).toString().replace(folder.getFileSystem().getSeparator(), "/"))
                    .sorted()
                    .toList();
        } catch (IOException | java.io.UncheckedIOException e) {
            throw new HubException(HubException.Kind.CACHE_IO, "cannot list the cached snapshot " + folder + ": "
                    + e.getMessage() + "; check its permissions or delete it to download again", e);
        }
    }

    Path blobFile(RepoId repo, String etag) {
        return repoFolder(repo).resolve("blobs").resolve(checkSegment(etag, "etag"));
    }

    Path incompleteFile(Path blob) {
        return blob.resolveSibling(blob.getFileName() + ".incomplete");
    }

    Path pointerFile(RepoId repo, String commit, RepoFilePath file) {
        return file.resolveIn(snapshotFolder(repo, commit));
    }

    Path lockFile(RepoId repo, String etag) {
        return root.resolve(".locks").resolve(repo.cacheFolderName()).resolve(checkSegment(etag, "etag") + ".lock");
    }

    /**
     * Records that a branch or tag points at {@code commit}; nothing for a commit revision, and an error when a
     * commit revision is said to be another commit (never {@code refs/<sha A>} holding sha B). Written only when it
     * changes, as huggingface_hub's {@code _cache_commit_hash_for_specific_revision} (read-only caches keep working).
     */
    void writeRef(RepoId repo, Revision revision, String commit) {
        checkSegment(commit, "commit");
        if (revision.value().equals(commit)) {
            return;
        }
        if (revision.isCommitHash()) {
            // refs/<sha A> holding sha B would make every later look-up of A read B's files
            throw new HubException(HubException.Kind.INVALID_RESPONSE, "the Hub resolved commit " + revision
                    + " to another commit, " + commit + "; a commit names itself, so the server is inconsistent: "
                    + "nothing was cached, try again later or check HF_ENDPOINT");
        }
        Path ref = new RepoFilePath(revision.value()).resolveIn(repoFolder(repo).resolve("refs"));
        try {
            if (Files.isRegularFile(ref) && SmallFile.HUB_REF.readText(ref).strip().equals(commit)) {
                return;
            }
        } catch (IOException | SmallFile.Refused e) {
            // unreadable: overwrite it below
        }
        writeAtomically(ref, commit);
    }

    /** Marks {@code file} as absent at {@code commit}, as huggingface_hub's {@code .no_exist} entries. */
    void markMissing(RepoId repo, String commit, RepoFilePath file) {
        Path marker = file.resolveIn(repoFolder(repo).resolve(".no_exist").resolve(checkSegment(commit, "commit")));
        try {
            Files.createDirectories(marker.getParent());
            if (!Files.exists(marker)) {
                Files.createFile(marker);
            }
        } catch (IOException e) {
            // only an optimisation for later look-ups: a read-only cache must not fail the request
        }
    }

    /**
     * Points {@code pointer} at {@code blob} with a relative symlink (as huggingface_hub's {@code _create_symlink}),
     * replacing what was there atomically; where the file system has no symlinks, copies the blob instead.
     */
    void link(Path blob, Path pointer) {
        replace(pointer, temporary -> {
            try {
                Files.createSymbolicLink(temporary, pointer.getParent().relativize(blob));
            } catch (UnsupportedOperationException | FileSystemException e) {
                Files.copy(blob, temporary, StandardCopyOption.REPLACE_EXISTING);
            }
        });
    }

    /** Moves a finished temporary file over its destination, atomically where the file system allows it. */
    static void move(Path source, Path destination) throws IOException {
        try {
            Files.move(source, destination, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(source, destination, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** Accepts a server- or file-provided value as one path segment: letters, digits, '.', '_', '-' only. */
    static String checkSegment(String value, String what) {
        if (value == null || !SEGMENT.matcher(value).matches() || value.equals(".") || value.equals("..")) {
            throw new HubException(HubException.Kind.INVALID_RESPONSE, "the " + what + " '" + value + "' is not a "
                    + "valid cache name (letters, digits, '.', '_' and '-' only); check that HF_ENDPOINT points at a "
                    + "Hugging Face Hub, or delete the damaged cache entry");
        }
        return value;
    }

    static HubException io(String action, Path path, IOException e) {
        Optional<Path> file = fileAlong(path);
        if (file.isPresent()) {
            return new HubException(HubException.Kind.CACHE_IO, "cannot " + action + " " + path + " in the Hub "
                    + "cache: " + file.get() + " is a file, not a folder; point HF_HUB_CACHE (or HF_HOME) at a folder, "
                    + "or pass --cache-dir", e);
        }
        String cause = e instanceof java.nio.file.AccessDeniedException ? "permission denied"
                : FileFailureReason.of(e);
        return new HubException(HubException.Kind.CACHE_IO, "cannot " + action + " " + path + " in the Hub cache: "
                + cause + "; check permissions and free space, or choose another cache folder (--cache-dir or "
                + "HF_HUB_CACHE)", e);
    }

    /** The nearest parent of {@code path} that exists as something other than a folder, when one does. */
    private static Optional<Path> fileAlong(Path path) {
        for (Path parent = path.toAbsolutePath().getParent(); parent != null; parent = parent.getParent()) {
            if (Files.exists(parent)) {
                return Files.isDirectory(parent) ? Optional.empty() : Optional.of(parent);
            }
        }
        return Optional.empty();
    }

    static void deleteQuietly(Path path) {
        try {
            Files.deleteIfExists(path);
        } catch (IOException e) {
            // best effort: a stray temporary name is harmless
        }
    }

    private void writeAtomically(Path file, String content) {
        replace(file, temporary -> Files.writeString(temporary, content, StandardCharsets.UTF_8));
    }

    /** Writes a file's new content at a temporary sibling name. */
    private interface TemporaryWrite {
        void writeTo(Path temporary) throws IOException;
    }

    /**
     * Replaces {@code destination} with what {@code write} puts at a fresh temporary sibling name (creating the
     * folder), then moves it over atomically; readers see the old file or the whole new one, never a part, and the
     * temporary name is gone whatever happens.
     */
    private static void replace(Path destination, TemporaryWrite write) {
        Path temporary = destination.resolveSibling(".tmp-" + UUID.randomUUID() + "-" + destination.getFileName());
        try {
            Files.createDirectories(destination.getParent());
            write.writeTo(temporary);
            move(temporary, destination);
        } catch (IOException e) {
            throw io("write", destination, e);
        } finally {
            deleteQuietly(temporary);
        }
    }
}
