package org.exporters4j.cli;

import picocli.CommandLine.Command;

/** {@code exporters4j export}: the export backends; only subcommands do work ({@code onnx}). */
@Command(name = "export", mixinStandardHelpOptions = true,
        description = "Export a Transformers checkpoint (see `exporters4j export onnx --help`).",
        subcommands = {ExportOnnxCommand.class})
final class ExportCommand extends CommandGroup {
    @Override
    String missingSubcommand() {
        return "Missing export backend: use `export onnx`";
    }
}
