package org.exporters4j.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * The options of every command that may fetch a model from the Hugging Face Hub ({@code @Mixin}): which revision,
 * and which cache folder (Optimum's {@code --cache_dir} spelling too). Both stay null when not given; a command
 * passes them on as its library call takes them.
 */
final class HubOptions {
    @Option(names = "--revision", converter = OptionValues.RevisionName.class,
            description = "The Hub revision (branch, tag or commit; default: main), for Hub model ids.")
    String revision;

    @Option(names = {"--cache-dir", "--cache_dir"}, paramLabel = "DIR", converter = OptionValues.CacheFolder.class,
            description = "The Hugging Face Hub cache folder, for Hub model ids (default: HF_HUB_CACHE, else "
                    + "HF_HOME/hub, else ~/.cache/huggingface/hub).")
    Path cacheDir;
}
