package org.exporters4j.hub;

import java.net.URI;
import java.util.Objects;

/**
 * What a {@code HEAD} on a resolve URL tells about a file, as huggingface_hub's {@code HfFileMetadata}.
 *
 * @param commit   the commit the revision resolved to ({@code X-Repo-Commit})
 * @param etag     the blob name: sha256 for LFS files, git sha1 otherwise ({@code X-Linked-Etag}, else {@code ETag})
 * @param size     the file size ({@code X-Linked-Size}, else {@code Content-Length})
 * @param location where to download it: the {@code Location} of a redirect to a CDN, else the resolve URL
 */
record FileMetadata(String commit, String etag, long size, URI location) {
    FileMetadata {
        HubCache.checkSegment(commit, "commit (X-Repo-Commit)");
        HubCache.checkSegment(etag, "etag (X-Linked-Etag / ETag)");
        if (size < 0) {
            throw new HubException(HubException.Kind.INVALID_RESPONSE, "the Hub announced a negative size " + size);
        }
        Objects.requireNonNull(location, "location");
    }

    /** Strips the weak prefix and quotes of an ETag header, as huggingface_hub's {@code _normalize_etag}. */
    static String normalizeEtag(String header) {
        String value = header.strip();
        if (value.startsWith("W/")) {
            value = value.substring(2);
        }
        if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
            value = value.substring(1, value.length() - 1);
        }
        return value;
    }
}
