package org.exporters4j.hub;

import org.exporters4j.WeightsFormat;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * The files of one repository at one commit, present in the cache: {@code snapshots/<commit>} of huggingface_hub's
 * layout. Only the files listed were fetched; others of the commit may be absent.
 *
 * @param repo        the repository
 * @param commit      the commit sha the revision resolved to
 * @param folder      {@code <cache>/models--org--name/snapshots/<commit>}
 * @param selection   which files the export needs, and in which weights format
 * @param files       every file fetched (repository paths), shards included
 */
public record Snapshot(RepoId repo, String commit, Path folder, ExportFiles selection, List<String> files) {
    public Snapshot {
        Objects.requireNonNull(repo, "repo");
        Objects.requireNonNull(commit, "commit");
        Objects.requireNonNull(folder, "folder");
        Objects.requireNonNull(selection, "selection");
        files = List.copyOf(files);
    }

    /** The folder holding config.json and the weights: the snapshot folder, or its subfolder. */
    public Path modelFolder() {
        String subfolder = selection.subfolder();
        return subfolder.isEmpty() ? folder : folder.resolve(subfolder);
    }

    /** The local path of a repository file of this snapshot. */
    public Path path(String repoFile) {
        return new RepoFilePath(repoFile).resolveIn(folder);
    }

    /** The weights format chosen. */
    public WeightsFormat weightsFormat() {
        return selection.format();
    }
}
