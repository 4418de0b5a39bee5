package org.exporters4j.cli;

import picocli.CommandLine.Command;

/** The top-level command: only subcommands do work. */
@Command(name = "exporters4j", mixinStandardHelpOptions = true, version = "exporters4j 0.1.0",
        description = "Hugging Face Transformers checkpoints to ONNX, natively on the JVM (Optimum v1.5.2's interface).",
        subcommands = {TasksCommand.class, ConfigCommand.class, InspectCommand.class, ExportCommand.class})
final class Exporters4jCommand extends CommandGroup {
    @Override
    String missingSubcommand() {
        return "Missing command: use tasks, config, inspect or export";
    }
}
