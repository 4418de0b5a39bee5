package org.exporters4j.hub;

import java.util.Objects;
import org.exporters4j.Exporters4jException;

/**
 * Everything that goes wrong between exporters4j and the Hugging Face Hub or its cache: a bad repo id or revision,
 * a repository, revision or file that does not exist, refused access, an unreachable Hub, a corrupt download, a file
 * missing from the cache in offline mode. {@link #kind()} tells callers which, the message tells the user what to do.
 */
public class HubException extends Exporters4jException {
    private static final long serialVersionUID = 1L;

    /** What went wrong, for callers that react differently (e.g. "not a Hub id" vs "Hub down"). */
    public enum Kind {
        /** A repo id, revision or file name that is not well formed. */
        INVALID_ARGUMENT,
        /** The Hub says the repository does not exist (or is private and the request carried no valid token). */
        REPOSITORY_NOT_FOUND,
        /** The repository exists but not the branch, tag or commit. */
        REVISION_NOT_FOUND,
        /** The repository and revision exist but not the file. */
        FILE_NOT_FOUND,
        /** 401/403: the repository is gated or private and the token is missing or refused. */
        ACCESS_DENIED,
        /** Offline mode (or an unreachable Hub) and the file is not in the cache. */
        NOT_IN_CACHE,
        /** Connection failures, timeouts or server errors that outlasted every retry. */
        UNREACHABLE,
        /** The server answered something that is not what the Hub sends (missing headers, bad JSON). */
        INVALID_RESPONSE,
        /** A download that does not match the size or checksum the Hub announced; nothing was cached. */
        CORRUPT_DOWNLOAD,
        /** The cache folder cannot be read or written. */
        CACHE_IO
    }

    private final Kind kind;

    /** @param message redacted here ({@link Redaction#text}): URL credentials and token-shaped words never show */
    public HubException(Kind kind, String message) {
        super(Redaction.text(message));
        this.kind = Objects.requireNonNull(kind, "kind");
    }

    public HubException(Kind kind, String message, Throwable cause) {
        super(Redaction.text(message), cause);
        this.kind = Objects.requireNonNull(kind, "kind");
    }

    public Kind kind() {
        return kind;
    }
}
