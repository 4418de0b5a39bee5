package org.exporters4j.tasks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Stream;
import org.exporters4j.hub.HubClient;
import org.exporters4j.hub.HubException;
import org.exporters4j.hub.HubSettings;
import org.exporters4j.hub.ModelInfo;
import org.exporters4j.hub.NetworkMode;
import org.exporters4j.hub.Snapshot;
import org.exporters4j.WeightsFormat;

/**
 * The files of one {@link ModelSource}: which files it has (a folder listing, or the Hub's file list at the
 * revision), what the Hub says about it, and a local folder with the files an export reads. For a Hub repository,
 * a client is opened on first use and the model info is asked once; close this to release the client.
 */
final class ModelFiles implements AutoCloseable {
    private final ModelSource source;
    private final HubSettings hubSettings;
    private HubClient client;
    private Optional<ModelInfo> hubInfo;
    private List<String> fileNames;

    private ModelFiles(ModelSource source, HubSettings hubSettings) {
        this.source = Objects.requireNonNull(source, "source");
        this.hubSettings = Objects.requireNonNull(hubSettings, "hubSettings");
    }

    static ModelFiles of(ModelSource source, HubSettings hubSettings) {
        return new ModelFiles(source, hubSettings);
    }

    ModelSource source() {
        return source;
    }

    /**
     * The file names at the model's root: the folder's regular files, or the Hub repository's top-level files at
     * the revision (from the cached snapshot when offline).
     */
    List<String> fileNames() {
        if (fileNames == null) {
            fileNames = source instanceof ModelSource.HubRepository hub ? hubFileNames(hub)
                    : listFolder(((ModelSource.LocalFolder) source).folder());
        }
        return fileNames;
    }

    /** The Hub's model info; empty for a local folder, and offline. */
    Optional<ModelInfo> hubInfo() {
        if (hubInfo == null) {
            if (source instanceof ModelSource.HubRepository hub && hubSettings.network() == NetworkMode.ONLINE) {
                hubInfo = Optional.of(client().modelInfo(hub.repo(), hub.revision()));
            } else {
                hubInfo = Optional.empty();
            }
        }
        return hubInfo;
    }

    /** The model's {@code config.json} on this machine (downloaded into the cache for a Hub repository). */
    Path configFile() {
        if (source instanceof ModelSource.HubRepository hub) {
            return client().download(hub.repo(), hub.revision(), "config.json");
        }
        return ((ModelSource.LocalFolder) source).folder().resolve("config.json");
    }

    /**
     * A local folder with config.json and the weights for {@code framework}: the user's folder as it is, or the Hub
     * snapshot with config.json, the weights in one format (the framework's own first, then the other framework's,
     * as {@code from_tf} / {@code from_pt} fall back), shards, and the tokenizer and processor files.
     */
    Checkout checkout(Framework framework) {
        if (source instanceof ModelSource.HubRepository hub) {
            Snapshot snapshot = client().snapshotForExport(hub.repo(), hub.revision(), "", hubPreference(framework));
            return new Checkout(snapshot.modelFolder(), Optional.of(snapshot.commit()),
                    Optional.of(snapshot.selection().weights()));
        }
        return new Checkout(((ModelSource.LocalFolder) source).folder(), Optional.empty(), Optional.empty());
    }

    /**
     * A local folder of the model's files.
     *
     * @param folder      the folder holding config.json and the weights
     * @param commit      the Hub commit, for a Hub snapshot
     * @param weightsFile the weights file (or index) the Hub snapshot fetched; a local folder chooses by its files
     */
    record Checkout(Path folder, Optional<String> commit, Optional<String> weightsFile) {
        Checkout {
            Objects.requireNonNull(folder, "folder");
            Objects.requireNonNull(commit, "commit");
            Objects.requireNonNull(weightsFile, "weightsFile");
        }
    }

    @Override
    public void close() {
        if (client != null) {
            client.close();
        }
    }

    private HubClient client() {
        if (client == null) {
            client = HubClient.create(hubSettings);
        }
        return client;
    }

    private List<String> hubFileNames(ModelSource.HubRepository hub) {
        if (hubSettings.network() == NetworkMode.OFFLINE) {
            return topLevel(cachedFiles(hub).orElseThrow(() -> new HubException(HubException.Kind.NOT_IN_CACHE,
                    "HF_HUB_OFFLINE is set and " + hub.describe() + " is not in the cache at "
                            + hubSettings.cacheDir() + "; run once online (unset HF_HUB_OFFLINE) to download it, "
                            + "or point --cache-dir at the cache that has it")));
        }
        try {
            return topLevel(hubInfo().orElseThrow().siblings());
        } catch (HubException e) {
            if (e.kind() == HubException.Kind.UNREACHABLE) {
                // as huggingface_hub: without an answer from the Hub, the cached snapshot of the revision will do
                return topLevel(cachedFiles(hub).orElseThrow(() -> e));
            }
            throw e;
        }
    }

    private Optional<List<String>> cachedFiles(ModelSource.HubRepository hub) {
        return client().cache().commit(hub.repo(), hub.revision())
                .map(commit -> client().cache().snapshotFiles(hub.repo(), commit))
                .filter(files -> !files.isEmpty());
    }

    private static List<String> topLevel(List<String> repoFiles) {
        return repoFiles.stream().filter(name -> !name.contains("/")).sorted().toList();
    }

    /** The regular files directly in a folder, sorted by name. */
    static List<String> listFolder(Path folder) {
        try (Stream<Path> children = Files.list(folder)) {
            return children.filter(Files::isRegularFile).map(path -> path.getFileName().toString()).sorted().toList();
        } catch (IOException e) {
            throw new ModelNotFoundException("cannot list the checkpoint folder " + folder + ": " + e.getMessage()
                    + "; check that it exists and is readable", e);
        }
    }

    /** The Hub weights formats for a framework, its own first, then the other framework's (from_tf / from_pt). */
    private static List<WeightsFormat> hubPreference(Framework framework) {
        return FrameworkWeightFiles.preference(framework).stream()
                .flatMap(candidate -> FrameworkWeightFiles.formats(candidate).stream())
                .toList();
    }
}
