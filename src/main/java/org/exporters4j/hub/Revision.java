package org.exporters4j.hub;

import java.util.regex.Pattern;

/**
 * A Git revision of a Hub repository: a branch ({@code main}), a tag ({@code v1.0}), a pull-request ref
 * ({@code refs/pr/1}) or a full commit sha. Branches and tags are stored in the cache as {@code refs/<revision>};
 * the value must therefore be a relative path without {@code .} or {@code ..} segments.
 */
public record Revision(String value) {
    /** The default revision, as huggingface_hub's {@code DEFAULT_REVISION}. */
    public static final Revision MAIN = new Revision("main");

    // as huggingface_hub REGEX_COMMIT_HASH: only a full lowercase sha is taken as a commit without asking the Hub
    private static final Pattern COMMIT_HASH = Pattern.compile("[0-9a-f]{40}");

    public Revision {
        String problem = RepoFilePath.problem(value);
        if (problem != null) {
            throw new HubException(HubException.Kind.INVALID_ARGUMENT, "not a valid revision: '" + value + "' ("
                    + problem + "); use a branch (e.g. main), a tag or a commit sha");
        }
    }

    public static Revision of(String value) {
        return new Revision(value);
    }

    /** True when the revision is a full commit sha, which names a snapshot folder directly. */
    public boolean isCommitHash() {
        return COMMIT_HASH.matcher(value).matches();
    }

    @Override
    public String toString() {
        return value;
    }
}
