package org.exporters4j.hub;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The caps that keep a hostile or broken Hub server from holding the client forever or filling its memory. The Hub
 * is untrusted input: every answer is bounded in size, time and number of connections, whatever the server says.
 * huggingface_hub has no such caps; the defaults are far above what the real Hub needs.
 *
 * @param metadataMaxBytes   the largest metadata body read into memory from the network: a model info answer
 *                           ({@value #METADATA_MAX_BYTES_ENV}); downloaded files the export reads whole (config,
 *                           weights index) are bounded when read, by {@link org.exporters4j.SmallFile}
 * @param metadataDeadline   the longest a metadata request (model info, or the {@code HEAD} of a file, retries
 *                           included) may take from first byte sent to last byte read ({@value #METADATA_DEADLINE_ENV})
 * @param fileDeadline       the longest one file's download may take, every retry and resume included
 *                           ({@value #FILE_DEADLINE_ENV})
 * @param fileMaxConnections the most connections opened to download one file, every retry and resume included:
 *                           progress restores a download's retries, and this cap is what ends a server that sends
 *                           one new byte per connection ({@value #FILE_MAX_CONNECTIONS_ENV})
 */
public record HubLimits(long metadataMaxBytes, Duration metadataDeadline, Duration fileDeadline,
                        int fileMaxConnections) {
    public static final String METADATA_MAX_BYTES_ENV = "EXPORTERS4J_HUB_METADATA_MAX_BYTES";
    public static final String METADATA_DEADLINE_ENV = "EXPORTERS4J_HUB_METADATA_DEADLINE";
    public static final String FILE_DEADLINE_ENV = "EXPORTERS4J_HUB_FILE_DEADLINE";
    public static final String FILE_MAX_CONNECTIONS_ENV = "EXPORTERS4J_HUB_FILE_MAX_CONNECTIONS";

    /**
     * Redirects followed for one request before it is called a loop: fixed, as the Python requests library's
     * {@code DEFAULT_REDIRECT_LIMIT} is (30 there; the Hub uses at most two: a renamed repository, then the CDN).
     */
    public static final int MAX_REDIRECTS = 10;

    /**
     * 64 MiB of metadata (the model info of a repository with tens of thousands of files is a few MB), 2 minutes
     * per metadata request, 6 hours and 100 connections per file.
     */
    public static final HubLimits DEFAULT = new HubLimits(64L << 20, Duration.ofMinutes(2), Duration.ofHours(6),
            100);

    public HubLimits {
        Objects.requireNonNull(metadataDeadline, "metadataDeadline");
        Objects.requireNonNull(fileDeadline, "fileDeadline");
        if (metadataMaxBytes < 1 || metadataDeadline.isNegative() || metadataDeadline.isZero()
                || fileDeadline.isNegative() || fileDeadline.isZero() || fileMaxConnections < 1) {
            throw new HubException(HubException.Kind.INVALID_ARGUMENT, "Hub limits must be positive, got "
                    + metadataMaxBytes + " metadata bytes, a metadata deadline of " + metadataDeadline
                    + ", a file deadline of " + fileDeadline + " and " + fileMaxConnections + " connections per file");
        }
    }

    /**
     * The limits from an environment map: each variable, when set, replaces its default ({@code ..._BYTES} and
     * {@code ..._CONNECTIONS} are counts, {@code ..._DEADLINE} seconds).
     */
    static HubLimits fromEnvironment(Map<String, String> env) {
        return new HubLimits(
                positive(env, METADATA_MAX_BYTES_ENV, DEFAULT.metadataMaxBytes, "a positive number of bytes"),
                Duration.ofSeconds(positive(env, METADATA_DEADLINE_ENV, DEFAULT.metadataDeadline.toSeconds(),
                        "a positive number of seconds")),
                Duration.ofSeconds(positive(env, FILE_DEADLINE_ENV, DEFAULT.fileDeadline.toSeconds(),
                        "a positive number of seconds")),
                Math.toIntExact(positive(env, FILE_MAX_CONNECTIONS_ENV, DEFAULT.fileMaxConnections,
                        "a positive number of connections up to " + Integer.MAX_VALUE)));
    }

    /** These limits with another metadata size cap. */
    public HubLimits withMetadataMaxBytes(long bytes) {
        return new HubLimits(bytes, metadataDeadline, fileDeadline, fileMaxConnections);
    }

    /** These limits with other deadlines. */
    public HubLimits withDeadlines(Duration metadata, Duration file) {
        return new HubLimits(metadataMaxBytes, metadata, file, fileMaxConnections);
    }

    /** These limits with another connection cap per file. */
    public HubLimits withFileMaxConnections(int connections) {
        return new HubLimits(metadataMaxBytes, metadataDeadline, fileDeadline, connections);
    }

    private static long positive(Map<String, String> env, String name, long fallback, String expected) {
        Optional<String> value = Optional.ofNullable(env.get(name)).filter(text -> !text.isBlank());
        if (value.isEmpty()) {
            return fallback;
        }
        try {
            long parsed = Long.parseLong(value.get().strip());
            if (parsed > 0 && (!name.equals(FILE_MAX_CONNECTIONS_ENV) || parsed <= Integer.MAX_VALUE)) {
                return parsed;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new HubException(HubException.Kind.INVALID_ARGUMENT, name + " must be " + expected + ", got '"
                + value.get() + "'; fix or unset it (default " + fallback + ")");
    }
}
