package org.exporters4j.tasks;

import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;
import org.exporters4j.hub.RepoId;
import org.exporters4j.hub.Revision;

/**
 * Where a model comes from, as the user names it: a local checkpoint folder, or a repository on the Hugging Face Hub
 * at a revision. As Optimum v1.5.2 (and Transformers' {@code from_pretrained}) decide it, an existing folder wins
 * over a Hub id of the same spelling.
 */
public sealed interface ModelSource permits ModelSource.LocalFolder, ModelSource.HubRepository {

    /** A folder on this machine holding {@code config.json} and weights, as {@code save_pretrained} writes them. */
    record LocalFolder(Path folder) implements ModelSource {
        public LocalFolder {
            folder = Objects.requireNonNull(folder, "folder").toAbsolutePath().normalize();
        }

        @Override
        public String describe() {
            return "local folder " + folder;
        }
    }

    /** A Hub repository at a branch, tag or commit. */
    record HubRepository(RepoId repo, Revision revision) implements ModelSource {
        public HubRepository {
            Objects.requireNonNull(repo, "repo");
            Objects.requireNonNull(revision, "revision");
        }

        @Override
        public String describe() {
            return "Hub repository " + repo + (revision.equals(Revision.MAIN) ? "" : " at revision " + revision);
        }
    }

    /** Names the source in messages ({@code local folder /models/bert}, {@code Hub repository org/name}). */
    String describe();

    /** {@link #of(String, Revision)} at the default branch. */
    static ModelSource of(String model) {
        return of(model, Revision.MAIN);
    }

    /**
     * The source a model argument names: an existing folder, else a Hub repo id ({@code name} or
     * {@code namespace/name}).
     *
     * @param revision used for Hub repositories; a local folder has no revisions
     * @throws ModelNotFoundException when {@code model} is neither an existing folder nor a valid repo id (also when
     *     it names a file rather than a folder)
     */
    static ModelSource of(String model, Revision revision) {
        Objects.requireNonNull(revision, "revision");
        if (model == null || model.isBlank()) {
            throw new ModelNotFoundException("no model given: pass a local checkpoint folder or a Hub repo id such "
                    + "as bert-base-uncased");
        }
        Optional<Path> path = asPath(model);
        if (path.isPresent() && Files.isDirectory(path.get())) {
            return new LocalFolder(path.get());
        }
        if (path.isPresent() && Files.isRegularFile(path.get())) {
            throw new ModelNotFoundException(model + " is a file, not a checkpoint folder; pass the folder that "
                    + "holds config.json and the weights (as save_pretrained writes it)");
        }
        Optional<RepoId> repo = RepoId.parse(model);
        if (repo.isPresent()) {
            return new HubRepository(repo.get(), revision);
        }
        throw new ModelNotFoundException("no folder named " + model + " exists, and it is not a Hub repo id either "
                + "(\"name\" or \"namespace/name\" with letters, digits, '-', '_' and '.'); check the path or the "
                + "model id");
    }

    private static Optional<Path> asPath(String model) {
        try {
            return Optional.of(Path.of(model));
        } catch (InvalidPathException e) {
            return Optional.empty();
        }
    }
}
