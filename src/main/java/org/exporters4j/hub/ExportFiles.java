package org.exporters4j.hub;

import org.exporters4j.SmallFile;
import org.exporters4j.WeightsFormat;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * The files of a repository an export needs, chosen from its file list: {@code config.json}, the weights in one
 * format (the first of the preference found, unsharded file before index) and the tokenizer, processor and
 * generation files beside them. Shards are added once the index has been read ({@link #shards}).
 *
 * @param subfolder  the folder inside the repository that holds the model ("" for the root)
 * @param format     the weights format chosen
 * @param weights    the unsharded weights file or the shard index (a repository path)
 * @param sharding   whether {@code weights} is one file or an index whose shards must be fetched too
 * @param companions config.json first, then the tokenizer, processor and generation files present (repository paths)
 */
public record ExportFiles(String subfolder, WeightsFormat format, String weights, Sharding sharding,
                          List<String> companions) {
    /** Whether the weights are one file or an index of shards. */
    public enum Sharding { SINGLE_FILE, INDEXED_SHARDS }

    /** The configuration every export reads. */
    public static final String CONFIG_FILE = "config.json";

    /**
     * The files saved beside a model that the export copies or reads, as Transformers names them: the tokenizers'
     * {@code VOCAB_FILES_NAMES} ({@code tokenizer.json}, {@code vocab.txt}, {@code vocab.json} + {@code merges.txt},
     * the sentencepiece models), {@code tokenizer_config.json} and {@code special_tokens_map.json}, the feature
     * extractor / image processor / processor configs and {@code generation_config.json}. One name per line, sorted.
     */
    public static final Set<String> COMPANION_FILES = sortedUnique(List.of(
            "added_tokens.json",
            "bpe.codes",
            "chat_template.jinja",
            "chat_template.json",
            "entity_vocab.json",
            "generation_config.json",
            "merges.txt",
            "normalizer.json",
            "preprocessor_config.json",
            "processor_config.json",
            "sentencepiece.bpe.model",
            "source.spm",
            "special_tokens_map.json",
            "spiece.model",
            "spm.model",
            "target.spm",
            "target_vocab.json",
            "tokenizer.json",
            "tokenizer.model",
            "tokenizer_config.json",
            "vocab-src.json",
            "vocab-tgt.json",
            "vocab.json",
            "vocab.txt"));

    /** How every index of {@link WeightsFormat} ends (Transformers' {@code *_INDEX_NAME}). */
    private static final String INDEX_SUFFIX = ".index.json";

    public ExportFiles {
        Objects.requireNonNull(subfolder, "subfolder");
        Objects.requireNonNull(format, "format");
        Objects.requireNonNull(weights, "weights");
        Objects.requireNonNull(sharding, "sharding");
        companions = List.copyOf(companions);
    }

    /**
     * Chooses the export files from a repository's file list.
     *
     * @param repoFiles  every file of the repository ('/'-separated paths, e.g. the Hub's siblings)
     * @param subfolder  the model's folder inside the repository, "" for the root
     * @param preference the weights formats acceptable, most wanted first
     * @param where      names the file list in errors (e.g. "repository bert-base-uncased at revision main")
     */
    public static ExportFiles select(Collection<String> repoFiles, String subfolder, List<WeightsFormat> preference,
                                     String where) {
        Objects.requireNonNull(subfolder, "subfolder");
        if (!subfolder.isEmpty()) {
            new RepoFilePath(subfolder);
        }
        if (preference.isEmpty()) {
            throw new HubException(HubException.Kind.INVALID_ARGUMENT, "no weights format was asked for; pass one "
                    + "or more of " + List.of(WeightsFormat.values()));
        }
        Set<String> files = new TreeSet<>(repoFiles);
        String config = join(subfolder, CONFIG_FILE);
        if (!files.contains(config)) {
            throw new HubException(HubException.Kind.FILE_NOT_FOUND, where + " has no " + config + ", so it is not "
                    + "a Transformers checkpoint" + (subfolder.isEmpty() ? "" : " in subfolder " + subfolder)
                    + "; files there: " + sample(files) + ". Check the model id, revision and subfolder");
        }
        for (WeightsFormat format : preference) {
            String single = join(subfolder, format.fileName());
            String index = join(subfolder, format.indexFileName());
            if (files.contains(single) || files.contains(index)) {
                List<String> companions = new ArrayList<>();
                companions.add(config);
                for (String name : COMPANION_FILES) {
                    if (files.contains(join(subfolder, name))) {
                        companions.add(join(subfolder, name));
                    }
                }
                return files.contains(single)
                        ? new ExportFiles(subfolder, format, single, Sharding.SINGLE_FILE, companions)
                        : new ExportFiles(subfolder, format, index, Sharding.INDEXED_SHARDS, companions);
            }
        }
        List<String> lookedFor = preference.stream()
                .flatMap(format -> List.of(format.fileName(), format.indexFileName()).stream())
                .toList();
        throw new HubException(HubException.Kind.FILE_NOT_FOUND, where + " has no weights exporters4j can read"
                + (subfolder.isEmpty() ? "" : " in subfolder " + subfolder) + ": looked for " + lookedFor
                + ", found " + sample(files) + ". Pick a revision or repository with safetensors, PyTorch or "
                + "TensorFlow weights, or convert the weights with save_pretrained");
    }

    /** The weights formats present in a repository's file list (in the default preference order). */
    public static List<WeightsFormat> availableFormats(Collection<String> repoFiles, String subfolder) {
        Set<String> files = Set.copyOf(repoFiles);
        return WeightsFormat.DEFAULT_PREFERENCE.stream()
                .filter(format -> files.contains(join(subfolder, format.fileName()))
                        || files.contains(join(subfolder, format.indexFileName())))
                .toList();
    }

    /** Every file this selection names before shards: companions (config first), then the weights or index. */
    public List<String> files() {
        List<String> all = new ArrayList<>(companions);
        all.add(weights);
        return List.copyOf(all);
    }

    /**
     * The shard files a downloaded index names (the distinct values of its {@code weight_map}), as repository paths
     * beside the index, sorted. The index is untrusted: it is read by {@link SmallFile#WEIGHTS_INDEX} (bounded),
     * and every name must be a relative path inside the repository that is not itself an index (an index naming
     * itself or another index would make the readers recurse; Transformers' shards are weights files).
     */
    public List<String> shards(Path indexFile) {
        if (sharding != Sharding.INDEXED_SHARDS) {
            return List.of();
        }
        JsonNode root;
        try {
            root = SmallFile.WEIGHTS_INDEX.readJson(indexFile);
        } catch (SmallFile.Refused e) {
            throw badIndex(indexFile, "it is not JSON as Python's json reads it: " + e.problem(), e);
        } catch (IOException e) {
            throw new HubException(HubException.Kind.CACHE_IO, "cannot read the weights index " + indexFile + ": "
                    + e.getMessage(), e);
        }
        JsonNode map = root == null ? null : root.get("weight_map");
        if (map == null || !map.isObject() || map.isEmpty()) {
            throw badIndex(indexFile, "it has no \"weight_map\" object naming the shards", null);
        }
        Set<String> shards = new TreeSet<>();
        for (JsonNode value : map) {
            if (!value.isTextual()) {
                throw badIndex(indexFile, "a \"weight_map\" value is not a file name: " + value, null);
            }
            String problem = RepoFilePath.problem(value.asText());
            if (problem != null) {
                throw badIndex(indexFile, "shard name '" + value.asText() + "' is not a plain relative path ("
                        + problem + ")", null);
            }
            String shard = join(subfolder, value.asText());
            if (shard.equals(weights) || value.asText().endsWith(INDEX_SUFFIX)) {
                throw badIndex(indexFile, "it names " + (shard.equals(weights) ? "itself" : "another index, '"
                        + value.asText() + "',") + " as a shard; an index must name weights files", null);
            }
            shards.add(shard);
        }
        return List.copyOf(shards);
    }

    static String join(String subfolder, String file) {
        return subfolder.isEmpty() ? file : subfolder + "/" + file;
    }

    private static HubException badIndex(Path indexFile, String problem, Throwable cause) {
        return new HubException(HubException.Kind.INVALID_RESPONSE, "the weights index " + indexFile + " is not "
                + "usable: " + problem + "; re-save the checkpoint with save_pretrained", cause);
    }

    private static String sample(Set<String> files) {
        if (files.isEmpty()) {
            return "no files";
        }
        int shown = 12;
        String listed = files.stream().limit(shown).collect(Collectors.joining(", "));
        return files.size() > shown ? listed + " and " + (files.size() - shown) + " more" : listed;
    }

    private static Set<String> sortedUnique(List<String> rows) {
        Set<String> set = new LinkedHashSet<>();
        String previous = "";
        for (String row : rows) {
            if (!set.add(row)) {
                throw new IllegalStateException("duplicate companion file row: " + row);
            }
            if (row.compareTo(previous) < 0) {
                throw new IllegalStateException("companion file rows must be sorted: " + row + " after " + previous);
            }
            previous = row;
        }
        return java.util.Collections.unmodifiableSet(set);
    }
}
