package org.exporters4j.hub;

import java.util.Objects;
import java.util.Optional;

/** What a Hub request is about, for error messages: a repository, a revision and possibly a file. */
record RequestTarget(RepoId repo, Revision revision, Optional<String> file) {
    RequestTarget {
        Objects.requireNonNull(repo, "repo");
        Objects.requireNonNull(revision, "revision");
        Objects.requireNonNull(file, "file");
    }

    static RequestTarget repository(RepoId repo, Revision revision) {
        return new RequestTarget(repo, revision, Optional.empty());
    }

    static RequestTarget file(RepoId repo, Revision revision, String file) {
        return new RequestTarget(repo, revision, Optional.of(file));
    }

    /** "file config.json of repository org/name at revision main" or "repository org/name at revision main". */
    String describe() {
        return file.map(name -> "file " + name + " of ").orElse("") + "repository " + repo + " at revision "
                + revision;
    }
}
